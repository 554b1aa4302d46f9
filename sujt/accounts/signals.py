"""Login audit and password history, kept by signals so every login path is covered."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .choices import LoginEventKind
from .models import LoginEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_login_event(*, kind: str, request: HttpRequest | None, user: User | None, phone: str) -> None:
    LoginEvent.objects.create(
        kind=kind,
        user=user,
        phone=(phone or "")[:64],
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:255],
    )


@receiver(user_logged_in)
def _on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record_login_event(kind=LoginEventKind.LOGIN, request=request, user=user, phone=user.phone)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record_login_event(kind=LoginEventKind.LOGOUT, request=request, user=user, phone=user.phone)


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any) -> None:
    phone = credentials.get("username") or credentials.get("phone") or ""
    user = User.objects.filter(phone=phone).first() if phone else None
    record_login_event(kind=LoginEventKind.FAILED, request=request, user=user, phone=phone)
