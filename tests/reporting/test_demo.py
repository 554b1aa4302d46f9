"""`seed_demo` shows modules 07/08: a closed task of last year (accepted, late, excused), this year's task
in every state, 南京's quarterly task with its 3-day reminder sent and a center task; the demo login
13800000001 has its reports to fill (pre-filled from last year), the regulators have reports to review,
and credit counts the late report's K05 but not the excused one's."""

from io import StringIO

import pytest
from django.urls import reverse
from django.utils import timezone

from credit.models import CreditEvent
from credit.services import credit_institutions
from institutions.demo import admin_phone, demo_institution_spec
from reporting import demo
from reporting.choices import AssignmentStatus, TargetKind, TaskStatus
from reporting.integrations.deadlines import ASSIGNMENT_DEADLINE
from reporting.models import ReportAssignment, ReportTask
from reporting.selectors import previous_values
from sujt.accounts.demo import PROVINCE_REGULATOR_PHONE, city_regulator_phone
from sujt.accounts.models import User
from sujt.core.models import DeadlineNotice
from sujt.core.regions import CITIES, city_code_of
from sujt.core.registries import review_queues_for
from sujt.core.todos import todos_for
from sujt.core.workflow import transitions_of
from tests.demo_checks import row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]
S = AssignmentStatus
TODAY = timezone.localdate()


def uscc(number: int) -> str:
    return demo_institution_spec(number)["uscc"]


def task(role: str) -> ReportTask:
    return ReportTask.objects.get(title=demo.task_titles()[role])


def assignment(role: str, number: int) -> ReportAssignment:
    return task(role).assignments.get(institution__uscc=uscc(number))


def city_regulator_of(number: int) -> User:
    city = city_code_of(demo_institution_spec(number)["region_code"])
    return User.objects.get(phone=city_regulator_phone(list(CITIES).index(city) + 1))


def reporting_queue(user: User) -> int:
    return next(queue.count for queue in review_queues_for(user=user) if queue.key == "reporting.assignments")


def test_seeding_again_changes_nothing():
    before = row_counts()
    out = StringIO()
    demo.seed(out)
    assert row_counts() == before
    assert "新建 0 个填报任务" in out.getvalue()


def test_the_summary_line_names_every_state_and_the_demo_login(demo_seeded):
    output, _private = demo_seeded
    line = next(line for line in output.splitlines() if "运营数据填报" in line)
    assert "新建 4 个填报任务" in line
    for label in S.labels:
        assert str(label) in line, label
    assert admin_phone(1) in line


def test_the_four_tasks_are_published_by_the_right_regulators():
    tasks = {role: task(role) for role in demo.task_titles()}
    assert all(t.status == TaskStatus.PUBLISHED for t in tasks.values())
    province = User.objects.get(phone=PROVINCE_REGULATOR_PHONE)
    assert tasks["closed"].created_by == province and tasks["current"].created_by == province
    assert tasks["center"].created_by == province and tasks["center"].target_kind == TargetKind.CENTER
    assert tasks["city"].created_by == city_regulator_of(1) and tasks["city"].region_code == "320100"
    assert (
        tasks["closed"].due_on
        < TODAY
        < tasks["city"].due_on
        < tasks["center"].due_on
        < tasks["current"].due_on
    )
    assert tasks["closed"].published_at.date() < tasks["closed"].due_on
    assert tasks["closed"].assignments.exclude(due_on=tasks["closed"].due_on).count() == 0
    assert tasks["closed"].assignments.count() == tasks["current"].assignments.count() == 30
    # 南京's task reaches the institutions of 南京 only (the synced ones there included).
    cities = {
        city_code_of(code)
        for code in tasks["city"].assignments.values_list("institution__region_code", flat=True)
    }
    assert cities == {"320100"}
    assert {uscc(1), uscc(14), uscc(27)} <= set(
        tasks["city"].assignments.values_list("institution__uscc", flat=True)
    )
    assert tasks["city"].template.name == demo.QUARTERLY_TEMPLATE
    assert (
        tasks["center"].assignments.exclude(subject_name="").count()
        == tasks["center"].assignments.count()
        >= 2
    )


def test_every_assignment_state_occurs():
    assert set(ReportAssignment.objects.values_list("status", flat=True)) == set(S.values)
    current = set(task("current").assignments.values_list("status", flat=True))
    assert current == {S.PENDING, S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED}


