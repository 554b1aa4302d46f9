"""The writes of 07/08 运营数据填报 (reporting.services): a regulator saves a task (a future deadline, an
active template, never once published) and publishes it (one assignment per target, the template's
fields frozen, the members who fill reports told, never twice, never to nobody); the institution saves a
draft, submits, is returned, resubmits and is accepted, explaining any answer that moved more than 50 %
from last period's (pre-filled from it); a regulator reminds the laggards (not those handed in or reminded
within 20 hours, within a rate limit, by SMS too) and excuses an overdue one."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reporting import events, selectors, services
from reporting.choices import AssignmentStatus, TargetKind, TaskStatus
from reporting.models import ReportAssignment, ReportTask, ReportTemplate
from sujt.core import notifications
from sujt.core.models import DomainEvent, Notification, ReviewTransition
from sujt.core.workflow import InvalidTransition, Side
from tests.factories import InstitutionFactory
from tests.reporting.factories import INSTITUTION_ANSWERS, assignment_of, builtin, task_draft, task_published

pytestmark = pytest.mark.django_db

S = AssignmentStatus
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def sms_outbox():
    notifications.sms_outbox.clear()
    yield notifications.sms_outbox
    notifications.sms_outbox.clear()


@pytest.fixture
def task(institution, city_regulator):
    return task_published(city_regulator, criteria={"usccs": [institution.uscc]})


@pytest.fixture
def assignment(task, institution):
    return assignment_of(task, institution)


@pytest.fixture
def filler(institution, inst_staff, grant):
    """A staff member granted fill_reports."""
    grant(inst_staff, institution, "fill_reports")
    return inst_staff


def save(assignment, by, *, submit=False, explanations=None, **changes) -> ReportAssignment:
    return services.assignment_save(
        assignment=assignment,
        by=by,
        values={**INSTITUTION_ANSWERS, **changes},
        explanations=explanations,
        submit=submit,
    )


def handed_in_last_period(institution, by, regulator, **changes) -> ReportAssignment:
    """Last period's report of the same template, submitted (its task due before the current one)."""
    earlier = task_published(
        regulator, criteria={"usccs": [institution.uscc]}, period="2025年度", due_in_days=5
    )
    return save(assignment_of(earlier, institution), by, submit=True, **changes)


def mark_overdue(assignment) -> ReportAssignment:
    services.assignment_mark_overdue(assignment=assignment)
    assignment.refresh_from_db()
    return assignment


# --- Saving a task -------------------------------------------------------------------------------------


def test_a_task_is_saved_with_its_issuer_jurisdiction_and_a_default_title(city_regulator):
    task = task_draft(city_regulator, criteria={"cities": ["320100"]})
    assert task.status == TaskStatus.DRAFT and task.schema == []
    assert (task.region_code, task.created_by) == ("320100", city_regulator)
    assert task.title == "2026年度检验检测机构年度运营情况"
    assert task.criteria == {"cities": ["320100"]}


def test_an_edit_by_another_regulator_keeps_the_jurisdiction_and_creator(city_regulator, province_regulator):
    task = task_draft(city_regulator)
    task.title = "南京市2026年度运营数据"
    services.task_save(task=task, criteria={"fields": ["13"]}, by=province_regulator)
    task.refresh_from_db()
    assert (task.region_code, task.created_by, task.title) == (
        "320100",
        city_regulator,
        "南京市2026年度运营数据",
    )
    assert task.criteria == {"fields": ["13"]}


@pytest.mark.parametrize("due_in_days", [0, -1])
def test_the_due_date_must_be_after_today(city_regulator, due_in_days):
    with pytest.raises(ValidationError) as caught:
        task_draft(city_regulator, due_in_days=due_in_days)
    assert caught.value.message_dict == {"due_on": ["截止日期须晚于今天。"]}
    assert not ReportTask.objects.exists()


def test_tomorrow_is_a_valid_due_date(city_regulator):
    assert task_draft(city_regulator, due_in_days=1).due_on == days(1)


