from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class FirstLoginMiddleware:
    """Before anything else: change an initial or expired password, then confirm personal info.

    Every page except these steps, logout, static files and the health check redirects to the step due.
    """

    exempt_prefixes = ("/static/", "/healthz", "/favicon.ico")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(self.exempt_prefixes):
            return self.get_response(request)
        password_url = reverse("accounts:password_change")
        confirm_url = reverse("accounts:confirm_info")
        allowed = {password_url, reverse("accounts:logout"), reverse("admin:logout")}
        if user.needs_password_change:
            if request.path not in allowed:
                return redirect(password_url)
            return self.get_response(request)
        confirm_due = user.info_confirmed_at is None and not user.is_staff and not user.is_superuser
        if confirm_due and request.path not in allowed | {confirm_url}:
            return redirect(confirm_url)
        return self.get_response(request)