def test_the_closed_task_was_accepted_except_the_late_ones():
    closed = task("closed")
    by_status = dict(closed.assignments.values_list("institution__uscc", "status"))
    assert by_status.pop(uscc(12)) == S.OVERDUE
    assert set(by_status.values()) == {S.ACCEPTED}
    late = closed.assignments.filter(overdue_at__isnull=False)
    assert set(late.values_list("institution__uscc", flat=True)) == {uscc(12), uscc(18), uscc(23)}
    for a in late:  # marked by the deadline job, not by hand
        assert DeadlineNotice.objects.filter(
            deadline=ASSIGNMENT_DEADLINE, object_id=a.pk, step="overdue"
        ).exists()
    excused = assignment("closed", 18)
    assert excused.is_excused and excused.excuse_reason == demo.EXCUSE_REASON
    assert not assignment("closed", 23).is_excused
    returned_once = [t.to_status for t in transitions_of(assignment("closed", 5))]
    assert returned_once == [S.DRAFT, S.SUBMITTED, S.RETURNED, S.SUBMITTED, S.ACCEPTED]


def test_the_returned_one_has_the_comment_and_the_large_change_is_explained():
    returned = assignment("current", 4)
    assert returned.status == S.RETURNED
    assert transitions_of(returned).last().comment == demo.RETURN_COMMENT
    changed = assignment("current", 16)
    assert changed.status == S.SUBMITTED
    assert changed.explanations and set(changed.explanations) <= set(demo.CHANGE_EXPLANATIONS)
    assert "revenue" in changed.explanations


def test_the_demo_login_has_its_reports_to_fill():
    admin = User.objects.get(phone=admin_phone(1))
    assert assignment("current", 1).status == S.PENDING
    assert assignment("city", 1).status == S.PENDING
    titles = [todo.title for todo in todos_for(admin)]
    for role in ("current", "city", "center"):
        assert any(task(role).title in title for title in titles), (role, titles)


def test_the_previous_period_prefills_the_current_task():
    for number in (1, 16, 18, 23):
        previous = previous_values(assignment=assignment("current", number))
        assert previous == assignment("closed", number).values
        assert previous["revenue"] and previous["service_fields"]
    # Still owing last year's report: nothing to pre-fill.
    assert previous_values(assignment=assignment("current", 12)) == {}


def test_the_regulators_have_reports_to_review():
    assert reporting_queue(User.objects.get(phone=PROVINCE_REGULATOR_PHONE)) > 0
    assert reporting_queue(city_regulator_of(1)) > 0  # 南京: institution 14 and 27
    assert reporting_queue(city_regulator_of(15)) > 0  # 无锡: the center of institution 15


def test_the_quarterly_reminder_went_out_to_those_who_owe_it():
    city = task("city")
    assert (city.due_on - TODAY).days == 3
    owed = city.assignments.filter(status__in=[S.PENDING, S.DRAFT])
    assert owed.exists()
    for a in owed:
        assert DeadlineNotice.objects.filter(
            deadline=ASSIGNMENT_DEADLINE, object_id=a.pk, step="remind-3d"
        ).exists()
    handed_in = assignment("city", 27)
    assert handed_in.status == S.SUBMITTED
    assert not DeadlineNotice.objects.filter(deadline=ASSIGNMENT_DEADLINE, object_id=handed_in.pk).exists()


def test_credit_counts_the_late_report_and_voids_the_excused_one():
    in_scope = set(credit_institutions().values_list("uscc", flat=True))
    for number in (12, 23):
        if uscc(number) in in_scope:
            key = f"reporting.assignment:{assignment('closed', number).pk}:overdue"
            event = CreditEvent.objects.get(source_key=key)
            assert event.item.code == "K05" and event.state == "counting"
    if uscc(18) in in_scope:
        key = f"reporting.assignment:{assignment('closed', 18).pk}:overdue"
        event = CreditEvent.objects.get(source_key=key)
        assert event.item.code == "K05" and event.state == "voided"
    assert {uscc(12), uscc(18), uscc(23)} & in_scope  # the demo shows at least one of them


def test_the_institution_answers_have_plausible_figures():
    for a in task("closed").assignments.filter(status=S.ACCEPTED):
        values = a.values
        assert float(values["testing_revenue"]) <= float(values["revenue"])
        assert values["senior_titles"] + values["middle_titles"] <= values["staff_total"]
    revenues = {a.values["revenue"] for a in task("closed").assignments.filter(status=S.ACCEPTED)}
    assert len(revenues) > 20  # each institution its own size


def test_the_demo_login_reaches_its_reports_in_the_workspace(client):
    client.force_login(User.objects.get(phone=admin_phone(1)))
    html = client.get(reverse("reporting:list")).content.decode()
    assert task("current").title in html and task("closed").title in html
    for role in ("current", "city", "closed"):
        response = client.get(reverse("reporting:assignment_detail", args=[assignment(role, 1).pk]))
        assert response.status_code == 200, role
    assert task("center").title in client.get(reverse("reporting:center_list")).content.decode()
    other = assignment("current", 2)
    assert client.get(reverse("reporting:assignment_detail", args=[other.pk])).status_code == 404
