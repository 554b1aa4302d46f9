import io
import logging

import pytest
from django.core import mail
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from sujt.core import notifications
from sujt.core.models import Notification
from sujt.core.notifications import (
    ConsoleSmsBackend,
    LogSmsBackend,
    SmsMessage,
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
    notify,
    send_sms,
    unread_count,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_creates_one_message_per_active_recipient(inst_admin, inst_staff):
    inactive = UserFactory(is_active=False)
    created = notify(
        recipients=[inst_admin, inst_staff, inst_admin, inactive, None],
        title="整改通知书已下达",
        body="请于 2026-12-01 前提交整改报告。",
        url="/rectification/1/",
    )
    assert len(created) == 2
    rows = Notification.objects.order_by("recipient_id")
    assert [(n.recipient, n.title, n.body, n.url, n.read_at) for n in rows] == [
        (user, "整改通知书已下达", "请于 2026-12-01 前提交整改报告。", "/rectification/1/", None)
        for user in sorted([inst_admin, inst_staff], key=lambda u: u.pk)
    ]


def test_notify_with_nobody_does_nothing():
    assert notify(recipients=[], title="x") == []
    assert not Notification.objects.exists()


def test_notify_writes_in_bulk_whatever_the_number_of_recipients(inst_admin, inst_staff):
    users = UserFactory.create_batch(20)
    with CaptureQueriesContext(connection) as two:
        notify(recipients=[inst_admin, inst_staff], title="批量")
    with CaptureQueriesContext(connection) as twenty:
        notify(recipients=users, title="批量")
    assert len(two) == len(twenty) <= 3  # the insert, inside a savepoint
    assert Notification.objects.count() == 22


def test_unread_count_and_listing(inst_admin, inst_staff, django_assert_num_queries):
    notify(recipients=[inst_admin], title="一")
    notify(recipients=[inst_admin], title="二")
    notify(recipients=[inst_staff], title="别人的")
    with django_assert_num_queries(1):
        assert unread_count(user=inst_admin) == 2
    assert [n.title for n in notifications_for(user=inst_admin)] == ["二", "一"]


def test_anonymous_has_no_unread_messages():
    from django.contrib.auth.models import AnonymousUser

    assert unread_count(user=AnonymousUser()) == 0


def test_mark_read_marks_only_the_users_own_message(inst_admin, other_inst_admin):
    (mine,) = notify(recipients=[inst_admin], title="我的")
    (theirs,) = notify(recipients=[other_inst_admin], title="别人的")

    read = notification_mark_read(user=inst_admin, pk=mine.pk)
    assert read.read_at is not None
    first_read_at = read.read_at
    assert notification_mark_read(user=inst_admin, pk=mine.pk).read_at == first_read_at  # idempotent
    assert unread_count(user=inst_admin) == 0

    with pytest.raises(Http404):
        notification_mark_read(user=inst_admin, pk=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(inst_admin, inst_staff):
    notify(recipients=[inst_admin, inst_staff], title="一")
    notify(recipients=[inst_admin], title="二")
    assert notifications_mark_all_read(user=inst_admin) == 2
    assert notifications_mark_all_read(user=inst_admin) == 0
    assert unread_count(user=inst_admin) == 0
    assert unread_count(user=inst_staff) == 1


def test_sms_goes_out_through_the_configured_backend_after_commit(
    inst_admin, inst_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            recipients=[inst_admin, inst_staff], title="临时密码", body="您的临时密码为 Abc@123456", sms=True
        )
    assert notifications.sms_outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(notifications.sms_outbox, key=lambda m: m.phone) == sorted(
        [
            SmsMessage(inst_admin.phone, "【苏检通】临时密码：您的临时密码为 Abc@123456"),
            SmsMessage(inst_staff.phone, "【苏检通】临时密码：您的临时密码为 Abc@123456"),
        ],
        key=lambda m: m.phone,
    )


def test_email_goes_out_after_commit_to_users_with_an_address(
    inst_admin, inst_staff, django_capture_on_commit_callbacks
):
    inst_admin.email = "admin@example.cn"
    inst_admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[inst_admin, inst_staff],
            title="信用等级变更",
            body="您单位信用等级变为 A。",
            url="/credit/",
            email=True,
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin@example.cn"]
    assert mail.outbox[0].subject == "信用等级变更"
    assert mail.outbox[0].body == "您单位信用等级变为 A。\n\n/credit/"


def test_send_sms_uses_settings_sms_backend(settings):
    send_sms(phone="13900000001", message="测试")
    assert notifications.sms_outbox == [SmsMessage("13900000001", "测试")]

    settings.SMS_BACKEND = "sujt.core.notifications.LogSmsBackend"
    assert isinstance(notifications.get_sms_backend(), LogSmsBackend)
    settings.SMS_BACKEND = "sujt.core.notifications.ConsoleSmsBackend"
    assert isinstance(notifications.get_sms_backend(), ConsoleSmsBackend)


def test_console_and_log_backends_write_the_message(caplog):
    stream = io.StringIO()
    ConsoleSmsBackend(stream=stream).send(phone="13900000001", message="验证码 123456")
    assert stream.getvalue() == "[短信] 13900000001: 验证码 123456\n"

    with caplog.at_level(logging.INFO, logger="sujt.core.notifications"):
        LogSmsBackend().send(phone="13900000001", message="验证码 123456")
    assert "139****0001" in caplog.text and "验证码 123456" in caplog.text
    assert "13900000001" not in caplog.text
