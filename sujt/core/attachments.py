"""Private attachments: content-checked, size-limited uploads, served only to who may see the owner.

The owner object decides visibility with `attachments_visible_to(user) -> bool`; anything else (no such
method, False, an unknown attachment) is a 404 at the download view.

Every image must be intact and within MAX_IMAGE_PIXELS; an image that will be shown to the public (a
logo, a cover) is stored re-encoded (`AttachmentRule(reencode=True)`).

Lifecycle, inside a service's transaction: a module declares one `AttachmentRule` per use (purpose,
kinds, limits) and calls `attachments_store` (add files), `attachment_replace` (the one file of a
purpose) or `attachments_remove`. A file written to storage is deleted again if the transaction, or the
atomic block it was written in, rolls back (`sujt.core.transactions.run_on_rollback`); a removed
attachment's row goes with the transaction and its file only once the transaction has committed. The
form fields of `sujt.core.forms` take the same rule, so a form and its service never disagree.
"""

import functools
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from PIL import (
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

from .choices import AttachmentKind
from .models import Attachment
from .transactions import run_on_rollback

Kind = AttachmentKind

# Extension → the kind its content must be.
EXTENSION_KINDS: dict[str, str] = {
    ".jpg": Kind.IMAGE,
    ".jpeg": Kind.IMAGE,
    ".png": Kind.IMAGE,
    ".gif": Kind.IMAGE,
    ".webp": Kind.IMAGE,
    ".bmp": Kind.IMAGE,
    ".pdf": Kind.PDF,
    ".xlsx": Kind.XLSX,
    ".docx": Kind.DOCX,
}
# Image formats Pillow may report, with the extension and MIME type they are stored under.
IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "GIF": (".gif", "image/gif"),
    "WEBP": (".webp", "image/webp"),
    "BMP": (".bmp", "image/bmp"),
}
IMAGE_EXTENSIONS: dict[str, str] = {mime: extension for extension, mime in IMAGE_FORMATS.values()}
MIME_TYPES: dict[str, str] = {
    Kind.PDF: "application/pdf",
    Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# The part an Office Open XML package of each kind must contain.
OOXML_PARTS: dict[str, str] = {Kind.XLSX: "xl/", Kind.DOCX: "word/"}

# Pixels (width × height) an uploaded image may have. 40 megapixels is more than any logo, cover or scan
# needs; decoding that many takes up to 160 MB, and Pillow's own guard only refuses past ~179 megapixels.
MAX_IMAGE_PIXELS = 40_000_000
# What a re-encoded image is written as: photos stay in their lossy format (as PNG they would grow
# several times over), everything else becomes PNG.
REENCODED_FORMATS: dict[str, str] = {"JPEG": "JPEG", "WEBP": "WEBP"}
REENCODED_QUALITY = 90
# Each format's reader, to learn the size an image declares when Pillow refuses to open it at all.
_HEADER_READERS = (
    PngImagePlugin.PngImageFile,
    JpegImagePlugin.JpegImageFile,
    GifImagePlugin.GifImageFile,
    WebPImagePlugin.WebPImageFile,
    BmpImagePlugin.BmpImageFile,
)

# What a file input offers to pick for each kind (its `accept` attribute: a hint to the browser's file
# chooser; the content is checked anyway).
ACCEPT: dict[str, str] = {
    Kind.IMAGE: "image/*",
    Kind.PDF: ".pdf,application/pdf",
    Kind.XLSX: ".xlsx",
    Kind.DOCX: ".docx",
}
# How a help text names each kind.
_KIND_WORDS: dict[str, str] = {
    Kind.IMAGE: "图片（jpg、png 等）",
    Kind.PDF: "PDF",
    Kind.XLSX: "Excel（.xlsx）",
    Kind.DOCX: "Word（.docx）",
}

MAX_NAME_LENGTH = 120
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"/\\|?*]')


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节"


def sanitize_filename(name: str) -> str:
    """The uploader's file name made safe to show and to send back: no path, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_NAME_CHARS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem, extension = os.path.splitext(name)
    if len(extension) > 10:
        stem, extension = name, ""
    stem = stem[: MAX_NAME_LENGTH - len(extension)].strip()
    return f"{stem or '未命名'}{extension.lower()}"


def accept_attribute(kinds: Iterable[str]) -> str:
    """The `accept` attribute of a file input for `kinds`, in their order."""
    return ",".join(ACCEPT[Kind(kind)] for kind in kinds)


def _spaced(left: str, right: str) -> str:
    """Joins two pieces of text, with a space where a Latin letter or digit meets a Chinese character."""

    def latin(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    def chinese(ch: str) -> bool:
        return "\u4e00" <= ch <= "\u9fff"

    a, b = left[-1:], right[:1]
    space = " " if (latin(a) and chinese(b)) or (chinese(a) and latin(b)) else ""
    return f"{left}{space}{right}"


@dataclass(frozen=True)
class AttachmentRule:
    """One use of attachments (a logo, a report's evidence), declared once for its form field and its
    service.

    `purpose` tells an owner's attachments apart; `kinds` are checked by content; `max_bytes` limits each
    file (never beyond settings.UPLOAD_MAX_BYTES); `max_files` is how many the owner may hold for the
    purpose; `max_total_bytes` limits the files chosen at once; `reencode` stores images as Pillow writes
    them anew (for images shown to the public); `noun` and `unit` name the files in messages
    ("证明材料", "份").
    """

    purpose: str
    kinds: tuple[str, ...]
    max_bytes: int | None = None
    max_files: int = 1
    max_total_bytes: int | None = None
    reencode: bool = False
    noun: str = "文件"
    unit: str = "个"

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(Kind(kind) for kind in self.kinds))

    @property
    def file_limit(self) -> int:
        limit = settings.UPLOAD_MAX_BYTES
        return limit if self.max_bytes is None else min(self.max_bytes, limit)

    @property
    def accept(self) -> str:
        return accept_attribute(self.kinds)

    @property
    def description(self) -> str:
        """The kinds and limits in words, for a help text (图片（jpg、png 等）或 PDF，每份不超过 10 MB，…)."""
        words = [_KIND_WORDS[kind] for kind in self.kinds]
        kinds = words[0]
        for index, word in enumerate(words[1:], start=1):
            kinds = _spaced(_spaced(kinds, "、" if index < len(words) - 1 else "或"), word)
        each = f"每{self.unit}" if self.max_files > 1 else ""
        parts = [kinds, f"{each}不超过 {human_size(self.file_limit)}"]
        if self.max_total_bytes:
            parts.append(f"一次合计不超过 {human_size(self.max_total_bytes)}")
        if self.max_files > 1:
            parts.append(f"最多 {self.max_files} {self.unit}，可一次选择多个文件")
        return "，".join(parts)


def _kind_labels(kinds: Iterable[str]) -> str:
    return "、".join(Kind(kind).label for kind in kinds)


def _allowed_extensions(kinds: Iterable[str]) -> str:
    allowed = set(kinds)
    return " ".join(ext for ext, kind in EXTENSION_KINDS.items() if kind in allowed)


def _read_head(file: Any, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


class TooManyPixelsError(ValueError):
    """An image larger than MAX_IMAGE_PIXELS; `size` is (width, height) when its header could be read."""

    def __init__(self, size: tuple[int, int] | None) -> None:
        super().__init__(f"image of {size} exceeds {MAX_IMAGE_PIXELS} pixels")
        self.size = size


def _declared_size(file: Any) -> tuple[int, int] | None:
    """The size in an image's header, read by the format's own reader without decoding anything."""
    for reader in _HEADER_READERS:
        file.seek(0)
        try:
            with reader(file) as image:
                return image.size
        except Exception:  # not this format, or not even a header: try the next reader
            continue
    return None


def _check_image(file: Any) -> str:
    """Returns Pillow's format name of a real, intact image within the pixel cap; raises ValueError
    (TooManyPixelsError for one over the cap) otherwise."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise TooManyPixelsError((width, height))
            image.verify()
    except TooManyPixelsError:
        raise
    except Image.DecompressionBombError as exc:
        raise TooManyPixelsError(_declared_size(file)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValueError(str(exc)) from exc
    finally:
        file.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValueError(f"unsupported image format {image_format}")
    return image_format


def _check_ooxml(file: Any, kind: str) -> None:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValueError(str(exc)) from exc
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names or not any(n.startswith(OOXML_PARTS[kind]) for n in names):
        raise ValueError("not an Office Open XML package of the expected kind")


def _megapixels(count: int) -> str:
    return _("%(count)s 万像素") % {"count": round(count / 10_000)}


def _too_many_pixels_message(size: tuple[int, int] | None) -> str:
    limit = _megapixels(MAX_IMAGE_PIXELS)
    if size is None:
        return _("图片的像素数超过了 %(limit)s 的上限，请缩小图片尺寸后重新上传。") % {"limit": limit}
    width, height = size
    return _(
        "图片尺寸为 %(width)s×%(height)s 像素（%(pixels)s），超过了 %(limit)s 的上限，"
        "请缩小图片尺寸后重新上传。"
    ) % {
        "width": width,
        "height": height,
        "pixels": _megapixels(width * height),
        "limit": limit,
    }


def detect_upload(file: Any, *, kinds: Iterable[str], max_bytes: int | None = None) -> tuple[str, str]:
    """Checks an upload and returns (kind, MIME type); raises a Chinese ValidationError if refused."""
    kinds = [Kind(kind) for kind in kinds]
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else min(max_bytes, settings.UPLOAD_MAX_BYTES)
    name = sanitize_filename(getattr(file, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    size = file.size
    if not size:
        raise ValidationError(_("文件为空，请重新选择。"), code="empty")
    if size > limit:
        raise ValidationError(
            _("文件大小为 %(size)s，超过了 %(limit)s 的上限。")
            % {"size": human_size(size), "limit": human_size(limit)},
            code="too_large",
        )
    kind = EXTENSION_KINDS.get(extension)
    if kind is None or kind not in kinds:
        raise ValidationError(
            _("不支持的文件类型（%(ext)s）。请上传%(kinds)s，扩展名为 %(allowed)s。")
            % {
                "ext": extension or _("无扩展名"),
                "kinds": _kind_labels(kinds),
                "allowed": _allowed_extensions(kinds),
            },
            code="extension",
        )
    try:
        if kind == Kind.IMAGE:
            return kind, IMAGE_FORMATS[_check_image(file)][1]
        if kind == Kind.PDF:
            if not _read_head(file, 5).startswith(b"%PDF-"):
                raise ValueError("missing %PDF- header")
        else:
            _check_ooxml(file, kind)
    except TooManyPixelsError as exc:
        raise ValidationError(_too_many_pixels_message(exc.size), code="too_many_pixels") from None
    except ValueError:
        raise ValidationError(
            _("文件内容不是有效的%(kind)s（文件扩展名为 %(ext)s）。请确认文件未损坏，且确为该类型。")
            % {"kind": Kind(kind).label, "ext": extension},
            code="content",
        ) from None
    return kind, MIME_TYPES[kind]


def validate_upload(file: Any, *, kinds: Iterable[str], max_bytes: int | None = None) -> str:
    """Checks an upload by size, extension and content; returns the detected kind."""
    return detect_upload(file, kinds=kinds, max_bytes=max_bytes)[0]


def _sha256(file: Any) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _reencode_image(file: Any) -> tuple[ContentFile, str]:
    """The image as Pillow writes it anew, and its MIME type: the pixels only (the first frame, turned
    upright as its EXIF said), without EXIF, text, colour profile or anything appended to the upload."""
    file.seek(0)
    try:
        with Image.open(file) as source:
            output_format = REENCODED_FORMATS.get(source.format or "", "PNG")
            image = ImageOps.exif_transpose(source)
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            if image.mode in ("1", "L"):
                image = image.convert("L")
            else:
                image = image.convert("RGBA" if transparent and output_format != "JPEG" else "RGB")
            image.info = {}  # some writers fall back to what was read (PNG keeps the colour profile)
            buffer = io.BytesIO()
            options = {"quality": REENCODED_QUALITY} if output_format in ("JPEG", "WEBP") else {}
            image.save(buffer, format=output_format, **options)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("图片无法读取（文件可能已损坏或不完整），请换一张图片重新上传。"), code="content"
        ) from exc
    finally:
        file.seek(0)
    return ContentFile(buffer.getvalue()), IMAGE_FORMATS[output_format][1]


def _with_extension(name: str, mime_type: str) -> str:
    """The file name with the extension of the format it is now stored in (标志.bmp → 标志.png)."""
    stem, extension = os.path.splitext(name)
    expected = IMAGE_EXTENSIONS[mime_type]
    if extension.lower() == expected or (expected == ".jpg" and extension.lower() == ".jpeg"):
        return name
    return f"{stem}{expected}"


def attachment_create(
    *,
    owner: Model,
    file: UploadedFile,
    kinds: Iterable[str],
    purpose: str = "",
    by: Any,
    max_bytes: int | None = None,
    reencode: bool = False,
) -> Attachment:
    """Checks and stores an upload privately as an attachment of `owner`.

    `reencode` is for images the public will see (a logo, a cover): an image is then stored as Pillow
    re-encodes it, so that what is served is pixels we wrote, with none of the uploader's metadata
    (camera, location, software) and nothing hidden after the image data. Other kinds are unchanged.
    """
    kind, mime_type = detect_upload(file, kinds=kinds, max_bytes=max_bytes)
    original_name = sanitize_filename(file.name)
    content: Any = file
    if reencode and kind == Kind.IMAGE:
        content, mime_type = _reencode_image(file)
        original_name = _with_extension(original_name, mime_type)
    extension = IMAGE_EXTENSIONS.get(mime_type) or os.path.splitext(original_name)[1].lower()
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(owner),
        object_id=owner.pk,
        purpose=purpose,
        original_name=original_name,
        mime_type=mime_type,
        size=content.size,
        sha256=_sha256(content),
        kind=kind,
        uploaded_by=by if getattr(by, "pk", None) else None,
    )
    attachment.file.save(f"upload{extension}", content, save=False)
    storage, name = attachment.file.storage, attachment.file.name
    try:
        attachment.save()
    except Exception:
        storage.delete(name)
        raise
    # The row goes if the transaction rolls back: the file must go with it.
    run_on_rollback(functools.partial(storage.delete, name))
    return attachment


def _refuse(message: str, *, code: str, error_key: str | None) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({error_key: error}) if error_key else error


def attachments_store(
    *,
    owner: Model,
    rule: AttachmentRule,
    files: Iterable[UploadedFile],
    by: Any,
    error_key: str | None = None,
) -> list[Attachment]:
    """Checks and stores each upload as an attachment of `owner` for `rule.purpose`.

    Call it inside the service's transaction: what it writes is removed from storage again if that
    transaction rolls back. Refused with a ValidationError (keyed by `error_key` when given) when the owner
    would then hold more than `rule.max_files` files of the purpose (count after any removal made earlier
    in the transaction), when the files together exceed `rule.max_total_bytes`, or when a file fails its
    checks (the message then names the file).
    """
    files = list(files)
    with transaction.atomic():
        if attachments_of(owner, purpose=rule.purpose).count() + len(files) > rule.max_files:
            raise _refuse(
                f"{rule.noun}最多 {rule.max_files} {rule.unit}，请删除一些后再上传。",
                code="too_many",
                error_key=error_key,
            )
        total = sum(file.size for file in files)
        if rule.max_total_bytes and total > rule.max_total_bytes:
            limit = human_size(rule.max_total_bytes)
            raise _refuse(
                f"所选{rule.noun}合计 {human_size(total)}，超过了 {limit} 的上限。",
                code="too_large_in_total",
                error_key=error_key,
            )
        stored = []
        for file in files:
            try:
                stored.append(_create_by_rule(owner=owner, rule=rule, file=file, by=by))
            except ValidationError as error:
                message = f"「{sanitize_filename(file.name)}」：{'；'.join(error.messages)}"
                raise _refuse(message, code=error.code or "invalid", error_key=error_key) from None
        return stored


def attachment_replace(*, owner: Model, rule: AttachmentRule, file: UploadedFile, by: Any) -> Attachment:
    """Stores `file` as the one attachment of `owner` for `rule.purpose`, removing any earlier one.

    The earlier row is deleted in the transaction and its file once the transaction has committed; if it
    rolls back instead, the earlier attachment stays whole and the new file is removed from storage. The
    caller points its own foreign key (a logo, a cover) at the returned attachment.
    """
    with transaction.atomic():
        attachment = _create_by_rule(owner=owner, rule=rule, file=file, by=by)
        _remove(attachments_of(owner, purpose=rule.purpose).exclude(pk=attachment.pk))
    return attachment


def attachments_remove(*, owner: Model, purpose: str | None = None, ids: Iterable[int] | None = None) -> int:
    """Removes attachments of `owner` (of `purpose`, and among `ids`, when given); returns how many.

    Ids of attachments that are not the owner's (for that purpose) are ignored. The rows go with the
    caller's transaction, the stored files once it has committed.
    """
    queryset = attachments_of(owner, purpose=purpose)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return _remove(queryset)


def attachment_delete(*, attachment: Attachment) -> None:
    """Removes the row, and the stored file once the deletion has committed."""
    _remove(Attachment.objects.filter(pk=attachment.pk))


def _create_by_rule(*, owner: Model, rule: AttachmentRule, file: UploadedFile, by: Any) -> Attachment:
    return attachment_create(
        owner=owner,
        file=file,
        kinds=rule.kinds,
        purpose=rule.purpose,
        by=by,
        max_bytes=rule.max_bytes,
        reencode=rule.reencode,
    )


def _remove(queryset: QuerySet[Attachment]) -> int:
    with transaction.atomic():
        removed = list(queryset)
        if removed:
            Attachment.objects.filter(pk__in=[attachment.pk for attachment in removed]).delete()
        for attachment in removed:
            # robust: a file already gone must not keep the other after-commit work from running
            delete = functools.partial(attachment.file.storage.delete, attachment.file.name)
            transaction.on_commit(delete, robust=True)
    return len(removed)


def attachments_of(owner: Model, *, purpose: str | None = None) -> QuerySet[Attachment]:
    queryset = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk
    ).select_related("uploaded_by")
    if purpose is not None:
        queryset = queryset.filter(purpose=purpose)
    return queryset.order_by("created_at", "id")


def attachments_by_owner(
    owners: Sequence[Model], *, purpose: str | None = None
) -> dict[Any, list[Attachment]]:
    """{owner pk: its attachments (for `purpose`), oldest first} for owners of one model, in one query:
    a page listing many owners' files (every round of an answer) does not query per owner."""
    grouped: dict[Any, list[Attachment]] = {owner.pk: [] for owner in owners}
    if not owners:
        return grouped
    queryset = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(owners[0])), object_id__in=list(grouped)
    ).select_related("uploaded_by")
    if purpose is not None:
        queryset = queryset.filter(purpose=purpose)
    for attachment in queryset.order_by("created_at", "id"):
        grouped[attachment.object_id].append(attachment)
    return grouped


def attachment_get_for_download(*, user: Any, pk: int) -> Attachment:
    """The attachment, if its owner lets `user` see it; otherwise a 404 (never a 403)."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    owner = attachment.owner
    visible_to = getattr(owner, "attachments_visible_to", None)
    if owner is None or visible_to is None or not visible_to(user):
        raise Http404("attachment not visible")
    return attachment


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the real one as RFC 5987 `filename*`."""
    stem, extension = os.path.splitext(filename)
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.encode("ascii", "ignore").decode()).strip("_.")
    ascii_extension = extension if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", extension) else ""
    fallback = f"{ascii_stem or 'download'}{ascii_extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
