"""证书核验 (/verify/): anyone checks a CMA certificate by its number; no login, no personal data."""

import datetime
from unittest import mock

import pytest
import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from institutions.choices import CertificateStatus, InstitutionStatus
from institutions.selectors.verify import (
    certificate_for_verification,
    certificate_verdict,
    normalize_certificate_number,
)
from tests.factories import CertificateFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = "未查到该证书"


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _page(client, number: str):
    return client.get(reverse("verify:certificate", args=[number]))


def _text(response) -> str:
    return response.content.decode()


# --- statuses ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expires_in", "label"),
    [
        (CertificateStatus.VALID, 400, "有效"),
        (CertificateStatus.SUSPENDED, 400, "暂停"),
        (CertificateStatus.REVOKED, 400, "撤销"),
        (CertificateStatus.CANCELLED, 400, "注销"),
        (CertificateStatus.EXPIRED, 400, "已过期"),  # marked 过期 by the nightly job
        (CertificateStatus.VALID, -1, "已过期"),  # past its date, not yet marked
        (CertificateStatus.SUSPENDED, -1, "已过期"),
        (CertificateStatus.REVOKED, -1, "撤销"),  # revoked says more than expired
    ],
)
def test_the_page_says_what_the_certificate_is(client, status, expires_in, label):
    certificate = CertificateFactory(status=status, expires_on=_days(expires_in))
    response = _page(client, certificate.number)
    assert response.status_code == 200
    verdict = _text(response).split('id="verify-verdict"', 1)[1].split("</p>", 1)[0]
    assert f">{label}</span>" in verdict


def test_the_verdict_uses_the_one_expiry_rule():
    certificate = CertificateFactory(expires_on=_days(10))
    assert certificate_verdict(certificate, today=_days(10)).code == "valid"
    assert certificate_verdict(certificate, today=_days(11)).code == "expired"


def test_the_page_shows_the_certificates_public_data_in_the_project_date_format(client):
    certificate = CertificateFactory(
        number="211013010042",
        issued_on=datetime.date(2021, 3, 9),
        expires_on=datetime.date(2027, 3, 8),
        institution=InstitutionFactory(name="示例检测技术有限公司"),
    )
    text = _text(_page(client, certificate.number))
    shown = [
        "211013010042",
        "示例检测技术有限公司",
        "江苏省市场监督管理局",
        "水质",
        "2021-03-09",
        "2027-03-08",
    ]
    assert [value for value in shown if value not in text] == []


def test_the_page_shows_no_personal_data(client):
    institution = InstitutionFactory(
        legal_representative="赵法人",
        contact_person="钱联系",
        contact_phone="13912345678",
        phone="025-84561234",
        email="lab@example.com",
        address="南京市玄武区示例路1号",
    )
    text = _text(_page(client, CertificateFactory(institution=institution).number))
    for private in ("赵法人", "钱联系", "13912345678", "025-84561234", "lab@example.com", "示例路1号"):
        assert private not in text


def test_the_institution_links_to_its_profile_only_when_it_is_public(client):
    public = CertificateFactory(institution=InstitutionFactory(status=InstitutionStatus.SUSPENDED))
    revoked = CertificateFactory(
        institution=InstitutionFactory(status=InstitutionStatus.REVOKED, name="已撤销检测有限公司"),
        status=CertificateStatus.REVOKED,
    )
    withdrawn = CertificateFactory(institution=InstitutionFactory(withdrawn_at=timezone.now()))

    def profile(certificate) -> str:
        return reverse("institutions:public_detail", args=[certificate.institution_id])

    assert profile(public) in _text(_page(client, public.number))
    text = _text(_page(client, revoked.number))
    assert "已撤销检测有限公司" in text and profile(revoked) not in text
    assert profile(withdrawn) not in _text(_page(client, withdrawn.number))


def test_the_page_reads_a_fixed_number_of_queries(client, django_assert_num_queries):
    certificate = CertificateFactory()
    with django_assert_num_queries(1):
        assert _page(client, certificate.number).status_code == 200


# --- not found --------------------------------------------------------------------------------------------


