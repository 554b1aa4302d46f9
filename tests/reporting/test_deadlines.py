"""The reporting deadline (reporting.integrations.deadlines on the kit's sujt.core.deadlines), run for a
shifted "today": reminders 3 days and 1 day before the due date, in-site and by SMS, each sent once; the
day after, an assignment never handed in (未填报, 草稿) becomes 逾期未报 once and records the domain event,
while one handed in (待审核, 已通过) or returned for a correction is left alone; an overdue assignment can
still be submitted late; the dashboard's to-do for the institution's members who fill reports."""

import datetime

import pytest
from django.utils import timezone

from reporting import events, services
from reporting.choices import AssignmentStatus
from reporting.integrations.deadlines import ASSIGNMENT_DEADLINE
from reporting.models import ReportAssignment
from sujt.core import notifications
from sujt.core.choices import TodoUrgency
from sujt.core.deadlines import deadline_get, deadlines_run, notices_of
from sujt.core.models import DeadlineNotice, DomainEvent, Notification
from sujt.core.todos import todos_for
from tests.reporting.factories import INSTITUTION_ANSWERS, assignment_of, task_published

pytestmark = pytest.mark.django_db

S = AssignmentStatus
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def sms_outbox():
    notifications.sms_outbox.clear()
    yield notifications.sms_outbox
    notifications.sms_outbox.clear()


@pytest.fixture
def task(institution, city_regulator):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]}, due_in_days=30)
    Notification.objects.all().delete()  # the publication's own message is not a reminder
    return task


@pytest.fixture
def assignment(task, institution):
    return assignment_of(task, institution)


def run(today: datetime.date) -> int:
    """The reporting deadline's part of the daily job on `today`: how many steps it took."""
    return deadlines_run(today=today, keys=[ASSIGNMENT_DEADLINE]).count(ASSIGNMENT_DEADLINE)


def steps(assignment) -> list[str]:
    return sorted(notices_of(assignment).values_list("step", flat=True))


def reminders_to(user) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user, title__startswith="运营数据填报提醒").order_by("pk")
    )


def submit(assignment, by) -> ReportAssignment:
    return services.assignment_save(assignment=assignment, by=by, values=INSTITUTION_ANSWERS, submit=True)


# --- Reminders ---------------------------------------------------------------------------------------------


def test_the_deadline_is_declared_with_reminders_3_and_1_days_before():
    deadline = deadline_get(ASSIGNMENT_DEADLINE)
    assert [(offset.days, offset.months) for offset in deadline.reminders] == [(3, 0), (1, 0)]
    assert deadline.sms and deadline.on_overdue is not None


def test_reminders_are_sent_3_days_and_1_day_before_once_each(
    assignment, inst_admin, django_capture_on_commit_callbacks, sms_outbox
):
    due = assignment.due_on
    with django_capture_on_commit_callbacks(execute=True):
        counts = {offset: run(due - datetime.timedelta(days=offset)) for offset in (5, 4, 3)}
        counts["3 again"] = run(due - datetime.timedelta(days=3))
        counts[2] = run(due - datetime.timedelta(days=2))
        counts[1] = run(due - ONE_DAY)
        counts["1 again"] = run(due - ONE_DAY)
        counts[0] = run(due)
    assert counts == {5: 0, 4: 0, 3: 1, "3 again": 0, 2: 0, 1: 1, "1 again": 0, 0: 0}
    assert steps(assignment) == ["remind-1d", "remind-3d"]
    assert set(notices_of(assignment).values_list("recipients", flat=True)) == {1}
    first, second = reminders_to(inst_admin)
    assert first.title == f"运营数据填报提醒：请于 {due.isoformat()} 前提交"
    assert assignment.task.title in first.body and "到期前3天" in first.body and "到期前1天" in second.body
    assert first.url == assignment.get_absolute_url()
    assert [sms.phone for sms in sms_outbox] == [inst_admin.phone, inst_admin.phone]
    assert all("运营数据填报提醒" in sms.message for sms in sms_outbox)
    assignment.refresh_from_db()
    assert assignment.status == S.PENDING  # reminding changes nothing else


def test_a_report_seen_late_gets_only_the_most_urgent_reminder(assignment, inst_admin):
    assert run(assignment.due_on - ONE_DAY) == 1
    assert steps(assignment) == ["remind-1d"]
    assert len(reminders_to(inst_admin)) == 1


