"""Deadlines (sujt/core/deadlines.py): reminders and the overdue action once however often the job runs,
the most urgent of reminders due at once, a moved due date, SMS only where asked, failures retried, the
report and the command, to-dos with their real dates and a pinned dashboard query count.

The clock is frozen by passing `today=` to the job; to-dos read the real local date, so their objects
are dated relative to it.
"""

import datetime
import io
import threading

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.choices import CertificateStatus
from institutions.models import Certificate
from sujt.accounts.parties import institution_admins
from sujt.core import deadlines, notifications
from sujt.core.deadlines import DeadlineTodo, Offset, deadlines_run, register_deadline, unregister_deadline
from sujt.core.models import DeadlineNotice, Notification, ReviewTransition
from sujt.core.tasks import deadlines_run_task
from sujt.core.todos import Todo, todos_for
from tests.core.workflow_app.deadlines import RESUBMIT_DAYS, RESUBMIT_DEADLINE
from tests.core.workflow_app.models import Report, ReportStatus
from tests.factories import CertificateFactory

D = datetime.date
DUE = D(2027, 3, 15)
KEY = "tests.certificate_check"


def days(n: int, base: datetime.date = DUE) -> datetime.date:
    return base + datetime.timedelta(days=n)


def certificate_message(certificate, offset, due_on):
    return f"{offset.label}：{certificate.number}", f"请在 {due_on:%Y-%m-%d} 前完成核查。"


@pytest.fixture
def declare():
    """Registers a test deadline on certificates' expiry dates (any date field would do) and removes it
    again; `overdue` lists the certificates the overdue action ran for."""
    keys, overdue = [], []

    def make(key: str = KEY, **options):
        options.setdefault("model", Certificate)
        options.setdefault("due", "expires_on")
        options.setdefault(
            "queryset",
            lambda: Certificate.objects.filter(status=CertificateStatus.VALID).select_related("institution"),
        )
        options.setdefault("reminders", (Offset(days=7), Offset(days=1)))
        options.setdefault("recipients", lambda cert: institution_admins(institution_id=cert.institution_id))
        options.setdefault("message", certificate_message)
        options.setdefault("url", lambda cert: "/certificates/")
        options.setdefault("on_overdue", lambda cert: overdue.append(cert.pk))
        options.setdefault("label", "测试证书核查")
        keys.append(key)
        return register_deadline(key, **options)

    make.overdue = overdue
    yield make
    for key in keys:
        unregister_deadline(key)


def run(today, key=KEY) -> int:
    return deadlines_run(today=today, keys=[key]).count(key)


def steps(key=KEY) -> list[tuple[int, datetime.date, str]]:
    return sorted(DeadlineNotice.objects.filter(deadline=key).values_list("object_id", "due_on", "step"))


# --- Declarations ----------------------------------------------------------------------------------------


def test_offsets_name_their_step_label_and_moment():
    assert [Offset(days=7).key, Offset(months=3).key, Offset(months=1, days=15).key, Offset().key] == [
        "remind-7d",
        "remind-3m",
        "remind-1m15d",
        "remind-0d",
    ]
    assert [Offset(days=7).label, Offset(months=3).label, Offset().label] == [
        "到期前7天",
        "到期前3个月",
        "到期当天",
    ]
    assert Offset(months=3).moment(D(2027, 5, 31)) == D(2027, 2, 28)  # calendar months, month end kept
    assert Offset(days=7).moment(D(2027, 3, 1)) == D(2027, 2, 22)  # calendar days, no working-day rule
    with pytest.raises(ValueError):
        Offset(days=-1)


def test_a_declaration_is_checked_when_it_is_made(declare):
    with pytest.raises(ValueError, match="recipients"):
        declare("tests.no_recipients", recipients=None)
    with pytest.raises(FieldDoesNotExist):
        declare("tests.no_field", due="renewed_on")
    with pytest.raises(ValueError, match="twice"):
        declare("tests.same_offset", reminders=(Offset(days=7), Offset(days=7)))
    declare()
    with pytest.raises(ValueError, match="already registered"):
        declare()


# --- The job ---------------------------------------------------------------------------------------------