def test_an_inactive_template_cannot_be_used(city_regulator):
    template = builtin()
    template.active = False
    template.save()
    with pytest.raises(ValidationError) as caught:
        task_draft(city_regulator)
    assert caught.value.message_dict == {"template": ["该模板已停用，请选择其他模板。"]}


def test_the_template_must_fit_the_target_kind(city_regulator):
    with pytest.raises(ValidationError) as caught:
        task_draft(city_regulator, kind=TargetKind.CENTER, template=builtin(TargetKind.INSTITUTION))
    assert caught.value.message_dict == {"template": ["该模板适用于检验检测机构，与填报对象不一致。"]}


def test_a_published_task_cannot_be_edited(task, city_regulator):
    task.title = "改过的名称"
    with pytest.raises(InvalidTransition) as caught:
        services.task_save(task=task, criteria={}, by=city_regulator)
    assert str(caught.value) == "该任务已发布，不能再修改。"
    task.refresh_from_db()
    assert task.title != "改过的名称"


# --- Publishing ----------------------------------------------------------------------------------------


def test_publishing_creates_one_assignment_per_target_due_on_the_tasks_date(
    institution, city_regulator, province_regulator
):
    second = InstitutionFactory(region_code="320104")
    InstitutionFactory(region_code="320505")  # Suzhou: outside a Nanjing task
    task = task_draft(city_regulator, criteria={"cities": ["320100"]})
    assert services.task_publish(task=task, by=city_regulator) == 2
    task.refresh_from_db()
    assert task.status == TaskStatus.PUBLISHED and task.is_published
    assert (task.published_by, task.published_at is not None) == (city_regulator, True)
    rows = task.assignments.order_by("institution_id")
    assert [a.institution_id for a in rows] == sorted([institution.pk, second.pk])
    assert {(a.status, a.due_on, a.subject_id) for a in rows} == {(S.PENDING, task.due_on, None)}
    assert all(a.values == {} for a in rows)


def test_publishing_freezes_the_templates_fields(task, institution):
    template = task.template
    frozen = list(task.schema)
    assert [item["key"] for item in frozen] == [f.key for f in template.fields.order_by("position")]
    template.fields.filter(key="revenue").update(label="年度营业收入", required=False)
    template.fields.create(position=999, key="added_later", label="后加字段", field_type="integer")
    task.refresh_from_db()
    assert task.schema == frozen
    revenue = next(item for item in task.schema if item["key"] == "revenue")
    assert (revenue["label"], revenue["required"]) == ("营业收入", True)
    # The assignment is filled against the frozen fields: the later field is not asked for.
    saved = save(assignment_of(task, institution), None, submit=True, added_later=5)
    assert "added_later" not in saved.values


def test_a_draft_task_follows_the_template_until_it_is_published(city_regulator, institution):
    template = ReportTemplate.objects.create(name="季度数据")
    template.fields.create(key="staff", label="人数", field_type="integer")
    task = task_draft(city_regulator, template=template, criteria={"usccs": [institution.uscc]})
    template.fields.create(position=1, key="revenue", label="收入", field_type="money")
    services.task_publish(task=task, by=city_regulator)
    task.refresh_from_db()
    assert [item["key"] for item in task.schema] == ["staff", "revenue"]


def test_publishing_tells_the_members_who_fill_reports(
    institution,
    other_institution,
    inst_admin,
    inst_staff,
    filler,
    other_inst_admin,
    city_regulator,
    province_regulator,
):
    outsider = InstitutionFactory(region_code="320104")
    task = task_draft(province_regulator, criteria={"usccs": [institution.uscc, other_institution.uscc]})
    services.task_publish(task=task, by=province_regulator)
    told = Notification.objects.filter(title=f"运营数据填报任务：{task.title}")
    assert set(told.values_list("recipient_id", flat=True)) == {inst_admin.pk, filler.pk, other_inst_admin.pk}
    message = told.first()
    assert task.due_on.isoformat() in message.body and "技术机构运营数据填报" in message.body
    assert message.url == "/reports/"
    assert not Notification.objects.filter(recipient__memberships__institution=outsider).exists()