def test_reminders_reach_the_members_who_fill_reports_only(
    assignment, institution, inst_admin, inst_staff, clerk, other_inst_admin
):
    filler = clerk(institution, "填报员丙", "fill_reports")
    run(assignment.due_on - datetime.timedelta(days=3))
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {inst_admin.pk, filler.pk}


@pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED, S.OVERDUE])
def test_a_report_still_owed_is_reminded(assignment, inst_admin, status):
    ReportAssignment.objects.filter(pk=assignment.pk).update(status=status)
    assert run(assignment.due_on - ONE_DAY) == 1
    assert len(reminders_to(inst_admin)) == 1


def test_a_handed_in_report_is_not_reminded(assignment, inst_admin, city_regulator):
    submit(assignment, inst_admin)
    Notification.objects.all().delete()
    assert run(assignment.due_on - datetime.timedelta(days=3)) == 0
    services.assignment_accept(assignment=assignment, by=city_regulator)
    assert run(assignment.due_on - ONE_DAY) == 0
    assert reminders_to(inst_admin) == [] and steps(assignment) == []


# --- 逾期未报 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("started", [False, True], ids=["pending", "draft"])
def test_the_day_after_the_deadline_a_report_not_handed_in_becomes_overdue_once(
    assignment, inst_admin, started
):
    if started:
        services.assignment_save(assignment=assignment, by=inst_admin, values={"revenue": "10"})
    due = assignment.due_on
    on_the_day = deadlines_run(today=due, keys=[ASSIGNMENT_DEADLINE])
    assert on_the_day.overdue(ASSIGNMENT_DEADLINE) == 0  # the due date itself is still in time
    assignment.refresh_from_db()
    assert assignment.status == (S.DRAFT if started else S.PENDING)

    assert run(due + ONE_DAY) == 1
    assert run(due + 2 * ONE_DAY) == 0
    assignment.refresh_from_db()
    assert assignment.status == S.OVERDUE and assignment.was_overdue and not assignment.is_excused
    assert assignment.overdue_at is not None
    if started:
        assert assignment.values == {"revenue": "10"}  # the draft's answers stay
    assert (
        DeadlineNotice.objects.filter(
            deadline=ASSIGNMENT_DEADLINE, object_id=assignment.pk, step="overdue"
        ).count()
        == 1
    )

    overdue = DomainEvent.objects.get(kind=events.ASSIGNMENT_OVERDUE)
    assert overdue.key == f"reporting.assignment:{assignment.pk}:overdue"
    assert overdue.source == assignment and overdue.institution_id == assignment.institution_id
    assert overdue.payload == {
        "assignment_id": assignment.pk,
        "task_id": assignment.task_id,
        "due_on": due.isoformat(),
        "overdue_on": (due + ONE_DAY).isoformat(),  # the day it became overdue, not the real date
    }
    (told,) = Notification.objects.filter(recipient=inst_admin, title__startswith="运营数据填报已逾期")
    assert told.title == f"运营数据填报已逾期：{assignment.task.title}"
    assert "逾期未报" in told.body and told.url == assignment.get_absolute_url()


def test_marking_overdue_again_records_nothing_more(assignment):
    run(assignment.due_on + ONE_DAY)
    services.assignment_mark_overdue(assignment=assignment)
    assert DomainEvent.objects.filter(kind=events.ASSIGNMENT_OVERDUE).count() == 1


@pytest.mark.parametrize("outcome", [S.SUBMITTED, S.ACCEPTED, S.RETURNED])
def test_a_report_handed_in_on_time_is_never_marked_overdue(assignment, inst_admin, city_regulator, outcome):
    submit(assignment, inst_admin)
    if outcome == S.ACCEPTED:
        services.assignment_accept(assignment=assignment, by=city_regulator)
    elif outcome == S.RETURNED:
        services.assignment_return(assignment=assignment, by=city_regulator, comment="请补充研发经费说明。")
    for later in (1, 2, 10):
        run(assignment.due_on + datetime.timedelta(days=later))
    assignment.refresh_from_db()
    assert assignment.status == outcome and not assignment.was_overdue
    assert not DomainEvent.objects.filter(kind=events.ASSIGNMENT_OVERDUE).exists()
    assert not Notification.objects.filter(title__startswith="运营数据填报已逾期").exists()