def test_each_reminder_and_the_overdue_action_happen_once_however_often_the_job_runs(
    declare, institution, inst_admin
):
    declare()
    certificate = CertificateFactory(institution=institution, expires_on=DUE)
    schedule = [-10, -7, -7, -5, -1, -1, 0, 0, 1, 1, 2, 30]
    done = [run(days(n)) for n in schedule]
    assert done == [0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
    assert steps() == [
        (certificate.pk, DUE, "overdue"),
        (certificate.pk, DUE, "remind-1d"),
        (certificate.pk, DUE, "remind-7d"),
    ]
    assert declare.overdue == [certificate.pk]  # the day after the due date, once
    titles = list(Notification.objects.order_by("pk").values_list("title", flat=True))
    assert titles == [f"到期前7天：{certificate.number}", f"到期前1天：{certificate.number}"]
    assert set(Notification.objects.values_list("recipient", flat=True)) == {inst_admin.pk}
    assert set(
        DeadlineNotice.objects.filter(step__startswith="remind").values_list("recipients", flat=True)
    ) == {1}


def test_reminders_due_at_once_send_only_the_most_urgent_and_never_the_skipped_one(
    declare, institution, inst_admin
):
    declare()
    certificate = CertificateFactory(institution=institution, expires_on=DUE)
    assert run(days(-1)) == 1  # first seen a day before: both the 7-day and the 1-day moments have come
    assert [run(days(n)) for n in (-1, 0)] == [0, 0]
    assert steps() == [(certificate.pk, DUE, "remind-1d")]
    assert Notification.objects.get().title == f"到期前1天：{certificate.number}"


def test_no_reminder_after_the_due_date_only_the_overdue_action(declare, institution, inst_admin):
    declare()
    certificate = CertificateFactory(institution=institution, expires_on=DUE)
    assert run(days(3)) == 1
    assert steps() == [(certificate.pk, DUE, "overdue")]
    assert not Notification.objects.exists()


def test_a_moved_due_date_starts_its_reminders_afresh(declare, institution, inst_admin):
    declare()
    certificate = CertificateFactory(institution=institution, expires_on=DUE)
    assert run(days(-7)) == 1
    moved = days(30)
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=moved)
    assert run(days(-1)) == 0  # the old date's 1-day reminder is not due for the new date
    assert run(days(1)) == 0  # nor its overdue action
    assert run(days(-7, moved)) == 1
    assert run(days(1, moved)) == 1
    assert steps() == [
        (certificate.pk, DUE, "remind-7d"),
        (certificate.pk, moved, "overdue"),
        (certificate.pk, moved, "remind-7d"),
    ]
    assert declare.overdue == [certificate.pk]


def test_objects_that_left_the_queryset_are_left_alone(declare, institution, inst_admin):
    declare()
    CertificateFactory(institution=institution, expires_on=DUE, status=CertificateStatus.SUSPENDED)
    assert [run(days(n)) for n in (-7, -1, 1)] == [0, 0, 0]
    assert declare.overdue == []


def test_sms_only_where_the_deadline_asks(
    declare, institution, other_institution, inst_admin, other_inst_admin, django_capture_on_commit_callbacks
):
    declare("tests.with_sms", sms=True, queryset=lambda: Certificate.objects.filter(institution=institution))
    declare("tests.in_site", queryset=lambda: Certificate.objects.filter(institution=other_institution))
    CertificateFactory(institution=institution, expires_on=DUE)
    CertificateFactory(institution=other_institution, expires_on=DUE)
    with django_capture_on_commit_callbacks(execute=True):
        report = deadlines_run(today=days(-7), keys=["tests.with_sms", "tests.in_site"])
    assert report.count("tests.with_sms") == report.count("tests.in_site") == 1
    assert Notification.objects.count() == 2
    assert [sms.phone for sms in notifications.sms_outbox] == [inst_admin.phone]


def test_a_failing_step_is_rolled_back_logged_and_tried_again_next_run(
    declare, institution, inst_admin, caplog
):
    failures = []

    def message(certificate, offset, due_on):
        if not failures:
            failures.append(certificate.pk)
            raise RuntimeError("模板缺失")
        return certificate_message(certificate, offset, due_on)

    declare(message=message)
    certificate = CertificateFactory(institution=institution, expires_on=DUE)
    other = CertificateFactory(institution=institution, expires_on=DUE)
    report = deadlines_run(today=days(-7), keys=[KEY])
    assert report.count(KEY) == 1 and report.failed[KEY] == 1  # the other certificate still went out
    assert "tests.certificate_check" in caplog.text and "模板缺失" in caplog.text
    assert steps() == [(other.pk, DUE, "remind-7d")]
    assert run(days(-7)) == 1
    assert steps() == [(certificate.pk, DUE, "remind-7d"), (other.pk, DUE, "remind-7d")]
    assert Notification.objects.count() == 2


