"""03 机构整改 in admin, what a regulator trips over after recording: an inspection's institution and
ordered findings stay put, the issue page says which findings are ordered already, the queue's badges,
penalty disclosure, the per-finding export, and query counts that do not grow with the rows."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rectification import services
from rectification.choices import PenaltyKind
from rectification.models import Finding, RectificationOrder
from sujt.core.events import DISCLOSURE_REQUESTED
from sujt.core.models import DomainEvent
from tests.factories import InstitutionFactory
from tests.rectification.factories import FindingFactory, InspectionFactory, PenaltyFactory

TODAY = timezone.localdate()
INSPECTIONS = reverse("admin:rectification_inspection_changelist")
ORDERS = reverse("admin:rectification_rectificationorder_changelist")


def change_url(inspection) -> str:
    return reverse("admin:rectification_inspection_change", args=[inspection.pk])


def change_data(inspection, *, delete: tuple = (), **extra) -> dict:
    """The inspection's change form as the page posts it, unchanged unless `extra` or `delete` say so."""
    findings = list(inspection.findings.order_by("pk"))
    data = {
        "institution": inspection.institution_id,
        "kind": inspection.kind,
        "inspected_on": inspection.inspected_on.isoformat(),
        "inspectors": inspection.inspectors,
        "summary": inspection.summary,
        "findings-TOTAL_FORMS": str(len(findings)),
        "findings-INITIAL_FORMS": str(len(findings)),
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
        "penalties-TOTAL_FORMS": "0",
        "penalties-INITIAL_FORMS": "0",
        "penalties-MIN_NUM_FORMS": "0",
        "penalties-MAX_NUM_FORMS": "1000",
    }
    for n, finding in enumerate(findings):
        data |= {
            f"findings-{n}-id": finding.pk,
            f"findings-{n}-inspection": inspection.pk,
            f"findings-{n}-category": finding.category,
            f"findings-{n}-severity": finding.severity,
            f"findings-{n}-description": finding.description,
            f"findings-{n}-clause": finding.clause,
        }
        if finding in delete:
            data[f"findings-{n}-DELETE"] = "on"
    return data | extra


@pytest.fixture
def inspection(institution):
    inspection = InspectionFactory(institution=institution)
    FindingFactory.create_batch(2, inspection=inspection)
    return inspection


