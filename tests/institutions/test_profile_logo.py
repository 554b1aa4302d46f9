"""The public logo (institutions:logo): the institution's logo attachment, to anyone, and nothing else."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from PIL import Image, PngImagePlugin

from institutions.choices import InstitutionStatus
from institutions.services.profile import profile_update
from sujt.core.attachments import attachment_create
from sujt.core.choices import AttachmentKind
from tests.core.samples import PDF_BYTES, png_bytes, upload

PROFILE = {
    "is_high_tech": False,
    "is_listed": False,
    "legal_person_type": "enterprise",
    "investor_type": "private",
}


def logo_url(institution) -> str:
    return reverse("institutions:logo", args=[institution.pk])


def pixels(content: bytes) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        return image.convert("RGB").tobytes()


@pytest.fixture
def with_logo(institution, inst_admin):
    return profile_update(
        institution=institution,
        by=inst_admin,
        data=PROFILE,
        logo=upload("标志.png", png_bytes((20, 10)), "image/png"),
    )


def test_anyone_gets_a_public_institutions_logo_with_caching_and_nosniff(client, with_logo):
    response = client.get(logo_url(with_logo))
    assert response.status_code == 200
    assert pixels(b"".join(response.streaming_content)) == pixels(png_bytes((20, 10)))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["ETag"] == f'"{with_logo.logo.sha256}"'
    assert response["Content-Disposition"] == "inline"


def test_an_unchanged_logo_is_answered_not_modified(client, with_logo):
    response = client.get(logo_url(with_logo), HTTP_IF_NONE_MATCH=f'"{with_logo.logo.sha256}"')
    assert response.status_code == 304
    assert response["Cache-Control"] == "public, max-age=86400"
    assert client.get(logo_url(with_logo), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_suspended_institutions_logo_is_public_too(client, with_logo):
    type(with_logo).objects.filter(pk=with_logo.pk).update(status=InstitutionStatus.SUSPENDED)
    assert client.get(logo_url(with_logo)).status_code == 200


@pytest.mark.parametrize("status", [InstitutionStatus.REVOKED, InstitutionStatus.CANCELLED])
def test_a_non_public_institutions_logo_is_a_404(client, with_logo, status):
    type(with_logo).objects.filter(pk=with_logo.pk).update(status=status)
    assert client.get(logo_url(with_logo)).status_code == 404


def test_no_logo_or_no_institution_is_a_404(client, institution):
    assert client.get(logo_url(institution)).status_code == 404
    assert client.get(reverse("institutions:logo", args=[999999])).status_code == 404


def test_only_the_logo_attachment_is_served(client, institution, inst_admin):
    """A logo link pointing at any other file (the certificate scan, another institution's file) is a 404."""
    scan = attachment_create(
        owner=institution,
        file=upload("证书.png", png_bytes(), "image/png"),
        kinds=[AttachmentKind.IMAGE],
        purpose="high_tech_certificate",
        by=inst_admin,
    )
    type(institution).objects.filter(pk=institution.pk).update(logo=scan)
    assert client.get(logo_url(institution)).status_code == 404


def test_another_institutions_logo_cannot_be_borrowed(client, institution, other_institution, inst_admin):
    theirs = profile_update(
        institution=other_institution,
        by=inst_admin,
        data=PROFILE,
        logo=upload("l.png", png_bytes(), "image/png"),
    )
    type(institution).objects.filter(pk=institution.pk).update(logo=theirs.logo)
    assert client.get(logo_url(institution)).status_code == 404
    assert client.get(logo_url(theirs)).status_code == 200


def test_a_pdf_attachment_is_never_served_as_a_logo(client, institution, inst_admin):
    pdf = attachment_create(
        owner=institution,
        file=upload("logo.pdf", PDF_BYTES, "application/pdf"),
        kinds=[AttachmentKind.PDF],
        purpose="logo",
        by=inst_admin,
    )
    assert pdf.content_type == ContentType.objects.get_for_model(institution)
    type(institution).objects.filter(pk=institution.pk).update(logo=pdf)
    assert client.get(logo_url(institution)).status_code == 404


def test_a_missing_stored_file_is_a_404(client, with_logo):
    with_logo.logo.file.storage.delete(with_logo.logo.file.name)
    assert client.get(logo_url(with_logo)).status_code == 404


def test_only_get_and_head(client, with_logo):
    assert client.head(logo_url(with_logo)).status_code == 200
    assert client.post(logo_url(with_logo)).status_code == 405


# --- what is stored and served ------------------------------------------------------------------------


def test_the_served_logo_is_re_encoded_without_the_uploaders_metadata_or_appended_data(
    client, institution, inst_admin
):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "内部备注：勿外传")
    buffer = io.BytesIO()
    Image.new("RGB", (24, 12), (20, 90, 170)).save(buffer, format="PNG", pnginfo=info)
    uploaded = buffer.getvalue() + b"<html><script>alert(1)</script></html>"
    profile_update(
        institution=institution, by=inst_admin, data=PROFILE, logo=upload("标志.png", uploaded, "image/png")
    )
    served = b"".join(client.get(logo_url(institution)).streaming_content)
    assert pixels(served) == pixels(uploaded)
    assert "勿外传".encode() not in served and b"<script>" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert image.format == "PNG" and not image.text


def test_a_logo_of_400_megapixels_is_a_form_error_and_nothing_is_stored(client_for, institution):
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    data = {
        "is_high_tech": "False",
        "legal_person_type": "enterprise",
        "unit_type": "third_party",
        "supervising_department": "01",
        "ownership": "private",
        "is_listed": "False",
        "investor_type": "private",
        "fields": ["00"],
        "business_scope": "<p>食品检验</p>",
        "logo": upload("巨幅标志.png", buffer.getvalue(), "image/png"),
    }
    response = client_for("inst_admin").post(reverse("institutions:profile_edit"), data)
    assert response.status_code == 200
    (message,) = response.context["form"].errors["logo"]
    assert "20000×20000" in message and "上限" in message
    institution.refresh_from_db()
    assert institution.logo_id is None
