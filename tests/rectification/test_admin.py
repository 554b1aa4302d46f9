"""03 机构整改 for regulators in admin: inspections with findings and penalties, issuing orders, deciding
answers with a comment per finding, disclosure, exports; every list limited to the jurisdiction."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rectification import services
from rectification.choices import OrderStatus, RoundDecision
from rectification.events import FINDING_RECORDED, ORDER_ISSUED, PENALTY_RECORDED
from rectification.models import Inspection, RectificationOrder
from sujt.core.events import DISCLOSURE_REQUESTED
from sujt.core.models import DomainEvent
from tests.factories import InstitutionFactory

TODAY = timezone.localdate()
INSPECTIONS = reverse("admin:rectification_inspection_changelist")
ORDERS = reverse("admin:rectification_rectificationorder_changelist")


def inspection_for(institution, regulator, *, findings=2):
    return services.inspection_record(
        institution=institution,
        kind="special",
        inspected_on=TODAY - datetime.timedelta(days=4),
        inspectors="检查员甲、检查员乙",
        by=regulator,
        findings=[
            {"category": "equipment", "severity": "general", "description": f"设备问题{n}。"}
            for n in range(findings)
        ],
    )


def order_for(institution, regulator, member=None, *, submitted=False):
    inspection = inspection_for(institution, regulator)
    order = services.order_issue(inspection=inspection, findings=inspection.findings.all(), by=regulator)
    if submitted:
        services.answer_save(
            order=order, by=member, measures={f.pk: "已整改。" for f in order.findings.all()}, submit=True
        )
    return order


def inline_management(prefix: str, total: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def add_data(institution, **extra) -> dict:
    return {
        "institution": institution.pk,
        "kind": "random",
        "inspected_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "inspectors": "检查员丙",
        "summary": "",
        **inline_management("findings", 2),
        "findings-0-category": "equipment",
        "findings-0-severity": "general",
        "findings-0-description": "天平未检定。",
        "findings-1-category": "report_untrue",
        "findings-1-severity": "serious",
        "findings-1-description": "报告数据与原始记录不符。",
        **inline_management("penalties", 1),
        "penalties-0-kind": "fine",
        "penalties-0-amount": "20000",
        "penalties-0-decision_number": "宁市监罚〔2026〕12号",
        "penalties-0-decided_on": TODAY.isoformat(),
        **extra,
    }


def test_recording_an_inspection_with_findings_and_penalties_records_each_event_once(
    client_for, institution, city_regulator
):
    client = client_for("city_regulator")
    response = client.post(reverse("admin:rectification_inspection_add"), add_data(institution))
    assert response.status_code == 302, response.content.decode()[:2000]
    inspection = Inspection.objects.get()
    assert inspection.recorded_by == city_regulator
    assert DomainEvent.objects.filter(kind=FINDING_RECORDED).count() == 2
    assert DomainEvent.objects.filter(kind=PENALTY_RECORDED).count() == 1
    # Saving again (no change) records nothing more.
    change = reverse("admin:rectification_inspection_change", args=[inspection.pk])
    page = client.get(change)
    assert page.status_code == 200 and "下达整改通知" in page.content.decode()
    services.inspection_events_record(inspection=inspection)
    assert DomainEvent.objects.filter(kind__in=[FINDING_RECORDED, PENALTY_RECORDED]).count() == 3


def test_a_fine_without_amount_is_a_field_error(client_for, institution):
    data = add_data(institution, **{"penalties-0-amount": ""})
    response = client_for("city_regulator").post(reverse("admin:rectification_inspection_add"), data)
    assert response.status_code == 200 and "罚款须填写金额。" in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_city_regulator_cannot_record_an_inspection_of_another_city(client_for, other_institution):
    response = client_for("city_regulator").post(
        reverse("admin:rectification_inspection_add"), add_data(other_institution)
    )
    assert response.status_code == 200 and not Inspection.objects.exists()


def test_lists_are_limited_to_the_jurisdiction(
    client_for, institution, other_institution, city_regulator, other_city_regulator
):
    order_for(institution, city_regulator)
    order_for(other_institution, other_city_regulator)
    for url in (INSPECTIONS, ORDERS):
        html = client_for("city_regulator").get(url).content.decode()
        assert institution.name in html and other_institution.name not in html
        html = client_for("province_regulator").get(url).content.decode()
        assert institution.name in html and other_institution.name in html
    other = RectificationOrder.objects.get(institution=other_institution)
    change = reverse("admin:rectification_rectificationorder_change", args=[other.pk])
    assert client_for("city_regulator").get(change).status_code == 302  # admin's "does not exist"


def test_issuing_an_order_from_the_inspection_page(client_for, institution, city_regulator, inst_admin):
    inspection = inspection_for(institution, city_regulator)
    url = reverse("admin:rectification_inspection_issue_order", args=[inspection.pk])
    client = client_for("city_regulator")
    page = client.get(url).content.decode()
    assert "下达整改通知" in page and "设备问题0。" in page
    first = inspection.findings.order_by("pk").first()
    due = TODAY + datetime.timedelta(days=20)
    response = client.post(
        url, {"findings": [first.pk], "due_on": due.isoformat(), "requirement": "限期送检。"}
    )
    order = RectificationOrder.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{order.pk}/change/")
    assert list(order.findings.all()) == [first] and order.due_on == due and order.issued_by == city_regulator
    assert DomainEvent.objects.filter(kind=ORDER_ISSUED).count() == 1
    refused = client.post(url, {"findings": [], "due_on": TODAY.isoformat()})
    assert refused.status_code == 200 and "请至少选择一项需要整改的问题。" in refused.content.decode()


def test_the_order_page_returns_with_a_comment_per_finding_then_accepts(
    client_for, institution, city_regulator, inst_admin
):
    order = order_for(institution, city_regulator, inst_admin, submitted=True)
    first, second = order.findings.order_by("pk")
    url = reverse("admin:rectification_rectificationorder_change", args=[order.pk])
    client = client_for("city_regulator")
    html = client.get(url).content.decode()
    assert "逐项意见" in html and "已整改。" in html and "第 1 次答复" in html
    refused = client.post(url, {"review_transition": "return", "review-comment": ""})
    assert refused.status_code == 200 and "请填写审核意见" in refused.content.decode()
    response = client.post(
        url,
        {
            "review_transition": "return",
            "review-comment": "材料不全。",
            f"review-item-{second.pk}": "缺少检定证书。",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    answer = order.rounds.get()
    assert order.status == OrderStatus.RETURNED and answer.decision == RoundDecision.RETURNED
    assert answer.measures.get(finding=second).regulator_comment == "缺少检定证书。"
    assert answer.measures.get(finding=first).regulator_comment == ""
    services.answer_save(order=order, by=inst_admin, measures={}, submit=True)
    response = client.post(url, {"review_transition": "accept", "review-comment": ""})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (
        order.status == OrderStatus.ACCEPTED and order.rounds.get(number=2).decision == RoundDecision.ACCEPTED
    )


def test_orders_are_not_added_in_admin(client_for):
    assert client_for("city_regulator").get(
        reverse("admin:rectification_rectificationorder_add")
    ).status_code in (
        403,
        404,
    )


def test_disclosing_an_inspection_records_one_event_without_persons_numbers(
    client_for, institution, city_regulator
):
    inspection = inspection_for(institution, city_regulator)
    url = reverse("admin:rectification_inspection_disclose", args=[inspection.pk])
    client = client_for("city_regulator")
    assert "公开到门户" in client.get(url).content.decode()
    response = client.post(url, {"title": "检查结果", "note": "举报人电话 13912345678。"})
    assert response.status_code == 302
    event = DomainEvent.objects.get(kind=DISCLOSURE_REQUESTED)
    assert "13912345678" not in str(event.payload) and "检查员甲" not in str(event.payload)
    inspection.refresh_from_db()
    assert inspection.disclosed_at is not None


def test_another_citys_inspection_cannot_be_disclosed_or_ordered(
    client_for, other_institution, other_city_regulator
):
    inspection = inspection_for(other_institution, other_city_regulator)
    client = client_for("city_regulator")
    for name in ("disclose", "issue_order"):
        assert (
            client.get(reverse(f"admin:rectification_inspection_{name}", args=[inspection.pk])).status_code
            == 404
        )


def _sheet(response) -> list[tuple]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def test_the_exports_hold_findings_status_and_days_overdue(
    client_for, institution, city_regulator, inst_admin
):
    order = order_for(institution, city_regulator)
    RectificationOrder.objects.filter(pk=order.pk).update(due_on=TODAY - datetime.timedelta(days=5))
    client = client_for("city_regulator")
    rows = _sheet(client.get(ORDERS + "export-xlsx/"))
    header, row = rows[0], rows[1]
    assert row[header.index("逾期天数")] == 5 and row[header.index("状态")] == "待整改"
    assert "设备问题0。" in row[header.index("需整改的问题")]
    # The inspections' export has one line per finding.
    rows = _sheet(client.get(INSPECTIONS + "export-xlsx/"))
    header, lines = rows[0], rows[1:]
    assert [line[header.index("问题描述")] for line in lines] == ["设备问题0。", "设备问题1。"]
    assert {line[header.index("已下达整改")] for line in lines} == {"是"}
    assert {line[header.index("所在城市")] for line in lines} == {"南京市"}


@pytest.mark.parametrize("url", [INSPECTIONS, ORDERS])
def test_list_queries_do_not_grow_with_rows(client_for, institution, city_regulator, url):
    client = client_for("city_regulator")
    order_for(institution, city_regulator)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(4):
        order_for(InstitutionFactory(region_code="320104"), city_regulator)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