def test_an_unknown_number_is_a_404_that_says_so(client):
    response = _page(client, "241013019999")
    assert response.status_code == 404
    assert NOT_FOUND in _text(response) and "241013019999" in _text(response)


def test_a_certificate_withdrawn_in_the_approval_system_is_not_found(client):
    certificate = CertificateFactory(withdrawn_at=timezone.now())
    assert _page(client, certificate.number).status_code == 404
    assert certificate_for_verification(number=certificate.number) is None


@pytest.mark.parametrize(
    "typed",
    ["12345", "1234567890123", "abcdefghijkl", "２４１０" * 4, "1" * 200, "<script>x", "1.2", "%00"],
)
def test_a_malformed_number_is_a_404_with_a_message_never_a_500(client, typed):
    for response in (_page(client, typed), client.get(reverse("verify:lookup"), {"number": typed})):
        assert response.status_code == 404
        text = _text(response)
        assert NOT_FOUND in text and "12位数字" in text
        assert "<script>x" not in text


def test_a_number_with_spaces_or_hyphens_goes_to_its_page(client):
    certificate = CertificateFactory(number="211013010042")
    canonical = reverse("verify:certificate", args=["211013010042"])
    for typed in ("2110 1301 0042", "21-10-13-01-0042", " 211013010042 ", "２１１０１３０１００４２"):
        response = client.get(reverse("verify:lookup"), {"number": typed})
        assert response.status_code == 302 and response["Location"] == canonical
    response = _page(client, "2110-1301-0042")
    assert response.status_code == 302 and response["Location"] == canonical
    assert certificate.number in _text(client.get(canonical))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("211013010042", "211013010042"),
        ("2110 1301-0042", "211013010042"),
        ("２１１０１３０１００４２", "211013010042"),
        ("", None),
        (None, None),
        ("21101301004", None),
        ("٢١١٠١٣٠١٠٠٤٢", None),  # Arabic-Indic digits are digits to \d, not to a CMA number
        ("1" * 12 + " " * 40, None),
    ],
)
def test_normalize_certificate_number(typed, expected):
    assert normalize_certificate_number(typed) == expected


# --- the form ----------------------------------------------------------------------------------------------


def test_the_form_page_is_open_to_anyone(client):
    response = client.get(reverse("verify:lookup"))
    assert response.status_code == 200
    assert 'name="number"' in _text(response)
    assert 'action="' + reverse("verify:lookup") + '"' in _text(response)


def test_the_form_sends_a_known_or_unknown_number_to_its_page(client):
    response = client.get(reverse("verify:lookup"), {"number": "241013019999"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 404


def test_the_pages_answer_only_safe_methods(client):
    certificate = CertificateFactory()
    assert client.post(reverse("verify:lookup")).status_code == 405
    assert client.post(reverse("verify:certificate", args=[certificate.number])).status_code == 405


# --- the QR code ------------------------------------------------------------------------------------------


def test_the_qr_code_is_a_cacheable_svg_of_the_absolute_verify_url(client):
    certificate = CertificateFactory()
    with mock.patch("institutions.views.verify.segno.make", wraps=segno.make) as make:
        response = client.get(reverse("verify:qr", args=[certificate.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    make.assert_called_once()
    assert make.call_args.args[0] == "http://testserver" + reverse(
        "verify:certificate", args=[certificate.number]
    )
    body = response.content.decode()
    assert body.startswith("<svg") and "viewBox" in body and 500 < len(body) < 20_000


@pytest.mark.parametrize("number", ["241013019999", "abc", "2110-1301-0042"])
def test_the_qr_code_is_only_for_an_existing_certificate(client, number):
    CertificateFactory(number="211013010042")
    assert client.get(reverse("verify:qr", args=[number])).status_code == 404


def test_the_qr_partial_links_the_image_and_the_page():
    certificate = CertificateFactory()
    html = render_to_string("institutions/includes/certificate_qr.html", {"certificate": certificate})
    assert f'src="{reverse("verify:qr", args=[certificate.number])}"' in html
    assert f'alt="证书 {certificate.number} 核验二维码"' in html
    assert f'href="{reverse("verify:certificate", args=[certificate.number])}"' in html