def test_the_institution_of_a_recorded_inspection_stays(client_for, inspection, city_regulator):
    order = services.order_issue(inspection=inspection, findings=inspection.findings.all(), by=city_regulator)
    neighbour = InstitutionFactory(region_code="320104")
    response = client_for("city_regulator").post(
        change_url(inspection), change_data(inspection, institution=neighbour.pk)
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    order.refresh_from_db()
    assert inspection.institution_id == order.institution_id != neighbour.pk


def test_a_finding_named_in_an_order_cannot_be_deleted(client_for, inspection, city_regulator):
    first, second = inspection.findings.order_by("pk")
    order = services.order_issue(inspection=inspection, findings=[first], by=city_regulator)
    client = client_for("city_regulator")
    refused = client.post(change_url(inspection), change_data(inspection, delete=(first,)))
    assert refused.status_code == 200
    assert "问题「仪器设备」已下达整改通知，不能删除" in refused.content.decode()
    assert list(order.findings.all()) == [first]
    # A finding no order names may go.
    assert client.post(change_url(inspection), change_data(inspection, delete=(second,))).status_code == 302
    assert not Finding.objects.filter(pk=second.pk).exists()


def test_the_inspection_page_lists_its_orders_and_the_issue_page_marks_ordered_findings(
    client_for, inspection, city_regulator
):
    client = client_for("city_regulator")
    assert "尚未下达整改通知" in client.get(change_url(inspection)).content.decode()
    first, second = inspection.findings.order_by("pk")
    order = services.order_issue(inspection=inspection, findings=[first], by=city_regulator)
    page = client.get(change_url(inspection)).content.decode()
    assert reverse("admin:rectification_rectificationorder_change", args=[order.pk]) in page
    issue = client.get(reverse("admin:rectification_inspection_issue_order", args=[inspection.pk]))
    form = issue.context["form"]
    assert form["findings"].initial == [second.pk]
    assert issue.content.decode().count("【已下达整改通知】") == 1


def test_the_queue_shows_state_badges_and_no_link_to_the_institutions_page(
    client_for, inspection, city_regulator, inst_admin
):
    order = services.order_issue(inspection=inspection, findings=inspection.findings.all(), by=city_regulator)
    RectificationOrder.objects.filter(pk=order.pk).update(due_on=TODAY - datetime.timedelta(days=2))
    services.order_mark_overdue(order=order)
    services.answer_save(
        order=order, by=inst_admin, measures={f.pk: "已整改。" for f in order.findings.all()}, submit=True
    )
    client = client_for("city_regulator")
    html = client.get(ORDERS).content.decode()
    assert 'class="review-state review-tone-info">已提交</span>' in html
    assert 'review-tone-danger">逾期整改</span>' in html and "2 天" in html
    change = client.get(reverse("admin:rectification_rectificationorder_change", args=[order.pk]))
    assert order.get_absolute_url() not in change.content.decode()


def test_disclosing_a_penalty_records_one_event_without_personal_numbers(
    client_for, inspection, city_regulator
):
    penalty = PenaltyFactory(
        inspection=inspection,
        kind=PenaltyKind.FINE,
        amount=Decimal("20000"),
        description="授权签字人（身份证号 320102199001011234）签发超范围报告。",
    )
    url = reverse("admin:rectification_inspection_penalty_disclose", args=[inspection.pk, penalty.pk])
    client = client_for("city_regulator")
    assert penalty.decision_number in client.get(url).content.decode()
    response = client.post(url, {"title": "行政处罚信息", "note": "联系电话 13912345678。"})
    assert response.status_code == 302 and response["Location"] == change_url(inspection)
    event = DomainEvent.objects.get(kind=DISCLOSURE_REQUESTED)
    payload = str(event.payload)
    assert "13912345678" not in payload and "320102199001011234" not in payload
    assert "20,000.00 元" in payload
    penalty.refresh_from_db()
    assert penalty.disclosed_at is not None
    assert "公开处罚" in client.get(change_url(inspection)).content.decode()


def test_another_citys_penalty_cannot_be_disclosed(client_for, other_institution):
    penalty = PenaltyFactory(inspection=InspectionFactory(institution=other_institution))
    url = reverse("admin:rectification_inspection_penalty_disclose", args=[penalty.inspection_id, penalty.pk])
    assert client_for("city_regulator").get(url).status_code == 404
    assert client_for("province_regulator").get(url).status_code == 200


def _sheet(response) -> list[tuple]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def test_the_inspection_export_has_a_line_per_finding_and_one_for_an_inspection_without(
    client_for, inspection, institution
):
    PenaltyFactory(inspection=inspection, kind=PenaltyKind.WARNING, decision_number="宁市监罚〔2026〕3号")
    quiet = InspectionFactory(institution=institution, inspected_on=TODAY - datetime.timedelta(days=30))
    rows = _sheet(client_for("city_regulator").get(INSPECTIONS + "export-xlsx/"))
    header, lines = rows[0], rows[1:]
    assert len(lines) == 3
    by_date = {}
    for line in lines:
        by_date.setdefault(line[header.index("检查日期")].date(), []).append(line)
    (empty,) = by_date[quiet.inspected_on]
    assert empty[header.index("问题类别")] is None and empty[header.index("已下达整改")] is None
    findings = by_date[inspection.inspected_on]
    assert {line[header.index("已下达整改")] for line in findings} == {"否"}
    assert {line[header.index("行政处罚")] for line in findings} == {"警告（宁市监罚〔2026〕3号）"}
    assert {line[header.index("严重程度")] for line in findings} == {"一般"}


def make_rows(n: int, regulator) -> None:
    """n inspections in Nanjing, each with two findings, a penalty and an order."""
    for _ in range(n):
        inspection = InspectionFactory(institution=InstitutionFactory(region_code="320104"))
        FindingFactory.create_batch(2, inspection=inspection)
        PenaltyFactory(inspection=inspection)
        services.order_issue(inspection=inspection, findings=inspection.findings.all(), by=regulator)


# Measured, the same for 3 and 6 rows: 15 for the orders (session, user, regulator profile, permissions,
# the sidebar's queue counts — one per queue, six with credit's —, the count and the page, the filters'
# facts), 17 for the inspections (its date hierarchy adds two); the exports 9 and 10 (the rows in one
# query plus their prefetches).
@pytest.mark.parametrize("rows", [3, 6])
@pytest.mark.parametrize(
    ("url", "most"),
    [(INSPECTIONS, 17), (ORDERS, 15), (INSPECTIONS + "export-xlsx/", 10), (ORDERS + "export-xlsx/", 9)],
)
def test_list_and_export_queries_are_pinned(
    client_for, city_regulator, django_assert_max_num_queries, rows, url, most
):
    make_rows(rows, city_regulator)
    client = client_for("city_regulator")
    client.get(url)  # the session and the permission caches warm up like on any later page
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200


PENALTIES = reverse("admin:rectification_penalty_changelist")


def test_the_penalty_list_finds_a_decision_number_in_the_jurisdiction_and_links_its_disclosure(
    client_for, inspection, other_institution
):
    mine = PenaltyFactory(inspection=inspection, decision_number="宁市监罚〔2026〕7号")
    theirs = PenaltyFactory(
        inspection=InspectionFactory(institution=other_institution), decision_number="苏市监罚〔2026〕9号"
    )
    client = client_for("city_regulator")
    html = client.get(PENALTIES).content.decode()
    assert mine.decision_number in html and theirs.decision_number not in html
    disclose = reverse("admin:rectification_inspection_penalty_disclose", args=[inspection.pk, mine.pk])
    assert disclose in html
    found = client.get(PENALTIES, {"q": "〔2026〕7号"})
    assert list(found.context["cl"].result_list) == [mine]
    # Read-only here: penalties are corrected on their inspection's page.
    view = client.get(reverse("admin:rectification_penalty_change", args=[mine.pk]))
    assert view.status_code == 200 and change_url(inspection) in view.content.decode()
    assert client.get(reverse("admin:rectification_penalty_add")).status_code == 403
    other = reverse("admin:rectification_penalty_change", args=[theirs.pk])
    assert client.get(other).status_code == 302  # admin's "does not exist"
    assert theirs.decision_number in client_for("province_regulator").get(PENALTIES).content.decode()