def test_a_failing_overdue_action_leaves_nothing_behind_and_runs_again(declare, institution):
    calls = []

    def mark(certificate):
        Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.EXPIRED)
        calls.append(certificate.pk)
        if len(calls) == 1:
            raise RuntimeError("审批系统不可用")

    declare(on_overdue=mark)
    certificate = CertificateFactory(institution=institution, expires_on=DUE)
    assert run(days(1)) == 0
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID and steps() == []  # rolled back with the failure
    assert run(days(2)) == 1
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.EXPIRED and len(calls) == 2
    assert steps() == [(certificate.pk, DUE, "overdue")]


def test_the_job_reads_the_objects_in_batches(declare, institution, inst_admin, monkeypatch):
    monkeypatch.setattr(deadlines, "BATCH_SIZE", 2)
    declare()
    CertificateFactory.create_batch(5, institution=institution, expires_on=DUE)
    CertificateFactory(institution=institution, expires_on=days(60))  # outside the window
    assert run(days(-7)) == 5
    assert len(steps()) == 5


def test_the_report_counts_each_deadline_and_step_and_reads_in_chinese(declare, institution, inst_admin):
    declare()
    CertificateFactory(institution=institution, expires_on=DUE)
    CertificateFactory(institution=institution, expires_on=days(-10))  # past due on the day of the run
    report = deadlines_run(today=days(-7), keys=[KEY])
    assert report.as_dict()["done"] == {f"{KEY}:overdue": 1, f"{KEY}:remind-7d": 1}
    assert report.lines()[0] == "期限检查（2027-03-08）：发送提醒 1 条，执行逾期处理 1 项，失败 0 项。"
    assert "- 测试证书核查：逾期处理 1 项，到期前7天提醒 1 项" in report.lines()


def test_the_command_runs_the_job_for_a_given_day_and_prints_the_report(declare, institution, inst_admin):
    declare()
    CertificateFactory(institution=institution, expires_on=DUE)
    out = io.StringIO()
    call_command("run_deadlines", "--date", days(-1).isoformat(), stdout=out)
    assert "期限检查（2027-03-14）" in out.getvalue()
    assert "测试证书核查：到期前1天提醒 1 项" in out.getvalue()
    out = io.StringIO()
    call_command("run_deadlines", "--date", days(-1).isoformat(), stdout=out)
    assert "测试证书核查：无" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_deadlines", "--date", "2027/03/14")


def test_the_daily_task_runs_every_deadline(declare, institution, inst_admin):
    declare()
    CertificateFactory(institution=institution, expires_on=DUE)
    result = deadlines_run_task.delay(days(-7).isoformat()).get()
    assert result["done"][f"{KEY}:remind-7d"] == 1
    assert deadlines_run_task.delay(days(-7).isoformat()).get()["done"].get(f"{KEY}:remind-7d") is None


# --- The test app's deadline: a two-step workflow's overdue transition -----------------------------------


def returned_report(institution, *, returned_on: datetime.date, title: str = "2026年度运营数据") -> Report:
    report = Report.objects.create(institution=institution, title=title, status=ReportStatus.RETURNED)
    moment = timezone.make_aware(datetime.datetime.combine(returned_on, datetime.time(10, 0)))
    Report.objects.filter(pk=report.pk).update(status_changed_at=moment)
    report.refresh_from_db()
    return report


def test_a_returned_report_is_reminded_then_marked_overdue_by_the_workflow_once(institution, inst_admin):
    returned_on = D(2027, 3, 1)
    report = returned_report(institution, returned_on=returned_on)
    due = days(RESUBMIT_DAYS, returned_on)
    done = [run(days(n, due), RESUBMIT_DEADLINE) for n in (-5, -3, -3, -1, 0, 1, 1, 2, 20)]
    assert done == [0, 1, 0, 1, 0, 1, 0, 0, 0]
    report.refresh_from_db()
    assert report.status == ReportStatus.OVERDUE
    (log,) = ReviewTransition.objects.filter(object_id=report.pk, action="overdue")
    assert (log.from_status, log.to_status, log.by) == (ReportStatus.RETURNED, ReportStatus.OVERDUE, None)
    assert log.side == "system"
    reminders = Notification.objects.filter(recipient=inst_admin, title__startswith="报表待重新提交")
    assert reminders.count() == 2


