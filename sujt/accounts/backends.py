"""The per-address half of login protection (the per-account half is django-axes).

An address is locked once LOGIN_ADDRESS_FAILURE_LIMIT failed logins came from it within the lockout period,
counted from the login log (every failure, whatever account it named, the old-password check included).
The limit is far above the per-account one so that colleagues behind one office NAT never lock each other
out, while one address still cannot try passwords across many accounts without end.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from sujt.core.net import client_ip

from .choices import LoginEventKind
from .models import LoginEvent, User
from .signals import record_login_event

ADDRESS_LOCKOUT = "address"
ACCOUNT_LOCKOUT = "account"


def address_failures(*, ip_address: str) -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return LoginEvent.objects.filter(
        ip_address=ip_address, kind=LoginEventKind.FAILED, created_at__gte=since
    ).count()


def address_locked(*, ip_address: str | None) -> bool:
    if not ip_address:
        return False
    return address_failures(ip_address=ip_address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def lockout_minutes() -> int:
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    return int(cooloff.total_seconds() // 60)


def account_locked(*, request: HttpRequest, phone: str) -> bool:
    """The account has had LOGIN_FAILURE_LIMIT failures within the lockout period (django-axes' count)."""
    from axes.handlers.proxy import AxesProxyHandler

    if not settings.AXES_ENABLED:
        return False
    return AxesProxyHandler.is_locked(request, {"username": phone})


def lockout_of(*, request: HttpRequest, phone: str) -> str | None:
    """Why a password check for `phone` from this request must not even be tried: "address", "account"."""
    if not settings.AXES_ENABLED:
        return None
    if address_locked(ip_address=client_ip(request)):
        return ADDRESS_LOCKOUT
    if account_locked(request=request, phone=phone):
        return ACCOUNT_LOCKOUT
    return None


class AddressLockoutBackend:
    """First in AUTHENTICATION_BACKENDS: refuses every login attempt from a locked address.

    It authenticates nobody (and has no get_user: sessions are never bound to it). Refusing raises
    PermissionDenied, which Django's authenticate() turns into a failed login (logged, counted); the
    flags make django-axes' middleware answer with the lockout page.
    """

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is None or not settings.AXES_ENABLED:
            return None
        ip_address = client_ip(request)
        if address_locked(ip_address=ip_address):
            request.axes_locked_out = True
            request.sujt_lockout = ADDRESS_LOCKOUT
            phone = str(credentials.get("username") or "")
            record_login_event(
                kind=LoginEventKind.LOCKED,
                request=request,
                user=User.objects.filter(phone=phone).first() if phone else None,
                phone=phone,
                ip_address=ip_address,
            )
            raise PermissionDenied("address locked")
        return None