def test_a_staff_member_without_the_permission_is_not_told(
    institution, inst_admin, inst_staff, city_regulator
):
    task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assert not Notification.objects.filter(recipient=inst_staff).exists()
    assert Notification.objects.filter(recipient=inst_admin).count() == 1


def test_a_task_is_published_only_once(task, city_regulator):
    with pytest.raises(InvalidTransition) as caught:
        services.task_publish(task=task, by=city_regulator)
    assert str(caught.value) == "该任务已发布，请刷新后查看。"
    assert task.assignments.count() == 1


def test_a_task_with_no_target_is_not_published(city_regulator, institution):
    task = task_draft(city_regulator, criteria={"cities": ["320500"]})  # Suzhou, outside Nanjing
    with pytest.raises(ValidationError) as caught:
        services.task_publish(task=task, by=city_regulator)
    assert caught.value.messages == ["没有符合条件的填报对象，请调整筛选条件。"]
    task.refresh_from_db()
    assert task.status == TaskStatus.DRAFT and not task.assignments.exists() and task.schema == []
    assert not Notification.objects.exists()


def test_a_task_whose_deadline_passed_meanwhile_is_not_published(city_regulator, institution):
    task = task_draft(city_regulator, criteria={"usccs": [institution.uscc]})
    ReportTask.objects.filter(pk=task.pk).update(due_on=TODAY)
    with pytest.raises(ValidationError) as caught:
        services.task_publish(task=task, by=city_regulator)
    assert caught.value.message_dict == {"due_on": ["截止日期须晚于今天，请修改后再发布。"]}
    assert not task.assignments.exists()


def test_a_task_whose_template_was_deactivated_meanwhile_is_not_published(city_regulator, institution):
    task = task_draft(city_regulator, criteria={"usccs": [institution.uscc]})
    ReportTemplate.objects.filter(pk=task.template_id).update(active=False)
    with pytest.raises(ValidationError) as caught:
        services.task_publish(task=task, by=city_regulator)
    assert caught.value.message_dict == {"template": ["该模板已停用，请选择其他模板。"]}
    task.refresh_from_db()
    assert task.status == TaskStatus.DRAFT and not task.assignments.exists()


def test_a_template_without_fields_cannot_be_published(city_regulator, institution):
    empty = ReportTemplate.objects.create(name="空模板")
    task = task_draft(city_regulator, template=empty, criteria={"usccs": [institution.uscc]})
    with pytest.raises(ValidationError) as caught:
        services.task_publish(task=task, by=city_regulator)
    assert caught.value.messages == ["模板至少需要一个字段。"]
    assert not task.assignments.exists()


# --- Filling: draft, submit, return, resubmit, accept -------------------------------------------------


