"""Issue 10 item 5: every SMS is limited per target phone and per acting user; an action over a limit is
refused whole with a clear message, and reminders over it are skipped, never queued."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sujt.accounts import services
from sujt.accounts.models import Membership, User
from sujt.core.models import Notification
from sujt.core.notifications import notify
from sujt.core.ratelimit import Refusal, limit_take


def texts(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def staff_membership(inst_staff, institution):
    return Membership.objects.get(user=inst_staff, institution=institution)


def test_ten_password_resets_in_a_row_send_at_most_the_hourly_limit(
    client_for, staff_membership, inst_staff, sms_outbox, django_capture_on_commit_callbacks, settings
):
    assert settings.SMS_LIMITS["phone"][0] == (5, 3600)
    client = client_for("inst_admin")
    url = reverse("accounts:user_reset_password", args=[staff_membership.pk])
    refusals = []
    for _ in range(10):
        password_before = User.objects.get(pk=inst_staff.pk).password
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url)
        if "已达上限" in texts(response)[-1]:
            refusals.append(texts(response)[-1])
            # A refused reset changes nothing: the last texted password still works.
            assert User.objects.get(pk=inst_staff.pk).password == password_before
    assert len(sms_outbox) == 5
    assert len(refusals) == 5
    assert "每小时最多5条" in refusals[0] and "后再试" in refusals[0]
    last = re.search(r"临时密码：(\S+?)。", sms_outbox[-1].message).group(1)
    assert User.objects.get(pk=inst_staff.pk).check_password(last)


def test_one_user_adding_many_new_phones_is_stopped_by_the_sender_limit(
    client_for, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.SMS_LIMITS = {**settings.SMS_LIMITS, "sender": [(3, 3600)]}
    client = client_for("inst_admin")
    outcomes = []
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("accounts:user_add"),
                {
                    "phone": f"1396600000{n}",
                    "name": f"新人{n}",
                    "id_card_number": "",
                    "email": "",
                    "role": "staff",
                },
            )
        outcomes.append(response.status_code)
    assert outcomes == [302, 302, 302, 200, 200]
    assert "操作过于频繁" in response.content.decode()
    assert User.objects.filter(phone__startswith="13966").count() == 3
    assert len(sms_outbox) == 3


def test_invitations_to_one_phone_count_against_its_limit(
    institution, inst_admin, settings, other_inst_admin
):
    settings.SMS_LIMITS = {**settings.SMS_LIMITS, "phone": [(1, 3600)]}
    notify(recipients=[other_inst_admin], title="先来的一条提醒", sms=True)
    with pytest.raises(ValidationError, match="已达上限"):
        services.membership_add(institution=institution, by=inst_admin, phone=other_inst_admin.phone, name="")
    assert not other_inst_admin.invitations.exists()


def test_reminders_over_the_limit_are_skipped_but_still_shown_in_site(
    inst_staff, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.SMS_LIMITS = {**settings.SMS_LIMITS, "phone": [(2, 3600)]}
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            notify(recipients=[inst_staff], title=f"提醒{n}", sms=True)
    assert len(sms_outbox) == 2
    assert Notification.objects.filter(recipient=inst_staff).count() == 4


def test_limits_count_per_window_and_say_when_to_retry():
    assert limit_take(scope="t", key="a", limits=[(2, 3600)]) is None
    assert limit_take(scope="t", key="a", limits=[(2, 3600)]) is None
    refusal = limit_take(scope="t", key="a", limits=[(2, 3600)])
    assert isinstance(refusal, Refusal) and refusal.count == 2 and 0 < refusal.retry_after <= 3600
    assert refusal.period_label == "每小时"
    assert limit_take(scope="t", key="b", limits=[(2, 3600)]) is None


@pytest.mark.parametrize(
    ("seconds", "retry", "period", "wait"),
    [(86400, 7200, "每天", "2小时"), (3600, 59, "每小时", "1分钟"), (600, 300, "每10分钟", "5分钟")],
)
def test_refusal_labels_are_plain_chinese(seconds, retry, period, wait):
    refusal = Refusal(count=1, seconds=seconds, retry_after=retry)
    assert (refusal.period_label, refusal.retry_label) == (period, wait)
