"""The client's address, read the same way by the login lockout, the login log and rate limits.

Behind TRUSTED_PROXY_COUNT reverse proxies that each append the address they received the request from
to X-Forwarded-For, the client is the N-th entry from the right: the one written by the outermost proxy
we trust. Anything further left was written by the client and proves nothing.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "") or "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        # The proxies did not add what they are configured to add: don't guess from client-written parts.
        return remote
    return _valid_ip(forwarded[-hops]) or remote