def test_the_whole_round_draft_submit_return_resubmit_accept(assignment, inst_admin, city_regulator):
    draft = services.assignment_save(assignment=assignment, by=inst_admin, values={"revenue": "1200.50"})
    assert draft.status == S.DRAFT and draft.values == {"revenue": "1200.50"} and draft.saved_at
    again = services.assignment_save(
        assignment=draft, by=inst_admin, values={"revenue": "1300", "staff_total": 9}
    )
    assert again.status == S.DRAFT and again.values == {"revenue": "1300", "staff_total": 9}

    submitted = save(again, inst_admin, submit=True)
    assert submitted.status == S.SUBMITTED and submitted.submitted_at is not None
    assert submitted.values["service_fields"] == ["食品", "水质"]
    assert submitted.values["last_review_on"] == "2025-06-18" and submitted.values["specialized"] is True
    assert not submitted.is_editable

    services.assignment_return(assignment=submitted, by=city_regulator, comment="研发经费口径有误，请核实。")
    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED and submitted.is_editable
    assert submitted.review_comment == "研发经费口径有误，请核实。"

    kept = services.assignment_save(
        assignment=submitted, by=inst_admin, values={**INSTITUTION_ANSWERS, "rd_investment": "82"}
    )
    assert kept.status == S.RETURNED and kept.values["rd_investment"] == "82"  # a draft of the correction
    resubmitted = save(kept, inst_admin, submit=True, rd_investment="85")
    assert resubmitted.status == S.SUBMITTED and resubmitted.values["rd_investment"] == "85"

    services.assignment_accept(assignment=resubmitted, by=city_regulator, comment="数据已核实。")
    resubmitted.refresh_from_db()
    assert resubmitted.status == S.ACCEPTED and not resubmitted.is_editable
    actions = list(
        ReviewTransition.objects.filter(object_id=assignment.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["save", "submit", "return", "submit", "accept"]


def test_a_first_submission_without_a_draft_passes_through_draft(assignment, filler):
    submitted = save(assignment, filler, submit=True)
    assert submitted.status == S.SUBMITTED
    assert list(
        ReviewTransition.objects.filter(object_id=assignment.pk)
        .order_by("pk")
        .values_list("from_status", "to_status")
    ) == [(S.PENDING, S.DRAFT), (S.DRAFT, S.SUBMITTED)]


def test_empty_answers_are_not_stored(assignment, inst_admin):
    saved = services.assignment_save(
        assignment=assignment,
        by=inst_admin,
        values={"revenue": None, "remarks": "", "service_fields": [], "staff_total": 0},
    )
    assert saved.values == {"staff_total": 0}


def test_answers_to_questions_the_task_does_not_ask_are_dropped(assignment, inst_admin):
    saved = services.assignment_save(
        assignment=assignment, by=inst_admin, values={"revenue": "1", "secret": "x"}
    )
    assert saved.values == {"revenue": "1"}


def test_a_return_needs_a_comment(assignment, inst_admin, city_regulator):
    save(assignment, inst_admin, submit=True)
    with pytest.raises(ValidationError) as caught:
        services.assignment_return(assignment=assignment, by=city_regulator, comment="  ")
    assert caught.value.messages == ["退回修改时必须填写审核意见。"]
    assignment.refresh_from_db()
    assert assignment.status == S.SUBMITTED


@pytest.mark.parametrize("decide", ["accept", "return"])
def test_only_a_submitted_report_is_decided(assignment, city_regulator, decide):
    with pytest.raises(InvalidTransition):
        if decide == "accept":
            services.assignment_accept(assignment=assignment, by=city_regulator)
        else:
            services.assignment_return(assignment=assignment, by=city_regulator, comment="请修改。")
    assignment.refresh_from_db()
    assert assignment.status == S.PENDING


def test_the_institution_cannot_take_the_regulators_decision(assignment, inst_admin):
    save(assignment, inst_admin, submit=True)
    with pytest.raises(InvalidTransition) as caught:
        services.assignment_accept(assignment=assignment, by=inst_admin, side=Side.INSTITUTION)
    assert "审核通过" in str(caught.value)
    assignment.refresh_from_db()
    assert assignment.status == S.SUBMITTED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.ACCEPTED])
def test_a_handed_in_report_cannot_be_changed(assignment, inst_admin, city_regulator, status):
    save(assignment, inst_admin, submit=True)
    if status == S.ACCEPTED:
        services.assignment_accept(assignment=assignment, by=city_regulator)
    before = ReportAssignment.objects.get(pk=assignment.pk).values
    label = S(status).label
    for submit in (False, True):
        with pytest.raises(InvalidTransition) as caught:
            save(assignment, inst_admin, submit=submit, revenue="1")
        assert str(caught.value) == f"该填报当前状态为「{label}」，不能修改。请刷新后查看。"
    assignment.refresh_from_db()
    assert assignment.status == status and assignment.values == before


def test_a_stale_copy_cannot_overwrite_a_submitted_report(assignment, inst_admin):
    stale = ReportAssignment.objects.get(pk=assignment.pk)
    save(assignment, inst_admin, submit=True)
    with pytest.raises(InvalidTransition):
        services.assignment_save(assignment=stale, by=inst_admin, values={"revenue": "1"})
    assert ReportAssignment.objects.get(pk=assignment.pk).values["revenue"] == "1200.50"