def test_an_overdue_report_can_still_be_submitted_late_and_is_then_left_alone(
    assignment, inst_admin, city_regulator
):
    run(assignment.due_on + ONE_DAY)
    assignment.refresh_from_db()
    late = submit(assignment, inst_admin)
    assert late.status == S.SUBMITTED and late.was_overdue
    services.assignment_return(assignment=late, by=city_regulator, comment="请核实营业收入。")
    run(assignment.due_on + 3 * ONE_DAY)
    late.refresh_from_db()
    assert late.status == S.RETURNED
    assert DomainEvent.objects.filter(kind=events.ASSIGNMENT_OVERDUE).count() == 1
    submit(late, inst_admin)
    services.assignment_accept(assignment=late, by=city_regulator)
    late.refresh_from_db()
    assert late.status == S.ACCEPTED and late.was_overdue  # the lateness stays on record


def test_only_the_late_institution_of_a_shared_task_is_marked(
    institution, other_institution, inst_admin, other_inst_admin, province_regulator
):
    task = task_published(province_regulator, criteria={"usccs": [institution.uscc, other_institution.uscc]})
    submit(assignment_of(task, other_institution), other_inst_admin)
    run(task.due_on + ONE_DAY)
    statuses = dict(task.assignments.values_list("institution_id", "status"))
    assert statuses == {institution.pk: S.OVERDUE, other_institution.pk: S.SUBMITTED}
    assert DomainEvent.objects.get(kind=events.ASSIGNMENT_OVERDUE).institution_id == institution.pk


# --- To-dos ----------------------------------------------------------------------------------------------


def reporting_todos(user):
    return [todo for todo in todos_for(user) if todo.module == "07/08 运营数据填报"]


def test_a_published_task_is_a_todo_of_the_institutions_fillers(
    assignment, institution, inst_admin, inst_staff, clerk, other_inst_admin
):
    filler = clerk(institution, "填报员丙", "fill_reports")
    (todo,) = reporting_todos(inst_admin)
    assert todo.title == f"填报「{assignment.task.title}」"
    assert todo.url == assignment.get_absolute_url() and todo.due_date == assignment.due_on
    assert todo.urgency == TodoUrgency.NORMAL
    assert len(reporting_todos(filler)) == 1
    assert reporting_todos(inst_staff) == [] and reporting_todos(other_inst_admin) == []


def test_a_todo_becomes_urgent_then_overdue(assignment, inst_admin):
    ReportAssignment.objects.filter(pk=assignment.pk).update(due_on=timezone.localdate() + 2 * ONE_DAY)
    assert reporting_todos(inst_admin)[0].urgency == TodoUrgency.SOON
    ReportAssignment.objects.filter(pk=assignment.pk).update(
        due_on=timezone.localdate() - ONE_DAY, status=S.OVERDUE
    )
    (todo,) = reporting_todos(inst_admin)
    assert todo.urgency == TodoUrgency.OVERDUE and todo.due_text == "已逾期 1 天"


@pytest.mark.parametrize("handed_in", [S.SUBMITTED, S.ACCEPTED])
def test_a_handed_in_report_is_no_longer_a_todo(assignment, inst_admin, city_regulator, handed_in):
    submit(assignment, inst_admin)
    if handed_in == S.ACCEPTED:
        services.assignment_accept(assignment=assignment, by=city_regulator)
    assert reporting_todos(inst_admin) == []


def test_a_returned_report_is_a_todo_again(assignment, inst_admin, city_regulator):
    submit(assignment, inst_admin)
    services.assignment_return(assignment=assignment, by=city_regulator, comment="请修改。")
    assert len(reporting_todos(inst_admin)) == 1


def test_several_institutions_todos_name_their_institution(
    institution, other_institution, inst_admin, province_regulator
):
    from sujt.accounts.choices import MembershipRole
    from tests.factories import MembershipFactory

    MembershipFactory(user=inst_admin, institution=other_institution, role=MembershipRole.ADMIN)
    task = task_published(province_regulator, criteria={"usccs": [institution.uscc, other_institution.uscc]})
    titles = sorted(todo.title for todo in reporting_todos(inst_admin))
    assert titles == sorted(
        [f"{institution.name}：填报「{task.title}」", f"{other_institution.name}：填报「{task.title}」"]
    )
