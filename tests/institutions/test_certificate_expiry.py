"""Certificate expiry: renewal to-dos, reminders 6/3/1 months before expiry (the core deadline
"institutions.certificate_expiry"), the daily expiry job."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from institutions.choices import CertificateStatus
from institutions.integrations.certificates import CERTIFICATE_DEADLINE
from institutions.models import Certificate
from institutions.services.certificates import EXPIRED_REASON, certificates_expire, renewal_deadline
from institutions.services.completeness import completeness_recalculate
from institutions.tasks import certificates_expire_task
from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import Membership
from sujt.core import notifications
from sujt.core.audit import SYSTEM_TASK_ACTOR
from sujt.core.choices import TodoUrgency
from sujt.core.deadlines import deadline_get, deadlines_run, notices_of
from sujt.core.models import DeadlineNotice, Notification
from sujt.core.tasks import deadlines_run_task
from sujt.core.todos import todos_for
from tests.factories import CertificateFactory

D = datetime.date
TODAY = D(2026, 11, 24)


@pytest.fixture(autouse=True)
def sms_outbox():
    notifications.sms_outbox.clear()
    yield notifications.sms_outbox
    notifications.sms_outbox.clear()


def cert(institution, expires_on, **fields):
    issued_on = expires_on - datetime.timedelta(days=6 * 365)
    return CertificateFactory(institution=institution, issued_on=issued_on, expires_on=expires_on, **fields)


def renewal_todos(user):
    return [todo for todo in todos_for(user) if "资质认定证书" in todo.title]


def remind(today) -> int:
    """The certificate deadline's part of the daily job: how many reminders it sent."""
    return deadlines_run(today=today, keys=[CERTIFICATE_DEADLINE]).count(CERTIFICATE_DEADLINE)


def sent(certificate=None) -> list[tuple[str, datetime.date]]:
    notices = DeadlineNotice.objects.filter(deadline=CERTIFICATE_DEADLINE)
    if certificate is not None:
        notices = notices.filter(object_id=certificate.pk)
    return sorted(notices.values_list("step", "due_on"))


# --- Thresholds ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_on", "expected"),
    [
        (D(2027, 5, 25), None),  # 6 months and a day away
        (D(2027, 5, 24), 6),
        (D(2027, 2, 25), 6),
        (D(2027, 2, 24), 3),  # the renewal deadline is today
        (D(2026, 12, 25), 3),
        (D(2026, 12, 24), 1),
        (TODAY, 1),
        (D(2026, 11, 23), None),  # already expired
    ],
)
def test_the_most_urgent_threshold_reached(expires_on, expected):
    offset = deadline_get(CERTIFICATE_DEADLINE).reminder_due(due_on=expires_on, today=TODAY)
    assert (offset and offset.months) == expected


def test_the_renewal_deadline_is_three_calendar_months_before_expiry():
    assert renewal_deadline(D(2027, 5, 31)) == D(2027, 2, 28)
    assert renewal_deadline(D(2027, 1, 15)) == D(2026, 10, 15)


# --- Reminders ---------------------------------------------------------------------------------------