def test_an_overdue_report_may_still_be_filled_and_submitted(assignment, inst_admin):
    overdue = mark_overdue(assignment)
    assert overdue.status == S.OVERDUE and overdue.is_editable
    draft = services.assignment_save(assignment=overdue, by=inst_admin, values={"revenue": "5"})
    assert draft.status == S.OVERDUE and draft.values == {"revenue": "5"}
    late = save(draft, inst_admin, submit=True)
    assert late.status == S.SUBMITTED and late.was_overdue


# --- Last period and the 50 % rule ------------------------------------------------------------------------


def test_last_periods_answers_come_from_the_latest_earlier_handed_in_report(
    institution, inst_admin, city_regulator, province_regulator, other_institution
):
    oldest = task_published(
        city_regulator, criteria={"usccs": [institution.uscc]}, period="2024年度", due_in_days=3
    )
    save(assignment_of(oldest, institution), inst_admin, submit=True, revenue="800")
    latest = handed_in_last_period(institution, inst_admin, city_regulator, revenue="1000")
    # Not last period's: a draft of an earlier task, another institution's report, another template's.
    draft_task = task_published(
        city_regulator, criteria={"usccs": [institution.uscc]}, period="草稿期", due_in_days=7
    )
    services.assignment_save(
        assignment=assignment_of(draft_task, institution), by=inst_admin, values={"revenue": "9"}
    )
    theirs = task_published(
        province_regulator, criteria={"usccs": [other_institution.uscc]}, period="他机构", due_in_days=8
    )
    save(assignment_of(theirs, other_institution), None, submit=True, revenue="7")
    other_template = ReportTemplate.objects.create(name="专项调查")
    other_template.fields.create(key="revenue", label="收入", field_type="money")
    special = task_published(
        city_regulator, template=other_template, criteria={"usccs": [institution.uscc]}, due_in_days=9
    )
    services.assignment_save(
        assignment=assignment_of(special, institution), by=inst_admin, values={"revenue": "6"}, submit=True
    )

    current = assignment_of(
        task_published(city_regulator, criteria={"usccs": [institution.uscc]}), institution
    )
    assert selectors.previous_assignment(assignment=current) == latest
    assert selectors.previous_values(assignment=current)["revenue"] == "1000"
    # And the earlier report has no previous period of its own beyond the oldest.
    assert selectors.previous_values(assignment=latest)["revenue"] == "800"


def test_a_later_or_returned_report_is_not_last_period(institution, inst_admin, city_regulator):
    current = assignment_of(
        task_published(city_regulator, criteria={"usccs": [institution.uscc]}), institution
    )
    later = task_published(
        city_regulator, criteria={"usccs": [institution.uscc]}, period="2027年度", due_in_days=60
    )
    save(assignment_of(later, institution), inst_admin, submit=True)
    earlier = handed_in_last_period(institution, inst_admin, city_regulator)
    services.assignment_return(assignment=earlier, by=city_regulator, comment="请修改。")
    assert selectors.previous_values(assignment=current) == {}


def test_a_large_change_must_be_explained_on_submit_and_nothing_is_saved_without(
    institution, inst_admin, city_regulator
):
    handed_in_last_period(institution, inst_admin, city_regulator)  # revenue 1200.50, staff 96
    current = assignment_of(
        task_published(city_regulator, criteria={"usccs": [institution.uscc]}), institution
    )
    with pytest.raises(ValidationError) as caught:
        save(current, inst_admin, submit=True, revenue="3000", staff_total=40)
    assert caught.value.message_dict == {
        "explain_revenue": ["「营业收入」与上期（1,200.5 万元）相比变动超过 50%，请填写变动说明。"],
        "explain_staff_total": ["「从业人员数」与上期（96 人）相比变动超过 50%，请填写变动说明。"],
    }
    current.refresh_from_db()
    assert current.status == S.PENDING and current.values == {} and current.saved_at is None

    explained = save(
        current,
        inst_admin,
        submit=True,
        revenue="3000",
        staff_total=40,
        explanations={
            "revenue": "  新增环境检测业务。  ",
            "staff_total": "剥离子公司。",
            "lab_area": "没有变化也写了说明。",
        },
    )
    assert explained.status == S.SUBMITTED
    assert explained.explanations == {"revenue": "新增环境检测业务。", "staff_total": "剥离子公司。"}


