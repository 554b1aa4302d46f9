"""Certificate expiry: renewal to-dos, reminders 6/3/1 months before expiry, the daily expiry job."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from institutions.choices import CertificateStatus
from institutions.models import Certificate, CertificateReminder
from institutions.services.certificates import (
    EXPIRED_REASON,
    certificate_reminders_send,
    certificates_expire,
    reminder_due,
    renewal_deadline,
)
from institutions.services.completeness import completeness_recalculate
from institutions.tasks import certificate_reminders_task, certificates_expire_task
from sujt.core import notifications
from sujt.core.audit import SYSTEM_TASK_ACTOR
from sujt.core.choices import TodoUrgency
from sujt.core.models import Notification
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
    return [todo for todo in todos_for(user) if todo.title.startswith("资质认定证书")]


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
    assert reminder_due(expires_on=expires_on, today=TODAY) == expected


def test_the_renewal_deadline_is_three_calendar_months_before_expiry():
    assert renewal_deadline(D(2027, 5, 31)) == D(2027, 2, 28)
    assert renewal_deadline(D(2027, 1, 15)) == D(2026, 10, 15)


# --- Reminders ---------------------------------------------------------------------------------------


def test_a_reminder_is_sent_once_per_threshold_to_the_admins_in_site_and_by_sms(
    institution, inst_admin, inst_staff, sms_outbox, django_capture_on_commit_callbacks
):
    certificate = cert(institution, D(2027, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_reminders_send(today=TODAY) == 1
        assert certificate_reminders_send(today=TODAY) == 0
    (message,) = Notification.objects.all()
    assert message.recipient == inst_admin
    assert certificate.number in message.title and "2027-02-01" in message.body
    assert [sms.phone for sms in sms_outbox] == [inst_admin.phone]
    assert list(CertificateReminder.objects.values_list("months_before", "expires_on")) == [
        (6, D(2027, 5, 1))
    ]


def test_each_threshold_follows_as_the_expiry_date_comes_closer(institution, inst_admin):
    certificate = cert(institution, D(2027, 5, 1))
    sent = {
        day: certificate_reminders_send(today=day)
        for day in [TODAY, D(2027, 1, 1), D(2027, 2, 1), D(2027, 2, 2), D(2027, 4, 1)]
    }
    assert sent == {TODAY: 1, D(2027, 1, 1): 0, D(2027, 2, 1): 1, D(2027, 2, 2): 0, D(2027, 4, 1): 1}
    assert sorted(certificate.reminders.values_list("months_before", flat=True)) == [1, 3, 6]
    titles = list(Notification.objects.order_by("pk").values_list("title", flat=True))
    assert titles[1].startswith("资质认定证书续期申请截止提醒")
    assert titles[2].startswith("资质认定证书即将到期")


def test_a_certificate_seen_late_gets_only_the_most_urgent_reminder(institution, inst_admin):
    cert(institution, D(2027, 1, 20))  # less than 3 months away
    assert certificate_reminders_send(today=TODAY) == 1
    assert list(CertificateReminder.objects.values_list("months_before", flat=True)) == [3]


def test_a_renewed_certificate_gets_new_reminders(institution, inst_admin):
    certificate = cert(institution, D(2027, 5, 1))
    certificate_reminders_send(today=TODAY)
    certificate.expires_on = D(2027, 5, 10)
    certificate.save()
    assert certificate_reminders_send(today=TODAY) == 1
    assert certificate.reminders.count() == 2


def test_only_valid_certificates_are_reminded(institution, inst_admin):
    cert(institution, D(2027, 3, 1), status=CertificateStatus.SUSPENDED)
    cert(institution, D(2027, 3, 1), status=CertificateStatus.REVOKED)
    cert(institution, D(2028, 3, 1))  # far away
    assert certificate_reminders_send(today=TODAY) == 0
    assert not Notification.objects.exists()


def test_the_task_sends_the_reminders(institution, inst_admin):
    cert(institution, timezone.localdate() + datetime.timedelta(days=20))
    assert certificate_reminders_task.delay().get() == 1
    assert Notification.objects.filter(recipient=inst_admin).count() == 1


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
    assert f"截止 {renewal_deadline(certificate.expires_on):%Y-%m-%d}" in html


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


def test_the_command_runs_for_a_given_date(institution):
    cert(institution, D(2026, 1, 1))
    out = io.StringIO()
    call_command("certificates_check", "--date", "2025-12-31", stdout=out)
    assert "已将 0 张证书" in out.getvalue()


# --- Beat schedule -----------------------------------------------------------------------------------


def test_both_jobs_are_scheduled_daily():
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    expire = tasks["institutions.tasks.certificates_expire_task"]
    remind = tasks["institutions.tasks.certificate_reminders_task"]
    assert (expire.hour, expire.minute) == ({0}, {10})
    assert (remind.hour, remind.minute) == ({8}, {30})


def test_the_schedule_times_come_from_the_environment(monkeypatch):
    from sujt.settings import env_crontab

    monkeypatch.setenv("CERTIFICATE_REMINDERS_CRON", "15 9 * * 1-5")
    schedule = env_crontab("CERTIFICATE_REMINDERS_CRON", "30 8 * * *")
    assert (schedule.hour, schedule.minute, schedule.day_of_week) == ({9}, {15}, {1, 2, 3, 4, 5})
    monkeypatch.setenv("CERTIFICATE_REMINDERS_CRON", "30 25 * * *")
    with pytest.raises(ImproperlyConfigured, match="CERTIFICATE_REMINDERS_CRON"):
        env_crontab("CERTIFICATE_REMINDERS_CRON", "30 8 * * *")
