"""Image uploads: a pixel cap on every image, and re-encoding of the images shown to the public."""

import functools
import hashlib
import io
import struct
import zlib
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from PIL import Image, PngImagePlugin

from sujt.core.attachments import MAX_IMAGE_PIXELS, attachment_create, validate_upload
from sujt.core.choices import AttachmentKind as K
from sujt.core.forms import ContentCheckedFileField
from sujt.core.models import Attachment
from tests.core.samples import PDF_BYTES, upload


@functools.cache
def blank_png(width: int, height: int) -> bytes:
    """A real PNG of that size: one bit a pixel and all zeros, so it is small however large it is."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_with_text(size=(6, 4), **text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    image = Image.new("RGB", size)
    image.putdata([(x * 40, y * 60, 90) for y in range(size[1]) for x in range(size[0])])
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"  # Make
    exif[0x0131] = "秘密软件 1.0"  # Software
    exif[0x0112] = 6  # Orientation: the stored picture is to be turned 90° clockwise
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, format="JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def pixels(content: bytes) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        return image.convert("RGB").tobytes()


# --- the pixel cap ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(8000, 6000), (20000, 20000)])
def test_an_image_over_the_pixel_cap_is_refused_naming_its_size(width, height):
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload("巨图.png", blank_png(width, height)), kinds=[K.IMAGE])
    assert caught.value.code == "too_many_pixels"
    message = caught.value.messages[0]
    assert f"{width}×{height}" in message and f"{MAX_IMAGE_PIXELS // 10_000} 万" in message


def test_an_image_at_the_cap_is_accepted():
    assert validate_upload(upload("大图.png", blank_png(8000, 5000)), kinds=[K.IMAGE]) == K.IMAGE


def test_a_huge_image_is_a_form_error_not_a_crash():
    class LogoForm(forms.Form):
        logo = ContentCheckedFileField(label="标志", kinds=[K.IMAGE])

    form = LogoForm(data={}, files={"logo": upload("巨图.png", blank_png(20000, 20000))})
    assert not form.is_valid()
    assert "20000×20000" in form.errors["logo"][0]


# --- re-encoding --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reencoded_png_keeps_its_pixels_and_loses_its_text_and_anything_appended(institution, inst_admin):
    original = png_with_text(Comment="内部备注：勿外传", Author="张三") + b"<html><script>alert(1)</script>"
    attachment = attachment_create(
        owner=institution,
        file=upload("标志.png", original),
        kinds=[K.IMAGE],
        purpose="logo",
        by=inst_admin,
        reencode=True,
    )
    stored = Path(attachment.file.path).read_bytes()
    assert stored != original
    assert pixels(stored) == pixels(original)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and not image.text
    assert "勿外传".encode() not in stored and b"<script>" not in stored
    assert attachment.size == len(stored)
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()
    assert (attachment.mime_type, attachment.original_name) == ("image/png", "标志.png")


@pytest.mark.django_db
def test_a_reencoded_jpeg_is_turned_upright_and_has_no_exif(institution, inst_admin):
    attachment = attachment_create(
        owner=institution,
        file=upload("封面.jpg", jpeg_with_exif()),
        kinds=[K.IMAGE],
        by=inst_admin,
        reencode=True,
    )
    stored = Path(attachment.file.path).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (20, 40)
        assert not image.getexif()
    assert b"ExampleCam" not in stored
    assert attachment.mime_type == "image/jpeg" and attachment.file.name.endswith(".jpg")


@pytest.mark.django_db
@pytest.mark.parametrize(("format_name", "mode"), [("GIF", "P"), ("BMP", "RGB"), ("WEBP", "RGBA")])
def test_other_formats_are_reencoded_too(institution, inst_admin, format_name, mode):
    buffer = io.BytesIO()
    Image.new(mode, (8, 8)).save(buffer, format=format_name)
    attachment = attachment_create(
        owner=institution,
        file=upload(f"图.{format_name.lower()}", buffer.getvalue()),
        kinds=[K.IMAGE],
        by=inst_admin,
        reencode=True,
    )
    stored = Path(attachment.file.path).read_bytes()
    assert stored != buffer.getvalue()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (8, 8)
        assert f"image/{image.format.lower()}" == attachment.mime_type


@pytest.mark.django_db
def test_reencoding_leaves_a_pdf_as_it_is(institution, inst_admin):
    attachment = attachment_create(
        owner=institution,
        file=upload("证书.pdf", PDF_BYTES),
        kinds=[K.IMAGE, K.PDF],
        by=inst_admin,
        reencode=True,
    )
    assert Path(attachment.file.path).read_bytes() == PDF_BYTES


@pytest.mark.django_db
def test_without_reencoding_an_image_is_stored_as_uploaded(institution, inst_admin):
    original = png_with_text(Comment="原样保存")
    attachment = attachment_create(
        owner=institution, file=upload("扫描件.png", original), kinds=[K.IMAGE], by=inst_admin
    )
    assert Path(attachment.file.path).read_bytes() == original


def png_with_garbled_pixels() -> bytes:
    """A PNG whose chunks and checksums are all in order (so it passes the content check) but whose
    compressed pixel data is noise."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 90)).save(buffer, format="PNG")
    data = buffer.getvalue()
    chunks, position = [data[:8]], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IDAT":
            body = b"\x78\x9c" + bytes(range(200, 256)) * 3
        chunks.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body)))
        position += 12 + length
    return b"".join(chunks)


@pytest.mark.django_db
def test_an_image_that_cannot_be_decoded_is_refused_and_nothing_is_stored(institution, inst_admin, settings):
    garbled = upload("坏图.png", png_with_garbled_pixels())
    assert validate_upload(garbled, kinds=[K.IMAGE]) == K.IMAGE
    with pytest.raises(ValidationError) as caught:
        attachment_create(owner=institution, file=garbled, kinds=[K.IMAGE], by=inst_admin, reencode=True)
    assert "图片无法读取" in caught.value.messages[0]
    assert not Attachment.objects.exists()
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not root.exists() or not any(path.is_file() for path in root.rglob("*"))
