"""Module 04 in the workspace: who reaches it, the forms of each application through their views (drafts,
submission, refusals that keep what was typed), the center page with its progress and next actions, the
lists and their query counts, the files."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from centers import services
from centers.choices import AcceptanceStatus, CenterStatus, TaskBookKind, TwoStepStatus
from centers.models import Center, ConstructionApplication, ProgressReport, TaskBook
from sujt.core.choices import ReviewStatus
from sujt.core.workflow import Side, transition
from tests.centers.factories import (
    acceptance_submitted,
    building_center,
    construction_submitted,
    pdf,
    task_book_approved,
)
from tests.core.samples import png_bytes, upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LIST = reverse("centers:center_list")


@pytest.fixture
def enabled(institution):
    institution.centers_enabled = True
    institution.save()
    return institution


@pytest.fixture
def center(enabled, inst_admin, city_regulator, province_regulator):
    return building_center(enabled, inst_admin, city_regulator, province_regulator)


@pytest.fixture
def planned(center, inst_admin, city_regulator):
    task_book_approved(center, inst_admin, city_regulator)
    return center


def construction_post(**overrides):
    data = {
        "name": "江苏省演示检验中心",
        "level": "provincial",
        "kind": "quality",
        "industry": "轻工",
        "product_scope": "食品接触材料",
        "content_and_goals": "建成检测能力。",
        "planned_investment": "800",
        "funding_source": "自筹",
        "construction_months": "18",
        "staffing_plan": "新增 10 人。",
        "equipment-TOTAL_FORMS": "3",
        "equipment-INITIAL_FORMS": "0",
        "equipment-MIN_NUM_FORMS": "0",
        "equipment-MAX_NUM_FORMS": "50",
        "equipment-0-name": "色谱仪",
        "equipment-0-specification": "GC-1",
        "equipment-0-unit_price": "50.5",
        "equipment-0-quantity": "2",
    }
    data.update(overrides)
    return data


# --- Who reaches the module ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 404), ("inst_admin", 200)],
)
def test_the_module_is_for_members_with_the_permission(client_for, enabled, other_institution, who, expected):
    other_institution.centers_enabled = True
    other_institution.save()
    # Another institution's admin sees their own (empty) list: nothing of this institution's.
    assert client_for(who).get(LIST).status_code == (200 if who == "other_inst_admin" else expected)


def test_an_institution_not_enabled_has_no_module(client_for, institution, inst_admin):
    assert client_for("inst_admin").get(LIST).status_code == 404
    assert client_for("inst_admin").get(reverse("centers:construction_create")).status_code == 404
    dashboard = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    assert 'href="/centers/"' not in dashboard
    institution.centers_enabled = True
    institution.save()
    dashboard = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    assert 'href="/centers/"' in dashboard


def test_another_institutions_center_and_application_are_404(
    client_for, center, other_inst_admin, other_institution
):
    other_institution.centers_enabled = True
    other_institution.save()
    client = client_for("other_inst_admin")
    assert client.get(center.get_absolute_url()).status_code == 404
    application = ConstructionApplication.objects.get(center=center)
    assert client.get(application.get_absolute_url()).status_code == 404
    assert client.post(reverse("centers:construction_withdraw", args=[application.pk])).status_code == 404
    file = services.FEASIBILITY_RULE.purpose
    attachment = (
        application.pk
        and __import__("sujt.core.attachments", fromlist=["x"])
        .attachments_of(application, purpose=file)
        .get()
    )
    assert client.get(reverse("centers:file", args=[attachment.pk])).status_code == 404
    assert client_for("inst_admin").get(reverse("centers:file", args=[attachment.pk])).status_code == 200


# --- 筹建申请 ------------------------------------------------------------------------------------------


def test_a_draft_then_a_submission_through_the_form(client_for, enabled, inst_admin):
    client = client_for("inst_admin")
    response = client.post(reverse("centers:construction_create"), construction_post(action="save"))
    application = ConstructionApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.status == TwoStepStatus.DRAFT and application.equipment.count() == 1
    page = client.get(application.get_absolute_url()).content.decode()
    assert "草稿" in page and "101" in page  # 50.5 × 2
    response = client.post(
        reverse("centers:construction_edit", args=[application.pk]),
        construction_post(action="submit", feasibility=pdf("可研报告.pdf")),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == TwoStepStatus.CITY_REVIEW
    assert application.center.status == CenterStatus.APPLYING
    assert "待市局审核" in client.get(application.get_absolute_url()).content.decode()


def test_submitting_without_the_report_keeps_everything_typed(client_for, enabled):
    response = client_for("inst_admin").post(
        reverse("centers:construction_create"), construction_post(action="submit")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请上传可行性研究报告。" in html and 'value="色谱仪"' in html and "江苏省演示检验中心" in html
    assert not ConstructionApplication.objects.exists()


def test_a_half_filled_equipment_row_and_a_bad_number_are_named(client_for, enabled):
    response = client_for("inst_admin").post(
        reverse("centers:construction_create"),
        construction_post(**{"equipment-0-quantity": "", "planned_investment": "很多", "action": "save"}),
    )
    html = response.content.decode()
    assert response.status_code == 400 and "请填写数量。" in html and "请填写数字。" in html
    assert not ConstructionApplication.objects.exists()


def test_a_file_that_is_not_what_it_claims_is_refused(client_for, enabled):
    fake = upload("可研报告.pdf", png_bytes(), "application/pdf")
    response = client_for("inst_admin").post(
        reverse("centers:construction_create"), construction_post(action="submit", feasibility=fake)
    )
    assert response.status_code == 400 and "不是有效的PDF" in response.content.decode()
    assert not ConstructionApplication.objects.exists()


def test_withdrawing_from_the_detail_page_revokes_the_center(client_for, enabled, inst_admin):
    application = construction_submitted(enabled, inst_admin)
    response = client_for("inst_admin").post(reverse("centers:construction_withdraw", args=[application.pk]))
    assert response.status_code == 302
    assert Center.objects.get().status == CenterStatus.REVOKED


# --- The center page ------------------------------------------------------------------------------------


def test_the_center_page_shows_the_clock_and_what_to_do_next(client_for, center):
    html = client_for("inst_admin").get(center.get_absolute_url()).content.decode()
    assert center.approval_number in html and "任务书提交期限" in html and "还剩" in html
    assert reverse("centers:taskbook_create", args=[center.pk]) in html
    assert reverse("centers:acceptance_create", args=[center.pk]) not in html


def test_approved_progress_shows_as_bars_with_the_pending_figures(
    client_for, planned, inst_admin, city_regulator
):
    first = planned.task_book.indicators.get(number=1)
    report = services.progress_save(
        center=planned,
        by=inst_admin,
        narrative="进展",
        entries=[{"indicator_id": first.pk, "actual_value": Decimal(60), "percent": None}],
        submit=True,
    )
    html = client_for("inst_admin").get(planned.get_absolute_url()).content.decode()
    assert "待审核：50%" in html
    transition(obj=report, name="approve", by=city_regulator, side=Side.CITY)
    html = client_for("inst_admin").get(planned.get_absolute_url()).content.decode()
    assert "<svg" in html and "新增检测能力：50%" in html and "总体 25%" in html
    for name in ("progress_create", "taskbook_change", "acceptance_create"):
        assert reverse(f"centers:{name}", args=[planned.pk]) in html


@pytest.mark.parametrize("count", [2, 4])
def test_the_list_queries_do_not_grow_with_centers(
    client_for, enabled, inst_admin, city_regulator, province_regulator, count, django_assert_max_num_queries
):
    for n in range(count):
        center = building_center(enabled, inst_admin, city_regulator, province_regulator, name=f"中心{n}")
        task_book_approved(center, inst_admin, city_regulator)
    client = client_for("inst_admin")
    with django_assert_max_num_queries(14):
        html = client.get(LIST).content.decode()
    assert html.count("筹建中</span>") >= count


def test_the_list_exports_with_the_clock_and_progress(client_for, planned):
    response = client_for("inst_admin").get(reverse("centers:center_export"))
    rows = list(
        load_workbook(
            io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
        ).active.iter_rows(values_only=True)
    )
    header = rows[0]
    assert {"中心名称", "状态", "筹建及验收期限", "剩余时间", "指标完成度"} <= set(header)
    row = dict(zip(header, rows[1], strict=False))
    assert row["中心名称"] == planned.name and row["状态"] == "筹建中" and row["指标完成度"] == "0%"


def test_the_applications_page_lists_every_kind(client_for, planned, inst_admin):
    acceptance_submitted(planned, inst_admin)
    html = client_for("inst_admin").get(reverse("centers:application_list")).content.decode()
    assert "筹建申请" in html and "任务书与变更" in html and "验收申请" in html
    html = (
        client_for("inst_admin")
        .get(reverse("centers:application_list"), {"kind": "acceptance"})
        .content.decode()
    )
    assert "待市局审核" in html and "任务书与变更 第" not in html


# --- 任务书 and its change --------------------------------------------------------------------------------


def indicator_post(rows, **extra):
    data = {
        "indicators-TOTAL_FORMS": str(len(rows)),
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"indicators-{index}-{key}"] = value
    data.update(extra)
    return data


def test_the_first_task_book_through_the_form(client_for, center):
    due = (center.construction_due_on - datetime.timedelta(days=10)).isoformat()
    rows = [{"name": "新增参数", "target_value": "100", "unit": "项", "due_on": due}, {}]
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_create", args=[center.pk]), indicator_post(rows, action="submit")
    )
    task_book = TaskBook.objects.get()
    assert response.status_code == 302 and task_book.status == ReviewStatus.SUBMITTED
    assert [i.name for i in task_book.indicators.all()] == ["新增参数"]
    again = client_for("inst_admin").get(reverse("centers:taskbook_create", args=[center.pk]))
    assert again.status_code == 302 and again["Location"] == center.get_absolute_url()


def test_a_late_indicator_comes_back_with_the_table(client_for, center):
    late = (center.construction_due_on + datetime.timedelta(days=1)).isoformat()
    rows = [{"name": "新增参数", "target_value": "100", "unit": "项", "due_on": late}]
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_create", args=[center.pk]), indicator_post(rows, action="submit")
    )
    assert response.status_code == 400 and "晚于筹建及验收期限" in response.content.decode()
    assert not TaskBook.objects.exists()


def test_a_change_starts_from_v1_and_v1_stays_readable(client_for, planned, inst_admin, city_regulator):
    client = client_for("inst_admin")
    form = client.get(reverse("centers:taskbook_change", args=[planned.pk])).content.decode()
    assert "新增检测能力" in form and 'name="indicators-0-number" value="1"' in form
    v1 = planned.task_book
    rows = [
        {
            "number": i.number,
            "name": i.name,
            "target_value": str(i.target_value + 10),
            "unit": i.unit,
            "due_on": i.due_on.isoformat(),
        }
        for i in v1.indicators.all()
    ]
    response = client.post(
        reverse("centers:taskbook_change", args=[planned.pk]),
        indicator_post(rows, reason="新增项目。", construction_due_on="", action="submit"),
    )
    change = TaskBook.objects.get(kind=TaskBookKind.CHANGE)
    assert response.status_code == 302 and change.status == ReviewStatus.SUBMITTED
    html = client.get(change.get_absolute_url()).content.decode()
    assert "修改" in html and "与第 1 版比较" in html
    services.taskbook_approve(task_book=change, by=city_regulator, side=Side.CITY)
    html = client.get(v1.get_absolute_url()).content.decode()
    assert "第 1 版" in html and "第 2 版" in html and "120" in html


def test_a_change_without_a_reason_is_refused_in_place(client_for, planned):
    rows = [{"number": 1, "name": "x", "target_value": "1", "unit": "项", "due_on": TODAY.isoformat()}]
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_change", args=[planned.pk]),
        indicator_post(rows, reason="", action="submit"),
    )
    assert response.status_code == 400 and "请填写变更理由。" in response.content.decode()


# --- Progress and acceptance -------------------------------------------------------------------------------


def figure_post(prefix, rows, **extra):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    data.update(extra)
    return data


def test_a_progress_report_through_the_form(client_for, planned):
    first, second = planned.task_book.indicators.all()
    rows = [{"indicator_id": first.pk, "actual_value": "30"}, {"indicator_id": second.pk}]
    response = client_for("inst_admin").post(
        reverse("centers:progress_create", args=[planned.pk]),
        figure_post("entries", rows, narrative="设备到货。", files=pdf("进展.pdf"), action="submit"),
    )
    report = ProgressReport.objects.get()
    assert response.status_code == 302 and report.status == ReviewStatus.SUBMITTED
    assert [(e.indicator_id, e.percent) for e in report.entries.all()] == [(first.pk, 25)]
    html = client_for("inst_admin").get(report.get_absolute_url()).content.decode()
    assert "25%" in html and "进展.pdf" in html


def test_progress_needs_one_figure(client_for, planned):
    first, second = planned.task_book.indicators.all()
    rows = [{"indicator_id": first.pk}, {"indicator_id": second.pk}]
    response = client_for("inst_admin").post(
        reverse("centers:progress_create", args=[planned.pk]),
        figure_post("entries", rows, narrative="无", action="submit"),
    )
    assert response.status_code == 400 and "至少填写一项" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_no_progress_before_a_task_book_redirects_with_the_reason(client_for, center):
    response = client_for("inst_admin").get(reverse("centers:progress_create", args=[center.pk]), follow=True)
    assert "任务书审核通过后才能上报筹建进展。" in response.content.decode()


def test_an_acceptance_application_through_the_form(client_for, planned):
    rows = [
        {"indicator_id": i.pk, "achieved_value": str(i.target_value), "met": "1", "remark": "完成"}
        for i in planned.task_book.indicators.all()
    ]
    response = client_for("inst_admin").post(
        reverse("centers:acceptance_create", args=[planned.pk]),
        figure_post("evaluations", rows, summary="已完成。", files=pdf("验收.pdf"), action="submit"),
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == CenterStatus.ACCEPTANCE
    application = planned.acceptance_applications.get()
    assert application.status == AcceptanceStatus.CITY_REVIEW
    html = client_for("inst_admin").get(application.get_absolute_url()).content.decode()
    assert "达标" in html and "撤回" in html


@pytest.mark.parametrize("reports", [1, 3])
def test_the_center_page_queries_do_not_grow_with_its_history(
    client_for, planned, inst_admin, city_regulator, reports, django_assert_max_num_queries
):
    indicator = planned.task_book.indicators.first()
    for n in range(reports):
        report = services.progress_save(
            center=planned,
            by=inst_admin,
            narrative=f"第 {n} 次进展",
            entries=[{"indicator_id": indicator.pk, "actual_value": Decimal(10 * (n + 1)), "percent": None}],
            submit=True,
        )
        transition(obj=report, name="approve", by=city_regulator, side=Side.CITY)
    client = client_for("inst_admin")
    client.get(planned.get_absolute_url())
    # Session and membership (5), the center, the progress (2), the next actions' refusals (4), the five
    # kinds of application (5), the state log, the menu: 20 whatever the history.
    with django_assert_max_num_queries(20):
        html = client.get(planned.get_absolute_url()).content.decode()
    assert html.count("筹建进展报告</a>") == reports
