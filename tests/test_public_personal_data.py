"""No personal data on any public page (DESIGN §9): every URL pattern the permission walk
(tests/test_url_permissions.py) classifies as public is fetched anonymously over demo-like data, and no
person's ID-card number or mobile phone appears in what it answers.

Whose numbers: the persons' — member and regulator accounts (User.phone, User.id_card_number), the
institution's contact person (Institution.contact_phone), and the people named in the qualification
data (signatories and personnel, who are also given accounts with phones and ID numbers here). The
institution's own telephone (Institution.phone, 机构电话) is the business contact the institution
publishes itself: it may be shown, even when it is a mobile number. Any other mobile-looking or
ID-card-looking number on a public page fails the test.
"""

import io
import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from institutions.models import Institution
from institutions.search.services import search_index_update
from sujt.accounts.choices import MembershipRole
from tests.factories import (
    ArticleFactory,
    CapabilityFactory,
    CertificateFactory,
    InstitutionFactory,
    MembershipFactory,
    PatentFactory,
    PersonnelFactory,
    RegulatorFactory,
    SignatoryFactory,
    SiteFactory,
    SoftwareCopyrightFactory,
    TrademarkFactory,
    UserFactory,
)
from tests.test_url_permissions import ROUTES, classify

ID_CARD = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# The institution's own business telephone, published by itself (a mobile on purpose, to pin the rule).
INSTITUTION_PHONE = "13800000000"

# How to fill the URL arguments of each public pattern from the demo data. A new public URL with
# arguments must say here how to make them (the test fails otherwise).
URL_ARGUMENTS: dict[str, Callable[[dict], dict]] = {
    "institutions:logo": lambda data: {"pk": data["institution"].pk},
    "institutions:public_detail": lambda data: {"pk": data["institution"].pk},
    "institutions:public_capabilities": lambda data: {"pk": data["institution"].pk},
    "institutions:public_capabilities_export": lambda data: {"pk": data["institution"].pk},
    "verify:certificate": lambda data: {"number": data["certificate"].number},
    "verify:qr": lambda data: {"number": data["certificate"].number},
    "news:article_detail": lambda data: {"pk": data["article"].pk},
    "news:article_cover": lambda data: {"pk": data["article"].pk},
    "news:article_file": lambda data: {"pk": data["article"].pk, "file_pk": 1},
}
# Query strings that make a search page answer with rows of the demo data.
URL_QUERIES: dict[str, dict] = {
    "capabilities:search": {"q": "钢筋"},
    "capabilities:export": {"q": "钢筋"},
    "capabilities:json": {"q": "钢筋"},
    "institutions:directory": {"q": "钢筋"},
    "institutions:directory_json": {"q": "钢筋"},
}
# Files that are not text (a logo, a cover, the manual): fetched, their bytes not searched.
BINARY_TYPES = ("image/", "application/pdf", "application/octet-stream")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Pages that must really answer over the demo data (else the check above reads nothing).
MUST_ANSWER = {
    "portal:home",
    "institutions:directory",
    "institutions:public_detail",
    "institutions:public_capabilities",
    "institutions:public_capabilities_export",
    "institutions:directory_export",
    "institutions:directory_json",
    "capabilities:search",
    "capabilities:export",
    "capabilities:json",
    "news:news_list",
    "news:laws_list",
    "news:notices_list",
    "news:article_detail",
    "news:news_feed",
    "news:laws_feed",
    "news:notices_feed",
}

PUBLIC_ROUTES = [route for route in ROUTES if classify(route) == "public"]


@pytest.fixture
def demo(db) -> dict:
    institution = InstitutionFactory(
        name="金陵精诚检测有限公司",
        phone=INSTITUTION_PHONE,
        address="南京市玄武区示例路1号",
        legal_representative="赵法人",
        contact_person="钱联系",
        contact_phone="13912345678",
        introduction="专业从事食品和水质检测。",
    )
    admin = MembershipFactory(institution=institution, role=MembershipRole.ADMIN).user
    staff = MembershipFactory(institution=institution).user
    regulator = RegulatorFactory().user
    certificate = CertificateFactory(institution=institution)
    site = SiteFactory(institution=institution)
    CapabilityFactory.create_batch(3, certificate=certificate, site=site)
    CapabilityFactory(certificate=certificate, site=site, item="钢筋 屈服强度")
    search_index_update(institution_ids=[institution.pk])
    people = []
    for name in ("孙签字", "李签字"):
        SignatoryFactory(institution=institution, name=name, site=site)
        people.append(UserFactory(name=name))
    for name in ("吴人员", "郑人员"):
        PersonnelFactory(institution=institution, name=name)
        people.append(UserFactory(name=name))
    SoftwareCopyrightFactory(institution=institution)
    PatentFactory(institution=institution, inventors="周发明")
    TrademarkFactory(institution=institution)
    article = ArticleFactory(author=regulator, related_institution=institution)
    ArticleFactory(category="law", author=regulator)
    users = [admin, staff, regulator, *people]
    return {
        "institution": institution,
        "certificate": certificate,
        "article": article,
        "phones": {user.phone for user in users} | {"13912345678"},
        "id_cards": {user.id_card_number for user in users},
    }


def _text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    if content_type.startswith(XLSX):
        data = b"".join(response.streaming_content) if response.streaming else response.content
        sheets = load_workbook(io.BytesIO(data), read_only=True).worksheets
        return "\n".join(
            str(value)
            for sheet in sheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if content_type.startswith(BINARY_TYPES):
        return ""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8", errors="replace")


def test_every_public_url_with_arguments_says_how_to_make_them():
    missing = [route.key for route in PUBLIC_ROUTES if route.params and route.key not in URL_ARGUMENTS]
    assert not missing, f"add to URL_ARGUMENTS: {missing}"


@pytest.mark.parametrize("route", PUBLIC_ROUTES, ids=lambda route: route.key)
def test_no_public_page_shows_a_persons_id_number_or_mobile(client, demo, route):
    kwargs = URL_ARGUMENTS[route.key](demo) if route.params else {}
    response = client.get(reverse(route.key, kwargs=kwargs), URL_QUERIES.get(route.key, {}))
    # A POST-only toggle answers 405, a file the demo does not have 404: nothing to read, nothing shown.
    assert response.status_code < 500, response.status_code
    if route.key in MUST_ANSWER:
        assert response.status_code == 200, response.status_code
    text = _text_of(response)
    id_numbers = [match.group(0) for match in ID_CARD.finditer(text)]
    assert not id_numbers, id_numbers
    mobiles = {match.group(0) for match in MOBILE.finditer(text)} - {INSTITUTION_PHONE}
    assert not mobiles, mobiles
    for secret in demo["phones"] | demo["id_cards"]:
        assert secret not in text, secret


def test_the_demo_pages_really_show_the_institution(client, demo):
    """The walk above is only worth something if the pages it reads show the demo data."""
    institution: Institution = demo["institution"]
    html = client.get(reverse("institutions:public_detail", args=[institution.pk])).content.decode()
    assert institution.name in html and INSTITUTION_PHONE in html and "孙签字" in html
    assert "钱联系" not in html and "赵法人" not in html and "吴人员" not in html and "周发明" not in html
    for key in ("capabilities:search", "capabilities:json", "institutions:directory_json"):
        assert institution.name in client.get(reverse(key), URL_QUERIES[key]).content.decode(), key
    article = client.get(reverse("news:article_detail", args=[demo["article"].pk])).content.decode()
    assert demo["article"].title in article
