import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from .attachments import attachment_get_for_download, content_disposition
from .models import Attachment

logger = logging.getLogger(__name__)


@require_safe
@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A private file, to who may see its owner; to everyone else it does not exist (404)."""
    attachment = attachment_get_for_download(user=request.user, pk=pk)
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
