"""The public logo (institutions:logo): the institution's logo attachment, to anyone, and nothing else."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

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
    assert b"".join(response.streaming_content) == png_bytes((20, 10))
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
