"""Error pages in Chinese; the 500 page needs neither the database nor a request context."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views.defaults import permission_denied, server_error


def test_404_uses_the_portal_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and 'class="portal-header"' in html


def test_404_for_a_logged_in_user_offers_the_workspace(client_for):
    html = client_for("inst_admin").get("/no-such-page/").content.decode()
    assert "进入工作台" in html


def test_403_page(rf: RequestFactory):
    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and 'class="portal-header"' in html


def test_500_page_is_static(rf: RequestFactory, django_assert_num_queries, settings):
    request = rf.get("/broken/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器出现错误" in html
    assert settings.SUPPORT_CONTACT["phone"] in html
    assert "/static/css/sujt.css" in html