def test_a_large_change_may_be_saved_in_a_draft_without_explanation(institution, inst_admin, city_regulator):
    handed_in_last_period(institution, inst_admin, city_regulator)
    current = assignment_of(
        task_published(city_regulator, criteria={"usccs": [institution.uscc]}), institution
    )
    draft = save(current, inst_admin, revenue="3000")
    assert draft.status == S.DRAFT and draft.values["revenue"] == "3000" and draft.explanations == {}


def test_a_change_from_zero_needs_an_explanation(institution, inst_admin, city_regulator):
    handed_in_last_period(institution, inst_admin, city_regulator, rd_investment="0")
    current = assignment_of(
        task_published(city_regulator, criteria={"usccs": [institution.uscc]}), institution
    )
    with pytest.raises(ValidationError) as caught:
        save(current, inst_admin, submit=True, rd_investment="10")
    assert list(caught.value.message_dict) == ["explain_rd_investment"]
    assert save(current, inst_admin, submit=True, rd_investment="0").status == S.SUBMITTED


def test_a_change_of_at_most_half_needs_no_explanation(institution, inst_admin, city_regulator):
    handed_in_last_period(institution, inst_admin, city_regulator, revenue="1000", staff_total=100)
    current = assignment_of(
        task_published(city_regulator, criteria={"usccs": [institution.uscc]}), institution
    )
    submitted = save(current, inst_admin, submit=True, revenue="1500", staff_total=50)
    assert submitted.status == S.SUBMITTED and submitted.explanations == {}


def test_without_a_previous_period_nothing_needs_explaining(assignment, inst_admin):
    assert selectors.previous_values(assignment=assignment) == {}
    assert save(assignment, inst_admin, submit=True, revenue="999999").status == S.SUBMITTED


# --- Reminders ---------------------------------------------------------------------------------------------


def reminders_to(user) -> int:
    return Notification.objects.filter(recipient=user, title__startswith="催报：").count()


def test_reminding_skips_the_handed_in_and_the_recently_reminded(
    institution,
    other_institution,
    inst_admin,
    other_inst_admin,
    province_regulator,
    django_capture_on_commit_callbacks,
    sms_outbox,
):
    third = InstitutionFactory(region_code="320205")
    fourth = InstitutionFactory(region_code="320206")
    task = task_published(
        province_regulator,
        criteria={"usccs": [institution.uscc, other_institution.uscc, third.uscc, fourth.uscc]},
    )
    save(assignment_of(task, other_institution), other_inst_admin, submit=True)  # handed in
    ReportAssignment.objects.filter(task=task, institution=third).update(
        reminded_at=timezone.now() - datetime.timedelta(hours=19)
    )
    ReportAssignment.objects.filter(task=task, institution=fourth).update(
        reminded_at=timezone.now() - datetime.timedelta(hours=21)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.assignments_remind(assignments=task.assignments.all(), by=province_regulator)
    assert (result.sent, result.skipped) == (2, 2)
    assert reminders_to(inst_admin) == 1 and reminders_to(other_inst_admin) == 0
    message = Notification.objects.get(recipient=inst_admin, title__startswith="催报：")
    assert (
        message.title == f"催报：{task.title}"
        and message.url == assignment_of(task, institution).get_absolute_url()
    )
    assert task.due_on.isoformat() in message.body and institution.name in message.body
    assert [sms.phone for sms in sms_outbox] == [inst_admin.phone]
    assert "催报" in sms_outbox[0].message
    reminded = dict(task.assignments.values_list("institution_id", "reminded_at"))
    assert reminded[institution.pk] is not None and reminded[other_institution.pk] is None
    assert reminded[fourth.pk] > timezone.now() - datetime.timedelta(minutes=5)


def test_a_second_reminder_within_a_day_is_skipped(assignment, inst_admin, city_regulator):
    first = services.assignments_remind(
        assignments=ReportAssignment.objects.filter(pk=assignment.pk), by=city_regulator
    )
    second = services.assignments_remind(
        assignments=ReportAssignment.objects.filter(pk=assignment.pk), by=city_regulator
    )
    assert (first.sent, first.skipped, second.sent, second.skipped) == (1, 0, 0, 1)
    assert reminders_to(inst_admin) == 1


@pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED, S.OVERDUE])
def test_an_assignment_still_owed_is_reminded(assignment, inst_admin, city_regulator, status):
    ReportAssignment.objects.filter(pk=assignment.pk).update(status=status)
    result = services.assignments_remind(
        assignments=ReportAssignment.objects.filter(pk=assignment.pk), by=city_regulator
    )
    assert result.sent == 1 and reminders_to(inst_admin) == 1


