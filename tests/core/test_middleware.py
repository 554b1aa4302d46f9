"""Issue 10 item 15: a Content-Security-Policy on every page, and an idle timeout that does not write the
session on every request."""

from django.contrib.sessions.models import Session
from django.urls import reverse

from sujt.core import middleware


def test_every_page_carries_the_content_security_policy(client_for, settings):
    pages = [("anonymous", "/"), ("inst_admin", reverse("portal:dashboard")), ("superuser", "/admin/")]
    for who, url in pages:
        response = client_for(who).get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
        assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_response_with_its_own_policy_keeps_it(rf, settings):
    from django.http import HttpResponse

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    response = middleware.ContentSecurityPolicyMiddleware(view)(rf.get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def _stored(client) -> tuple:
    row = Session.objects.get(session_key=client.session.session_key)
    return row.session_data, row.expire_date


def test_the_session_is_renewed_at_most_once_a_refresh_interval(client_for, monkeypatch, settings):
    now = [1_800_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    client = client_for("inst_admin")  # the login stamps the session
    stamped = _stored(client)
    # Within the interval: requests write nothing.
    now[0] += settings.SESSION_REFRESH_SECONDS - 1
    client.get(reverse("portal:dashboard"))
    assert _stored(client) == stamped
    # After it: the session is saved again, which is what pushes its idle expiry forward.
    now[0] += 2
    client.get(reverse("portal:dashboard"))
    data, expiry = _stored(client)
    assert data != stamped[0] and expiry >= stamped[1]
    assert client.session[middleware.SESSION_SEEN_KEY] == int(now[0])


def test_an_anonymous_visit_writes_no_session(client, db):
    client.get("/")
    assert not Session.objects.exists()
