"""Login audit and password history, kept by signals so every login path is covered."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from sujt.core import net

from .choices import LoginEventKind
from .models import LoginEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    # The address django-axes and the address lockout see too (settings.TRUSTED_PROXY_COUNT).
    return None if request is None else net.client_ip(request)


def record_login_event(
    *, kind: str, request: HttpRequest | None, user: User | None, phone: str, ip_address: str | None = None
) -> None:
    LoginEvent.objects.create(
        kind=kind,
        user=user,
        phone=(phone or "")[:64],
        ip_address=ip_address or client_ip(request),
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
def _on_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    phone = credentials.get("username") or credentials.get("phone") or ""
    user = User.objects.filter(phone=phone).first() if phone else None
    record_login_event(kind=LoginEventKind.FAILED, request=request, user=user, phone=phone)


@receiver(user_locked_out)
def _on_locked_out(
    sender: Any,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    """django-axes refused a login: the account had LOGIN_FAILURE_LIMIT failures within the lockout period."""
    phone = username or ""
    user = User.objects.filter(phone=phone).first() if phone else None
    record_login_event(
        kind=LoginEventKind.LOCKED, request=request, user=user, phone=phone, ip_address=ip_address
    )


def refresh_regulator_group(sender: Any, **kwargs: Any) -> None:
    """After `migrate`, an existing regulator group gets the permissions new modules registered for
    regulators. Runs once, after the last app's permissions exist; creates nothing new."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from .services import REGULATOR_GROUP, regulator_group_ensure

    # post_migrate is sent only to apps with a models module: the last of those, not the last app.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.name != with_models[-1].name:
        return
    using = kwargs.get("using", "default")
    if Group.objects.using(using).filter(name=REGULATOR_GROUP).exists():
        regulator_group_ensure()