def test_reminding_is_rate_limited_per_regulator(assignment, city_regulator, province_regulator):
    batch = ReportAssignment.objects.filter(pk=assignment.pk)
    for _ in range(10):
        services.assignments_remind(assignments=batch, by=city_regulator)
    with pytest.raises(ValidationError) as caught:
        services.assignments_remind(assignments=batch, by=city_regulator)
    (message,) = caught.value.messages
    assert message.startswith("催报过于频繁（每小时最多 10 次），请 ") and message.endswith("后再试。")
    # Another regulator has a limit of their own.
    assert services.assignments_remind(assignments=batch, by=province_regulator).skipped == 1


# --- Excusing a late report -----------------------------------------------------------------------------


def test_an_overdue_report_is_excused_once_with_a_reason(assignment, city_regulator):
    mark_overdue(assignment)
    services.assignment_excuse(assignment=assignment, by=city_regulator, reason="  系统故障导致无法提交。 ")
    assignment.refresh_from_db()
    assert assignment.is_excused and assignment.excused_by == city_regulator
    assert assignment.excuse_reason == "系统故障导致无法提交。"
    assert assignment.status == S.OVERDUE  # still to be handed in
    excused = DomainEvent.objects.get(kind=events.ASSIGNMENT_EXCUSED)
    assert excused.key == f"reporting.assignment:{assignment.pk}:excused"
    assert excused.institution_id == assignment.institution_id and excused.source == assignment
    assert excused.payload == {
        "assignment_id": assignment.pk,
        "task_id": assignment.task_id,
        "excused_on": TODAY.isoformat(),
        "reason": "系统故障导致无法提交。",
    }
    with pytest.raises(InvalidTransition) as caught:
        services.assignment_excuse(assignment=assignment, by=city_regulator, reason="再次免于逾期。")
    assert str(caught.value) == "该填报未逾期或已免于逾期，请刷新后查看。"
    assert DomainEvent.objects.filter(kind=events.ASSIGNMENT_EXCUSED).count() == 1


def test_a_report_submitted_late_may_still_be_excused(assignment, inst_admin, city_regulator):
    mark_overdue(assignment)
    save(assignment, inst_admin, submit=True)
    services.assignment_excuse(assignment=assignment, by=city_regulator, reason="已说明延误原因。")
    assignment.refresh_from_db()
    assert assignment.status == S.SUBMITTED and assignment.is_excused


def test_a_report_that_was_never_late_cannot_be_excused(assignment, city_regulator):
    with pytest.raises(InvalidTransition):
        services.assignment_excuse(assignment=assignment, by=city_regulator, reason="理由。")
    assert not DomainEvent.objects.filter(kind=events.ASSIGNMENT_EXCUSED).exists()


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "请填写免于逾期的理由。"), ("   ", "请填写免于逾期的理由。"), ("字" * 501, "理由最多 500 字。")],
)
def test_an_excuse_needs_a_reason_of_at_most_500_characters(assignment, city_regulator, reason, message):
    mark_overdue(assignment)
    with pytest.raises(ValidationError) as caught:
        services.assignment_excuse(assignment=assignment, by=city_regulator, reason=reason)
    assert caught.value.message_dict == {"reason": [message]}
    assignment.refresh_from_db()
    assert not assignment.is_excused


def test_a_reason_of_500_characters_is_accepted(assignment, city_regulator):
    mark_overdue(assignment)
    services.assignment_excuse(assignment=assignment, by=city_regulator, reason="字" * 500)
    assignment.refresh_from_db()
    assert len(assignment.excuse_reason) == 500