def test_a_reminder_is_sent_once_per_threshold_to_the_admins_in_site_and_by_sms(
    institution, inst_admin, inst_staff, sms_outbox, django_capture_on_commit_callbacks
):
    certificate = cert(institution, D(2027, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind(TODAY) == 1
        assert remind(TODAY) == 0
    (message,) = Notification.objects.all()
    assert message.recipient == inst_admin
    assert certificate.number in message.title and "2027-02-01" in message.body
    assert message.url == reverse("institutions:certificate_list")
    assert [sms.phone for sms in sms_outbox] == [inst_admin.phone]
    assert sent() == [("remind-6m", D(2027, 5, 1))]
    assert notices_of(certificate).get().recipients == 1


def test_each_threshold_follows_as_the_expiry_date_comes_closer(institution, inst_admin):
    certificate = cert(institution, D(2027, 5, 1))
    counts = {day: remind(day) for day in [TODAY, D(2027, 1, 1), D(2027, 2, 1), D(2027, 2, 2), D(2027, 4, 1)]}
    assert counts == {TODAY: 1, D(2027, 1, 1): 0, D(2027, 2, 1): 1, D(2027, 2, 2): 0, D(2027, 4, 1): 1}
    assert [step for step, _due in sent(certificate)] == ["remind-1m", "remind-3m", "remind-6m"]
    titles = list(Notification.objects.order_by("pk").values_list("title", flat=True))
    assert titles[1].startswith("资质认定证书续期申请截止提醒")
    assert titles[2].startswith("资质认定证书即将到期")


def test_a_certificate_seen_late_gets_only_the_most_urgent_reminder(institution, inst_admin):
    cert(institution, D(2027, 1, 20))  # less than 3 months away
    assert remind(TODAY) == 1
    assert [step for step, _due in sent()] == ["remind-3m"]
    assert Notification.objects.count() == 1


def test_a_renewed_certificate_gets_new_reminders(institution, inst_admin):
    certificate = cert(institution, D(2027, 5, 1))
    remind(TODAY)
    certificate.expires_on = D(2027, 5, 10)
    certificate.save()
    assert remind(TODAY) == 1
    assert sent(certificate) == [("remind-6m", D(2027, 5, 1)), ("remind-6m", D(2027, 5, 10))]


def test_only_valid_certificates_are_reminded(institution, inst_admin):
    cert(institution, D(2027, 3, 1), status=CertificateStatus.SUSPENDED)
    cert(institution, D(2027, 3, 1), status=CertificateStatus.REVOKED)
    cert(institution, D(2028, 3, 1))  # far away
    assert remind(TODAY) == 0
    assert not Notification.objects.exists()


def test_no_reminder_once_the_certificate_has_expired_and_no_overdue_step(institution, inst_admin):
    cert(institution, D(2026, 11, 1))  # the expiry job marks it 过期; the deadline does nothing more
    assert remind(TODAY) == 0
    assert sent() == []


def test_the_daily_deadline_task_sends_the_reminders(institution, inst_admin):
    cert(institution, timezone.localdate() + datetime.timedelta(days=20))
    result = deadlines_run_task.delay().get()
    assert result["done"][f"{CERTIFICATE_DEADLINE}:remind-1m"] == 1
    assert Notification.objects.filter(recipient=inst_admin).count() == 1


def test_the_certificate_admin_lists_the_reminders_sent(client_for, institution, inst_admin):
    certificate = cert(institution, D(2027, 5, 1))
    remind(TODAY)
    url = reverse("admin:institutions_certificate_change", args=[certificate.pk])
    html = client_for("city_regulator").get(url).content.decode()
    assert "已发送的到期提醒" in html
    assert "资质认定证书到期 到期前6个月提醒（通知 1 人）" in html


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_reminders_sent_before_the_move_onto_deadlines_are_not_sent_again(institution, inst_admin):
    certificate = cert(institution, D(2027, 5, 1))
    old = migrate(("institutions", "0004_sync_state_lock"))
    old.get_model("institutions", "CertificateReminder").objects.create(
        certificate_id=certificate.pk, months_before=6, expires_on=D(2027, 5, 1)
    )
    migrate(("institutions", "0006_delete_certificatereminder"))
    assert sent() == [("remind-6m", D(2027, 5, 1))]
    assert remind(TODAY) == 0
    assert not Notification.objects.exists()
    assert remind(D(2027, 2, 1)) == 1  # the next threshold still follows


# --- To-dos ------------------------------------------------------------------------------------------


def test_certificates_expiring_within_six_months_are_todos_due_at_the_renewal_deadline(
    institution, inst_admin, other_institution
):
    today = timezone.localdate()
    soon = cert(institution, today + datetime.timedelta(days=120))
    late = cert(institution, today + datetime.timedelta(days=40))  # renewal deadline already passed
    cert(institution, today + datetime.timedelta(days=250))  # beyond 6 months
    cert(institution, today + datetime.timedelta(days=40), status=CertificateStatus.SUSPENDED)
    cert(other_institution, today + datetime.timedelta(days=40))
    todos = renewal_todos(inst_admin)
    assert [todo.due_date for todo in todos] == [
        renewal_deadline(late.expires_on),
        renewal_deadline(soon.expires_on),
    ]
    assert todos[0].urgency == TodoUrgency.OVERDUE
    assert todos[1].urgency == TodoUrgency.NORMAL
    assert late.number in todos[0].title and "续期申请截止" in todos[0].title
    # Past the renewal deadline the to-do says how late it is, never "before <a past date>".
    assert "请在 " not in todos[0].title
    assert todos[0].due_text == f"已逾期 {(today - renewal_deadline(late.expires_on)).days} 天"
    assert todos[0].url == reverse("institutions:certificate_list")
    assert todos[0].module == "02 机构风采管理"


def test_renewal_todos_are_for_members_who_manage_the_profile(institution, inst_staff, grant):
    cert(institution, timezone.localdate() + datetime.timedelta(days=60))
    assert renewal_todos(inst_staff) == []
    grant(inst_staff, institution, "manage_profile")
    assert len(renewal_todos(inst_staff)) == 1


def test_the_dashboard_lists_the_renewal_todo(client_for, institution):
    certificate = cert(institution, timezone.localdate() + datetime.timedelta(days=100))
    html = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    assert certificate.number in html
    deadline = renewal_deadline(certificate.expires_on)
    assert f"还剩 {(deadline - timezone.localdate()).days} 天（截止 {deadline:%Y-%m-%d}）" in html


def test_the_dashboard_says_how_late_an_overdue_renewal_is(client_for, institution):
    certificate = cert(institution, timezone.localdate() + datetime.timedelta(days=40))
    html = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    late = (timezone.localdate() - renewal_deadline(certificate.expires_on)).days
    assert certificate.number in html
    assert f"已逾期 {late} 天" in html
    assert f"请在 {renewal_deadline(certificate.expires_on):%Y-%m-%d}" not in html


def test_a_member_of_two_institutions_sees_whose_certificate_each_is(
    institution, other_institution, inst_admin
):
    Membership.objects.create(user=inst_admin, institution=other_institution, role=MembershipRole.ADMIN)
    cert(institution, timezone.localdate() + datetime.timedelta(days=60))
    cert(other_institution, timezone.localdate() + datetime.timedelta(days=70))
    titles = [todo.title for todo in renewal_todos(inst_admin)]
    assert [title.split("：")[0] for title in titles] == [institution.name, other_institution.name]


# --- The expiry job ----------------------------------------------------------------------------------


def test_the_job_expires_only_valid_certificates_past_their_date(institution, other_institution):
    past = cert(institution, D(2026, 11, 23))
    today = cert(institution, TODAY)
    suspended = cert(institution, D(2026, 10, 1), status=CertificateStatus.SUSPENDED)
    other = cert(other_institution, D(2026, 1, 1))
    assert certificates_expire(today=TODAY) == 2
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    assert statuses == {
        past.pk: CertificateStatus.EXPIRED,
        today.pk: CertificateStatus.VALID,
        suspended.pk: CertificateStatus.SUSPENDED,
        other.pk: CertificateStatus.EXPIRED,
    }
    assert certificates_expire(today=TODAY) == 0


def test_expiry_history_is_attributed_to_the_system_user(institution):
    certificate = cert(institution, D(2026, 1, 1))
    certificates_expire(today=TODAY)
    row = certificate.history.order_by("-history_id").first()
    assert row.status == CertificateStatus.EXPIRED
    assert row.history_type == "~" and row.history_change_reason == EXPIRED_REASON
    assert row.history_user.is_system and row.history_user.name == SYSTEM_TASK_ACTOR


def test_expiry_recalculates_the_completeness_of_the_institutions(institution):
    cert(institution, D(2026, 1, 1))
    before = completeness_recalculate(institution_id=institution.pk)
    certificates_expire(today=TODAY)
    institution.refresh_from_db()
    assert institution.completeness == before - 5  # no valid certificate any more


def test_the_expiry_task_and_the_operators_command(institution, inst_admin):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    first = cert(institution, yesterday)
    assert certificates_expire_task.delay().get() == 1
    first.refresh_from_db()
    assert first.status == CertificateStatus.EXPIRED

    cert(institution, yesterday)
    cert(institution, timezone.localdate() + datetime.timedelta(days=10))
    out = io.StringIO()
    call_command("certificates_check", stdout=out)
    assert out.getvalue().strip() == "已将 1 张证书的状态置为过期；发送到期提醒 1 条。"
    assert sent() != []


def test_the_command_runs_for_a_given_date(institution):
    cert(institution, D(2026, 1, 1))
    out = io.StringIO()
    call_command("certificates_check", "--date", "2025-12-31", stdout=out)
    assert "已将 0 张证书" in out.getvalue()


# --- Beat schedule -----------------------------------------------------------------------------------


def test_both_jobs_are_scheduled_daily():
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    expire = tasks["institutions.tasks.certificates_expire_task"]
    deadlines = tasks["sujt.core.tasks.deadlines_run_task"]  # the reminders, with every other deadline's
    assert (expire.hour, expire.minute) == ({0}, {10})
    assert (deadlines.hour, deadlines.minute) == ({8}, {30})
    assert "institutions.tasks.certificate_reminders_task" not in tasks


def test_the_schedule_times_come_from_the_environment(monkeypatch):
    from sujt.settings import env_crontab

    monkeypatch.setenv("DEADLINES_CRON", "15 9 * * 1-5")
    schedule = env_crontab("DEADLINES_CRON", "30 8 * * *")
    assert (schedule.hour, schedule.minute, schedule.day_of_week) == ({9}, {15}, {1, 2, 3, 4, 5})
    monkeypatch.setenv("DEADLINES_CRON", "30 25 * * *")
    with pytest.raises(ImproperlyConfigured, match="DEADLINES_CRON"):
        env_crontab("DEADLINES_CRON", "30 8 * * *")