def test_a_report_resubmitted_in_time_is_never_marked_overdue(institution, inst_admin):
    returned_on = D(2027, 3, 1)
    report = returned_report(institution, returned_on=returned_on)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.CITY_REVIEW)
    assert run(days(RESUBMIT_DAYS + 1, returned_on), RESUBMIT_DEADLINE) == 0
    report.refresh_from_db()
    assert report.status == ReportStatus.CITY_REVIEW


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(institution, inst_admin):
    returned_on = D(2027, 3, 1)
    returned_report(institution, returned_on=returned_on)
    start = threading.Barrier(2)
    counts = []

    def job():
        try:
            start.wait(timeout=10)
            counts.append(run(days(RESUBMIT_DAYS - 1, returned_on), RESUBMIT_DEADLINE))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(counts) == [0, 1]
    assert Notification.objects.filter(recipient=inst_admin).count() == 1


# --- To-dos ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (-3, "已逾期 3 天"),
        (0, "今天到期（截止 {due}）"),
        (5, "还剩 5 天（截止 {due}）"),
    ],
)
def test_a_todo_says_how_late_or_how_long_is_left(offset, text):
    due = timezone.localdate() + datetime.timedelta(days=offset)
    todo = Todo(title="事项", module="03", url="/", due_date=due)
    assert todo.due_text == text.format(due=f"{due:%Y-%m-%d}")
    assert Todo(title="无期限事项", module="03", url="/").due_text == ""


def test_deadline_todos_list_what_the_user_must_act_on_with_real_dates(
    institution, other_institution, inst_admin, inst_staff, grant
):
    today = timezone.localdate()
    late = returned_report(institution, returned_on=today - datetime.timedelta(days=12), title="逾期报表")
    soon = returned_report(institution, returned_on=today - datetime.timedelta(days=4), title="待改报表")
    returned_report(other_institution, returned_on=today, title="他人报表")
    Report.objects.create(institution=institution, title="草稿报表")  # not returned: no deadline
    todos = [todo for todo in todos_for(inst_admin) if todo.module == "测试模块"]
    assert [(todo.title, todo.due_text) for todo in todos] == [
        (f"修改并重新提交被退回的报表：{late.title}", "已逾期 2 天"),
        (
            f"修改并重新提交被退回的报表：{soon.title}",
            f"还剩 6 天（截止 {today + datetime.timedelta(days=6):%Y-%m-%d}）",
        ),
    ]
    assert todos[0].url == late.get_absolute_url()
    assert [todo for todo in todos_for(inst_staff) if todo.module == "测试模块"] == []  # no 填报 permission
    grant(inst_staff, institution, "fill_reports")
    assert len([todo for todo in todos_for(inst_staff) if todo.module == "测试模块"]) == 2


def test_the_dashboard_shows_overdue_items_by_how_late_and_its_query_count_does_not_grow(
    client_for, institution, inst_admin
):
    today = timezone.localdate()
    client = client_for("inst_admin")
    url = reverse("portal:dashboard")

    def add(n: int) -> None:
        for i in range(n):
            returned_report(
                institution, returned_on=today - datetime.timedelta(days=12 + i), title=f"报表{i}"
            )
            CertificateFactory(institution=institution, expires_on=today + datetime.timedelta(days=40 + i))

    add(1)
    client.get(url)  # warm caches (content types, site settings) outside the count
    with CaptureQueriesContext(connection) as one:
        html = client.get(url).content.decode()
    assert "已逾期 2 天" in html
    assert "前修改" not in html and "请在 " not in html
    Report.objects.all().delete()
    Certificate.objects.all().delete()
    add(6)
    with CaptureQueriesContext(connection) as six:
        html = client.get(url).content.decode()
    assert html.count("修改并重新提交被退回的报表") == 6
    assert len(six) == len(one), "\n".join(query["sql"] for query in six.captured_queries)


def test_a_declared_todo_without_the_deadlines_own_date(declare, institution, inst_admin):
    # The to-do may ask for action before the deadline itself (a renewal applied for before expiry).
    today = timezone.localdate()
    declare(
        reminders=(Offset(days=30),),
        todo=DeadlineTodo(
            objects=lambda user: Certificate.objects.filter(institution=institution),
            title=lambda cert: f"核查证书 {cert.number}",
            module="测试核查",
            due=lambda cert: cert.expires_on - datetime.timedelta(days=10),
        ),
    )
    shown = CertificateFactory(institution=institution, expires_on=today + datetime.timedelta(days=25))
    CertificateFactory(institution=institution, expires_on=today + datetime.timedelta(days=45))  # not yet
    (todo,) = [todo for todo in todos_for(inst_admin) if todo.module == "测试核查"]
    assert todo.title == f"核查证书 {shown.number}"
    assert todo.due_date == shown.expires_on - datetime.timedelta(days=10)
    assert todo.url == "/certificates/"
