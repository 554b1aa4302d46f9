"""05 信用管理 in admin: the point table and the policy are the province's to change, the ledger and the
scores are scoped to the regulator's region, and a manual entry needs a reason and an institution of
the regulator's own region."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from credit.choices import EventSource
from credit.models import CreditEvent, CreditItem, CreditPolicy, CreditScore
from credit.services import event_record, scores_recalculate
from tests.factories import CertificateFactory, make_cma_number

ITEMS = reverse("admin:credit_credititem_changelist")
EVENTS = reverse("admin:credit_creditevent_changelist")
ADD_EVENT = reverse("admin:credit_creditevent_add")
SCORES = reverse("admin:credit_creditscore_changelist")
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def ledgers(institution, other_institution):
    for owner in (institution, other_institution):
        CertificateFactory(institution=owner, number=make_cma_number(authority="10"))
        event_record(
            institution_id=owner.pk,
            item_code="K02",
            occurred_on=YESTERDAY,
            source=EventSource.MANUAL,
            source_key=f"test:{owner.pk}",
        )
    scores_recalculate()
    return institution, other_institution


def item_form(item: CreditItem, **changes) -> dict:
    data = {
        "name": item.name,
        "points": str(item.points),
        "months_valid": item.months_valid,
        "yearly_cap": item.yearly_cap or "",
        "dimension": item.dimension,
        "description": item.description,
        "active": "on",
        **changes,
    }
    if item.veto:
        data["veto"] = "on"
    return data


def test_only_the_province_changes_an_item(client_for, db):
    item = CreditItem.objects.get(code="K02")
    url = reverse("admin:credit_credititem_change", args=[item.pk])
    city = client_for("city_regulator")
    assert city.get(ITEMS).status_code == 200
    assert city.post(url, item_form(item, points="3")).status_code == 403
    response = client_for("province_regulator").post(url, item_form(item, points="3"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.points == Decimal("3")
    assert item.history.count() >= 1


def test_a_bonus_item_cannot_be_a_veto(client_for, db):
    item = CreditItem.objects.get(code="J02")
    url = reverse("admin:credit_credititem_change", args=[item.pk])
    response = client_for("province_regulator").post(url, item_form(item, veto="on"))
    assert response.status_code == 200
    assert "加分项目不能设为一票否决" in response.content.decode()


def test_only_the_province_changes_the_policy(client_for, db):
    policy = CreditPolicy.current()
    url = reverse("admin:credit_creditpolicy_change", args=[policy.pk])
    data = {
        "base_score": "100",
        "bonus_cap": "8",
        "level_a_min": "90",
        "level_b_min": "75",
        "level_c_min": "60",
    }
    assert client_for("city_regulator").post(url, data).status_code == 403
    assert client_for("province_regulator").post(url, data).status_code == 302
    assert CreditPolicy.current().bonus_cap == Decimal("8")
    bad = {**data, "level_b_min": "95"}
    response = client_for("province_regulator").post(url, bad)
    assert "等级分数线须满足" in response.content.decode()


def test_the_ledger_and_the_scores_are_scoped_to_the_region(client_for, ledgers):
    nanjing, suzhou = ledgers
    city = client_for("city_regulator")
    for url in (EVENTS, SCORES):
        html = city.get(url).content.decode()
        assert nanjing.name in html and suzhou.name not in html
    html = client_for("province_regulator").get(SCORES).content.decode()
    assert nanjing.name in html and suzhou.name in html
    suzhou_event = CreditEvent.objects.get(institution=suzhou)
    assert city.get(reverse("admin:credit_creditevent_change", args=[suzhou_event.pk])).status_code == 302


def test_the_scores_export_to_excel(client_for, ledgers):
    response = client_for("province_regulator").get(
        reverse("admin:credit_creditscore_export_xlsx") + "?level=A"
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("机构名称", "统一社会信用代码", "所在地区", "信用分", "信用等级")
    assert len(rows) == 3 and {row[4] for row in rows[1:]} == {"A"}


def test_a_manual_entry_needs_a_reason_and_an_institution_of_the_region(client_for, ledgers, city_regulator):
    nanjing, suzhou = ledgers
    item = CreditItem.objects.get(code="K06")
    city = client_for("city_regulator")
    data = {"institution": nanjing.pk, "item": item.pk, "occurred_on": YESTERDAY.isoformat(), "reason": ""}
    response = city.post(ADD_EVENT, data)
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    response = city.post(ADD_EVENT, {**data, "institution": suzhou.pk, "reason": "能力验证不满意"})
    assert response.status_code == 200 and not CreditEvent.objects.filter(item=item).exists()
    response = city.post(ADD_EVENT, {**data, "reason": "2026 年度能力验证不满意"})
    assert response.status_code == 302
    event = CreditEvent.objects.get(item=item)
    assert (event.institution, event.recorded_by, event.source) == (
        nanjing,
        city_regulator,
        EventSource.MANUAL,
    )


def test_ledger_entries_are_never_changed_or_deleted_in_admin(client_for, ledgers):
    event = CreditEvent.objects.first()
    client = client_for("province_regulator")
    url = reverse("admin:credit_creditevent_change", args=[event.pk])
    assert client.post(url, {"reason": "改"}).status_code == 403
    assert (
        client.post(reverse("admin:credit_creditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert CreditScore.objects.count() == 2
