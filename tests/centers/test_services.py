"""Module 04's services: the center lifecycle from 筹建申请 to acceptance, task-book versions, progress,
the construction clock with a frozen date, and what each step refuses."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from centers import services
from centers.choices import (
    AcceptanceStatus,
    CenterOrigin,
    CenterStatus,
    RegisteredStage,
    TaskBookKind,
    TwoStepStatus,
)
from centers.models import Center, ConstructionApplication, TaskBook
from centers.selectors import indicator_progress, overall_percent, overall_progress_of
from sujt.core.choices import ReviewStatus
from sujt.core.dates import add_months
from sujt.core.deadlines import deadlines_run
from sujt.core.models import Notification
from sujt.core.todos import todos_for
from sujt.core.workflow import InvalidTransition, Side, transition, transitions_of
from tests.centers.factories import (
    acceptance_submitted,
    building_center,
    change_submitted,
    construction_approved,
    construction_data,
    construction_submitted,
    equipment_rows,
    evaluation_rows,
    indicator_rows,
    pdf,
    task_book_approved,
)

TODAY = timezone.localdate()
C = CenterStatus

pytestmark = pytest.mark.django_db


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
    """A center building with task book v1 approved."""
    task_book_approved(center, inst_admin, city_regulator)
    return center


# --- 筹建申请 ------------------------------------------------------------------------------------------


def test_first_submission_creates_the_center_in_application(enabled, inst_admin):
    application = construction_submitted(enabled, inst_admin)
    assert application.status == TwoStepStatus.CITY_REVIEW
    center = application.center
    assert (center.status, center.origin, center.name) == (C.APPLYING, CenterOrigin.APPLIED, application.name)
    assert center.approval_number == "" and center.construction_due_on is None
    assert [row.name for row in application.equipment.all()] == [
        "气相色谱质谱联用仪",
        "电感耦合等离子体质谱仪",
    ]
    assert application.equipment.first().total == Decimal("171.00")


def test_province_approval_builds_the_center_with_its_clock(
    enabled, inst_admin, city_regulator, province_regulator
):
    application = construction_approved(enabled, inst_admin, city_regulator, province_regulator)
    center = application.center
    assert application.status == TwoStepStatus.APPROVED
    assert center.status == C.BUILDING
    assert center.approval_number == f"苏市监中心筹〔{TODAY.year}〕1号"
    assert center.approved_on == TODAY
    assert center.task_book_due_on == add_months(TODAY, 3)
    assert center.construction_due_on == add_months(TODAY, 18)
    steps = [row.action for row in transitions_of(application)]
    assert steps == ["submit", "city_approve", "province_approve"]
    assert [row.action for row in transitions_of(center)] == ["approve"]
    second = building_center(enabled, inst_admin, city_regulator, province_regulator, name="另一中心")
    assert second.approval_number == f"苏市监中心筹〔{TODAY.year}〕2号"


def test_clock_follows_the_settings(settings, enabled, inst_admin, city_regulator, province_regulator):
    settings.CENTER_TASK_BOOK_MONTHS, settings.CENTER_CONSTRUCTION_MONTHS = 2, 24
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    assert (center.task_book_due_on, center.construction_due_on) == (
        add_months(TODAY, 2),
        add_months(TODAY, 24),
    )


def test_a_city_regulator_cannot_take_the_province_step(enabled, inst_admin, city_regulator):
    application = construction_submitted(enabled, inst_admin)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    with pytest.raises(InvalidTransition):
        services.construction_approve(application=application, by=city_regulator, side=Side.CITY)
    application.refresh_from_db()
    assert application.status == TwoStepStatus.PROVINCE_REVIEW
    assert application.center.status == C.APPLYING


def test_two_province_approvals_cannot_both_win(enabled, inst_admin, city_regulator, province_regulator):
    application = construction_submitted(enabled, inst_admin)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    stale = ConstructionApplication.objects.get(pk=application.pk)
    services.construction_approve(application=application, by=province_regulator, side=Side.PROVINCE)
    with pytest.raises(InvalidTransition):
        services.construction_approve(application=stale, by=province_regulator, side=Side.PROVINCE)
    assert Center.objects.get().approval_number.endswith("〕1号")


def test_return_then_resubmit_updates_the_same_center(enabled, inst_admin, city_regulator):
    application = construction_submitted(enabled, inst_admin)
    transition(
        obj=application, name="city_return", by=city_regulator, comment="请补充人员计划。", side=Side.CITY
    )
    services.construction_save(
        institution=enabled,
        by=inst_admin,
        application=application,
        data=construction_data(name="江苏省食品接触材料检验中心"),
        equipment=equipment_rows()[:1],
        submit=True,
    )
    application.refresh_from_db()
    assert application.status == TwoStepStatus.CITY_REVIEW
    assert Center.objects.get().name == "江苏省食品接触材料检验中心"
    assert application.equipment.count() == 1


@pytest.mark.parametrize("ending", ["reject", "withdraw"])
def test_refused_or_withdrawn_application_revokes_its_center_and_frees_the_name(
    ending, enabled, inst_admin, city_regulator, province_regulator
):
    application = construction_submitted(enabled, inst_admin)
    if ending == "reject":
        transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
        with pytest.raises(ValidationError):
            services.construction_reject(application=application, by=province_regulator, side=Side.PROVINCE)
        services.construction_reject(
            application=application, by=province_regulator, comment="建设必要性不足。", side=Side.PROVINCE
        )
    else:
        services.construction_withdraw(application=application, by=inst_admin)
    assert Center.objects.get().status == C.REVOKED
    again = construction_submitted(enabled, inst_admin)
    assert again.center.status == C.APPLYING


def test_submission_needs_the_report_and_equipment_and_keeps_nothing(enabled, inst_admin):
    with pytest.raises(ValidationError) as error:
        services.construction_save(
            institution=enabled, by=inst_admin, data=construction_data(), equipment=[], submit=True
        )
    assert set(error.value.message_dict) == {"equipment", "feasibility"}
    assert not ConstructionApplication.objects.exists() and not Center.objects.exists()


def test_a_live_center_name_cannot_be_applied_for_twice(enabled, inst_admin):
    construction_submitted(enabled, inst_admin)
    with pytest.raises(ValidationError) as error:
        construction_submitted(enabled, inst_admin)
    assert "同名中心" in error.value.message_dict["name"][0]
    assert Center.objects.count() == 1


def test_a_submitted_application_cannot_be_edited(enabled, inst_admin):
    application = construction_submitted(enabled, inst_admin)
    with pytest.raises(InvalidTransition):
        services.construction_save(
            institution=enabled,
            by=inst_admin,
            application=application,
            data=construction_data(),
            equipment=[],
        )


def test_bad_fields_are_refused_by_field(enabled, inst_admin):
    with pytest.raises(ValidationError) as error:
        services.construction_save(
            institution=enabled,
            by=inst_admin,
            data=construction_data(planned_investment=Decimal("0"), construction_months=0),
            equipment=equipment_rows(),
        )
    assert {"planned_investment", "construction_months"} <= set(error.value.message_dict)


# --- 任务书 and its changes ----------------------------------------------------------------------------


def test_task_book_approval_makes_version_one(center, inst_admin, city_regulator):
    task_book = services.taskbook_save(
        center=center, by=inst_admin, indicators=indicator_rows(center), submit=True
    )
    assert task_book.status == ReviewStatus.SUBMITTED and task_book.version is None
    assert services.taskbook_refusal(center, kind=TaskBookKind.INITIAL)
    services.taskbook_approve(task_book=task_book, by=city_regulator, side=Side.CITY)
    center.refresh_from_db()
    assert center.task_book == task_book and task_book.version == 1
    assert [i.number for i in task_book.indicators.all()] == [1, 2]
    assert "变更" in services.taskbook_refusal(center, kind=TaskBookKind.INITIAL)
    assert services.taskbook_refusal(center, kind=TaskBookKind.CHANGE) == ""


def test_saving_a_draft_twice_keeps_the_indicator_numbers(center, inst_admin):
    task_book = services.taskbook_save(center=center, by=inst_admin, indicators=indicator_rows(center))
    services.taskbook_save(
        center=center, by=inst_admin, task_book=task_book, indicators=indicator_rows(center)
    )
    assert [i.number for i in task_book.indicators.all()] == [1, 2]


def test_indicators_due_after_the_construction_deadline_are_refused(center, inst_admin):
    rows = indicator_rows(center)
    rows[0]["due_on"] = center.construction_due_on + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.taskbook_save(center=center, by=inst_admin, indicators=rows, submit=True)
    assert "晚于筹建及验收期限" in error.value.message_dict["indicators"][0]
    assert not TaskBook.objects.exists()


def test_change_approval_makes_a_new_version_and_keeps_the_old(planned, inst_admin, city_regulator):
    version_one = planned.task_book
    targets_before = [i.target_value for i in version_one.indicators.all()]
    later = planned.construction_due_on + datetime.timedelta(days=90)
    change = change_submitted(planned, inst_admin, construction_due_on=later)
    assert change.based_on == version_one and change.kind == TaskBookKind.CHANGE
    services.taskbook_approve(task_book=change, by=city_regulator, side=Side.CITY)
    planned.refresh_from_db()
    assert planned.task_book == change and change.version == 2
    assert planned.construction_due_on == later
    assert [i.number for i in change.indicators.all()] == [1, 2]
    assert [i.target_value for i in version_one.indicators.all()] == targets_before
    assert change.indicators.get(number=1).target_value == targets_before[0] + 30


def test_a_change_needs_a_reason_and_a_difference(planned, inst_admin):
    same = [
        {
            "number": i.number,
            "name": i.name,
            "target_value": i.target_value,
            "unit": i.unit,
            "due_on": i.due_on,
        }
        for i in planned.task_book.indicators.all()
    ]
    with pytest.raises(ValidationError) as error:
        services.taskbook_save(
            center=planned, by=inst_admin, kind=TaskBookKind.CHANGE, indicators=same, submit=True
        )
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.taskbook_save(
            center=planned,
            by=inst_admin,
            kind=TaskBookKind.CHANGE,
            indicators=same,
            reason="调整",
            submit=True,
        )
    assert "相同" in error.value.message_dict["indicators"][0]


def test_new_indicators_of_a_change_take_the_next_numbers(planned, inst_admin, city_regulator):
    rows = [
        {
            "number": i.number,
            "name": i.name,
            "target_value": i.target_value,
            "unit": i.unit,
            "due_on": i.due_on,
        }
        for i in planned.task_book.indicators.all()
    ][1:]
    rows.append({"number": 1, "name": "新增指标", "target_value": Decimal(5), "unit": "项", "due_on": TODAY})
    rows.append({"name": "再增指标", "target_value": Decimal(8), "unit": "项", "due_on": TODAY})
    change = services.taskbook_save(
        center=planned,
        by=inst_admin,
        kind=TaskBookKind.CHANGE,
        indicators=rows,
        reason="调整结构",
        submit=True,
    )
    # Number 1 is kept by the first row naming it; the duplicate and the new row get fresh numbers.
    assert sorted(i.number for i in change.indicators.all()) == [1, 2, 3]


def test_an_approved_change_with_a_later_deadline_ends_overdue(planned, inst_admin, city_regulator):
    Center.objects.filter(pk=planned.pk).update(construction_due_on=TODAY - datetime.timedelta(days=1))
    services.center_mark_overdue(center=planned)
    planned.refresh_from_db()
    assert planned.status == C.OVERDUE and planned.overdue_at
    change = change_submitted(planned, inst_admin, construction_due_on=add_months(TODAY, 24))
    services.taskbook_approve(task_book=change, by=city_regulator, side=Side.CITY)
    planned.refresh_from_db()
    assert planned.status == C.BUILDING


# --- Progress ---------------------------------------------------------------------------------------


def test_progress_share_is_computed_when_left_blank_and_shown_once_approved(
    planned, inst_admin, city_regulator
):
    first, second = planned.task_book.indicators.all()
    report = services.progress_save(
        center=planned,
        by=inst_admin,
        narrative="设备已到货安装。",
        entries=[
            {"indicator_id": first.pk, "actual_value": Decimal(60), "percent": None},
            {"indicator_id": second.pk, "actual_value": Decimal(300), "percent": 30, "note": "分批采购"},
        ],
        files=[pdf("进展.pdf")],
        submit=True,
    )
    assert [e.percent for e in report.entries.order_by("indicator__number")] == [50, 30]
    rows = indicator_progress(planned)
    assert [(r.percent, r.pending_percent) for r in rows] == [(0, 50), (0, 30)]
    transition(obj=report, name="approve", by=city_regulator, side=Side.CITY)
    rows = indicator_progress(planned)
    assert [(r.percent, r.pending_percent) for r in rows] == [(50, None), (30, None)]
    assert overall_percent(rows) == 40
    assert overall_progress_of([planned]) == {planned.pk: 40}


def test_progress_follows_an_indicator_into_the_next_version(planned, inst_admin, city_regulator):
    first = planned.task_book.indicators.get(number=1)
    report = services.progress_save(
        center=planned,
        by=inst_admin,
        narrative="进展",
        entries=[{"indicator_id": first.pk, "actual_value": Decimal(90), "percent": None}],
        submit=True,
    )
    transition(obj=report, name="approve", by=city_regulator, side=Side.CITY)
    change = change_submitted(planned, inst_admin)
    services.taskbook_approve(task_book=change, by=city_regulator, side=Side.CITY)
    planned.refresh_from_db()
    assert [r.percent for r in indicator_progress(planned)] == [75, 0]


def test_progress_against_another_version_is_refused(planned, inst_admin, other_institution):
    stranger = TaskBook.objects.exclude(pk=planned.task_book_id).first()
    assert stranger is None  # only this center's version exists
    with pytest.raises(ValidationError):
        services.progress_save(
            center=planned,
            by=inst_admin,
            narrative="进展",
            entries=[{"indicator_id": 999999, "actual_value": Decimal(1), "percent": None}],
        )


def test_no_progress_before_the_task_book(center, inst_admin):
    assert "任务书" in services.progress_refusal(center)
    with pytest.raises(InvalidTransition):
        services.progress_save(center=center, by=inst_admin, narrative="x", entries=[])


# --- 验收申请 ------------------------------------------------------------------------------------------


def test_acceptance_passes_with_the_grade_of_the_decision(
    planned, inst_admin, city_regulator, province_regulator
):
    application = acceptance_submitted(planned, inst_admin)
    planned.refresh_from_db()
    assert (application.status, planned.status) == (AcceptanceStatus.CITY_REVIEW, C.ACCEPTANCE)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    services.acceptance_pass(application=application, decision="pass_excellent", by=province_regulator)
    planned.refresh_from_db()
    assert application.grade == "excellent" and application.status == AcceptanceStatus.PASSED
    assert (planned.status, planned.acceptance_grade, planned.accepted_on) == (C.RUNNING, "excellent", TODAY)


@pytest.mark.parametrize(("late", "expected"), [(False, C.FAILED), (True, C.OVERDUE)])
def test_a_failed_acceptance_goes_back_to_construction(
    late, expected, planned, inst_admin, city_regulator, province_regulator
):
    application = acceptance_submitted(planned, inst_admin)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    if late:
        Center.objects.filter(pk=planned.pk).update(construction_due_on=TODAY - datetime.timedelta(days=1))
    services.acceptance_fail(
        application=application, by=province_regulator, comment="检测能力未达到任务书要求。"
    )
    planned.refresh_from_db()
    assert planned.status == expected
    assert services.acceptance_refusal(planned) == ""


def test_withdrawing_an_acceptance_resumes_construction(planned, inst_admin):
    application = acceptance_submitted(planned, inst_admin)
    services.acceptance_withdraw(application=application, by=inst_admin)
    planned.refresh_from_db()
    assert planned.status == C.BUILDING


def test_acceptance_needs_every_indicator_and_the_materials(planned, inst_admin):
    with pytest.raises(ValidationError) as error:
        services.acceptance_save(
            center=planned,
            by=inst_admin,
            summary="总结",
            evaluations=evaluation_rows(planned)[:1],
            submit=True,
        )
    assert "每一项指标" in error.value.message_dict["evaluations"][0]
    with pytest.raises(ValidationError) as error:
        services.acceptance_save(
            center=planned, by=inst_admin, summary="总结", evaluations=evaluation_rows(planned), submit=True
        )
    assert "files" in error.value.message_dict
    planned.refresh_from_db()
    assert planned.status == C.BUILDING


def test_no_acceptance_while_a_change_is_under_review(planned, inst_admin):
    change_submitted(planned, inst_admin)
    assert "变更" in services.acceptance_refusal(planned)


# --- The construction clock, on a frozen date ---------------------------------------------------------


def test_reminders_then_overdue_on_their_days_each_once(center, inst_admin, province_regulator, monkeypatch):
    due = center.construction_due_on
    for days in (90, 30, 7):
        report = deadlines_run(today=due - datetime.timedelta(days=days), keys=["centers.construction_due"])
        assert report.reminders("centers.construction_due") == 1
        again = deadlines_run(today=due - datetime.timedelta(days=days), keys=["centers.construction_due"])
        assert again.reminders("centers.construction_due") == 0
    day_after = due + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day_after)
    report = deadlines_run(today=day_after, keys=["centers.construction_due"])
    assert report.overdue("centers.construction_due") == 1
    center.refresh_from_db()
    assert center.status == C.OVERDUE
    titles = list(Notification.objects.filter(recipient=inst_admin).values_list("title", flat=True))
    assert sum("筹建期限提醒" in t for t in titles) == 3 and any("中心筹建超期" in t for t in titles)
    assert Notification.objects.filter(recipient=province_regulator, title__contains="中心筹建超期").exists()
    assert deadlines_run(today=day_after, keys=["centers.construction_due"]).overdue() == 0


def test_a_center_waiting_for_acceptance_is_never_overdue(planned, inst_admin):
    acceptance_submitted(planned, inst_admin)
    day_after = planned.construction_due_on + datetime.timedelta(days=1)
    assert deadlines_run(today=day_after, keys=["centers.construction_due"]).overdue() == 0
    planned.refresh_from_db()
    assert planned.status == C.ACCEPTANCE


def test_task_book_reminders_stop_once_it_is_approved(center, inst_admin, city_regulator):
    due = center.task_book_due_on
    first = deadlines_run(today=due - datetime.timedelta(days=30), keys=["centers.task_book_due"])
    assert first.reminders("centers.task_book_due") == 1
    assert any("提交筹建任务书" in todo.title for todo in todos_for(inst_admin))
    task_book_approved(center, inst_admin, city_regulator)
    later = deadlines_run(today=due - datetime.timedelta(days=7), keys=["centers.task_book_due"])
    assert later.reminders("centers.task_book_due") == 0
    assert not any("提交筹建任务书" in todo.title for todo in todos_for(inst_admin))


def test_to_dos_only_where_the_module_is_enabled(center, inst_admin):
    # The construction to-do starts with its first reminder, 90 days before the deadline.
    assert not any("完成筹建并申请验收" in todo.title for todo in todos_for(inst_admin))
    Center.objects.filter(pk=center.pk).update(construction_due_on=TODAY + datetime.timedelta(days=30))
    assert any("完成筹建并申请验收" in todo.title for todo in todos_for(inst_admin))
    center.institution.centers_enabled = False
    center.institution.save()
    assert not any(todo.module == "04 中心建设" for todo in todos_for(inst_admin))


def test_a_returned_application_is_a_to_do(enabled, inst_admin, city_regulator):
    application = construction_submitted(enabled, inst_admin)
    transition(obj=application, name="city_return", by=city_regulator, comment="请补充。", side=Side.CITY)
    assert any(
        "被退回" in todo.title and todo.url == application.get_absolute_url()
        for todo in todos_for(inst_admin)
    )


# --- Registration and revocation ----------------------------------------------------------------------


def registration_data(**overrides) -> dict:
    data = {
        "name": "江苏省电线电缆产品质量检验中心",
        "level": "provincial",
        "kind": "quality",
        "product_scope": "电线电缆及附件",
        "industry": "机械",
        "approval_number": "苏质监函〔2019〕18号",
        "approved_on": datetime.date(2019, 5, 20),
        "stage": RegisteredStage.RUNNING,
        "construction_due_on": None,
        "accepted_on": datetime.date(2020, 11, 3),
        "acceptance_grade": "good",
    }
    data.update(overrides)
    return data


def test_a_verified_registration_creates_the_running_center(enabled, inst_admin, city_regulator):
    registration = services.registration_save(
        institution=enabled, by=inst_admin, data=registration_data(), documents=[pdf("批文.pdf")], submit=True
    )
    center = services.registration_approve(registration=registration, by=city_regulator, side=Side.CITY)
    assert (center.status, center.origin, center.approval_number) == (
        C.RUNNING,
        CenterOrigin.REGISTERED,
        "苏质监函〔2019〕18号",
    )
    assert (center.accepted_on, center.acceptance_grade) == (datetime.date(2020, 11, 3), "good")


def test_a_registered_center_in_construction_owes_its_task_book(enabled, inst_admin, city_regulator):
    data = registration_data(
        stage=RegisteredStage.BUILDING,
        construction_due_on=TODAY + datetime.timedelta(days=300),
        accepted_on=None,
        acceptance_grade="",
    )
    registration = services.registration_save(
        institution=enabled, by=inst_admin, data=data, documents=[pdf("批文.pdf")], submit=True
    )
    center = services.registration_approve(registration=registration, by=city_regulator, side=Side.CITY)
    assert center.status == C.BUILDING and center.task_book_due_on == add_months(TODAY, 3)


def test_registration_checks_its_stage_and_documents(enabled, inst_admin):
    with pytest.raises(ValidationError) as error:
        services.registration_save(
            institution=enabled, by=inst_admin, data=registration_data(accepted_on=None, acceptance_grade="")
        )
    assert {"accepted_on", "acceptance_grade"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.registration_save(institution=enabled, by=inst_admin, data=registration_data(), submit=True)
    assert "files" in error.value.message_dict


def test_only_the_province_revokes_and_says_why(planned, city_regulator, province_regulator, inst_admin):
    with pytest.raises(InvalidTransition):
        services.center_revoke(center=planned, by=city_regulator, comment="撤销", side=Side.CITY)
    with pytest.raises(ValidationError):
        services.center_revoke(center=planned, by=province_regulator, comment="", side=Side.PROVINCE)
    services.center_revoke(
        center=planned, by=province_regulator, comment="连续两年未开展工作。", side=Side.PROVINCE
    )
    planned.refresh_from_db()
    assert planned.status == C.REVOKED and planned.review_comment == "连续两年未开展工作。"
    assert services.progress_refusal(planned)
