import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from .attachments import attachment_get_for_download, content_disposition
from .models import Attachment
from .net import client_ip
from .ratelimit import limit_take

ViewFunc = Callable[..., HttpResponse]

logger = logging.getLogger(__name__)


@require_safe
@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A private file, to who may see its owner; to everyone else it does not exist (404)."""
    return private_file_response(attachment_get_for_download(user=request.user, pk=pk))


def private_file_response(attachment: Any) -> FileResponse:
    """A private attachment as a download, never cached: for views that have checked who asks (a module
    that serves its files from its own pages calls this after its own rule)."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        logger.error("attachment %s: stored file %s is missing", attachment.pk, attachment.file.name)
        raise Http404("file missing") from None
    response = FileResponse(handle, content_type=attachment.mime_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _public_file_headers(response: HttpResponse, *, etag: str, max_age: int) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["ETag"] = etag
    return response


def public_file_response(
    request: HttpRequest, attachment: Attachment, *, max_age: int, inline: bool = True
) -> HttpResponse:
    """Serves an attachment the caller has already found to be public (a logo, a published article's
    cover or file): cacheable, revalidated by its content hash, sandboxed so it cannot run as a page."""
    etag = quote_etag(attachment.sha256)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return _public_file_headers(not_modified, etag=etag, max_age=max_age)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        logger.error("attachment %s: stored file %s is missing", attachment.pk, attachment.file.name)
        raise Http404("file missing") from None
    response = FileResponse(handle, content_type=attachment.mime_type)
    response["Content-Disposition"] = "inline" if inline else content_disposition(attachment.original_name)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return _public_file_headers(response, etag=etag, max_age=max_age)


def client_rate_limited(
    scope: str, *, limits_setting: str, json: bool = False
) -> Callable[[ViewFunc], ViewFunc]:
    """Limits a public view that costs real work (an Excel download, an open-data page) per client
    address, with the (count, seconds) windows of the setting `limits_setting`. Over the limit the client
    gets 429 and a Retry-After header, and the view does not run: a Chinese page saying when to try
    again, or for a JSON endpoint (`json`) the same sentence as `{"error": …, "retry_after": seconds}`."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refusal = limit_take(
                scope=scope, key=client_ip(request) or "unknown", limits=getattr(settings, limits_setting)
            )
            if refusal is None:
                return view(request, *args, **kwargs)
            if json:
                response = JsonResponse(
                    {
                        "error": f"请求过于频繁：同一网络地址{refusal.period_label}最多可请求 "
                        f"{refusal.count} 次，请{refusal.retry_label}后再试。",
                        "retry_after": refusal.retry_after,
                    },
                    status=429,
                    json_dumps_params={"ensure_ascii": False},
                )
            else:
                response = render(request, "429.html", {"refusal": refusal}, status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response

        return limited

    return decorator
