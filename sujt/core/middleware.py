import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .audit import acting_as


class ActorMiddleware:
    """Makes the logged-in user the actor for history rows written while handling the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with acting_as(user):
                return self.get_response(request)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Adds settings.CONTENT_SECURITY_POLICY to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


SESSION_SEEN_KEY = "_seen_at"


def session_mark_seen(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_SEEN_KEY] = int(time.time())


class SessionRefreshMiddleware:
    """The idle timeout without a session write per request: a logged-in session is saved again (which
    pushes its expiry SESSION_COOKIE_AGE into the future) once SESSION_REFRESH_SECONDS have passed since the
    last save, so it ends after SESSION_COOKIE_AGE of inactivity, give or take that interval."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            seen = session.get(SESSION_SEEN_KEY)
            if not isinstance(seen, int) or now - seen >= settings.SESSION_REFRESH_SECONDS:
                session[SESSION_SEEN_KEY] = now
        return self.get_response(request)
