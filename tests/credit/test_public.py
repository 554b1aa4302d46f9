"""The credit level on the public side (credit.integrations.public, a facet of the core registry): the
directory filters by it and shows it, its downloads and JSON carry it, the public profile shows it."""

import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from credit.choices import EventSource
from credit.services import event_record, scores_recalculate
from tests.factories import CertificateFactory, InstitutionFactory, make_cma_number

DIRECTORY = reverse("institutions:directory")


@pytest.fixture
def graded(db):
    """甲 with no deduction (A), 乙 with a false report (veto: D), 丙 without a Jiangsu certificate."""
    first = InstitutionFactory(name="甲信用检测所", region_code="320102")
    second = InstitutionFactory(name="乙信用检测所", region_code="320102")
    third = InstitutionFactory(name="丙信用检测所", region_code="320102")
    for institution in (first, second):
        CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    CertificateFactory(institution=third, number=make_cma_number(authority="00"))
    event_record(
        institution_id=second.pk,
        item_code="K08",
        occurred_on=timezone.localdate(),
        source=EventSource.MANUAL,
        source_key="test:veto",
    )
    scores_recalculate()
    return first, second, third


def test_the_directory_filters_by_and_shows_the_level(client, graded):
    html = client.get(DIRECTORY, {"credit_level": "D"}).content.decode()
    assert "乙信用检测所" in html and "甲信用检测所" not in html and "丙信用检测所" not in html
    assert '<span class="badge badge-facet" data-facet="credit_level">信用等级 D 级</span>' in html
    assert '<option value="D" selected>D 级</option>' in html
    everyone = client.get(DIRECTORY, {"credit_level": "Z"}).content.decode()  # unknown: ignored
    assert all(name in everyone for name in ("甲信用检测所", "乙信用检测所", "丙信用检测所"))


def test_the_downloads_and_json_carry_the_level(client, graded):
    data = json.loads(client.get(reverse("institutions:directory_json"), {"credit_level": "A"}).content)
    assert [(row["name"], row["facets"]) for row in data["results"]] == [
        ("甲信用检测所", {"credit_level": "A"})
    ]
    response = client.get(reverse("institutions:directory_export"), {"q": "信用检测所"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    levels = {row[0]: row[rows[0].index("信用等级")] for row in rows[1:]}
    assert levels == {"甲信用检测所": "A 级", "乙信用检测所": "D 级", "丙信用检测所": None}


def test_the_profile_shows_the_level_only_where_credit_applies(client, graded):
    first, _, third = graded
    html = client.get(reverse("institutions:public_detail", args=[first.pk])).content.decode()
    assert '<dt>信用等级</dt><dd data-facet="credit_level">A 级</dd>' in html
    html = client.get(reverse("institutions:public_detail", args=[third.pk])).content.decode()
    assert "信用等级" not in html
