"""Issue 12 deliverable 5: regulators unlock and reset the accounts of institution users in their region,
audited, through the user admin; django-axes' records are shown in Chinese."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from sujt.accounts import services
from sujt.accounts.choices import LoginEventKind
from sujt.accounts.models import LoginEvent, User
from tests.factories import DEFAULT_PASSWORD

WRONG = "Wrong-Password-1"
PASSWORD_IN_SMS = re.compile(r"临时密码：(\S+?)。")


@pytest.fixture
def lock(login):
    """lock(user): five wrong passwords through the login page, as an attacker would type them."""

    def run(user: User) -> None:
        for n in range(5):
            login(Client(), user.phone, WRONG, ip=f"10.9.0.{n + 1}")
        assert AccessAttempt.objects.filter(username=user.phone).exists()

    return run


def can_log_in(login, user: User, password: str = DEFAULT_PASSWORD) -> bool:
    client = Client()
    login(client, user.phone, password, ip="10.9.9.9")
    return "_auth_user_id" in client.session


def unlock_url(user: User) -> str:
    return reverse("admin:accounts_user_unlock", args=[user.pk])


def reset_url(user: User) -> str:
    return reverse("admin:accounts_user_reset_password", args=[user.pk])


def confirm(client: Client, url: str):
    return client.post(url, {"confirm_reset": "yes"})


# --- Seeing who is locked -------------------------------------------------------------------------


def test_a_locked_account_is_marked_in_the_user_list_filter_and_change_page(
    client_for, inst_staff, inst_admin, lock
):
    lock(inst_staff)
    client = client_for("city_regulator")
    changelist = reverse("admin:accounts_user_changelist")
    page = client.get(changelist).content.decode()
    assert "已锁定" in page
    locked_only = client.get(changelist, {"locked": "yes"})
    assert [user.pk for user in locked_only.context["cl"].result_list] == [inst_staff.pk]
    not_locked = client.get(changelist, {"locked": "no"})
    assert inst_staff.pk not in [user.pk for user in not_locked.context["cl"].result_list]
    change = client.get(reverse("admin:accounts_user_change", args=[inst_staff.pk])).content.decode()
    assert "连续登录失败5次" in change
    assert unlock_url(inst_staff) in change and reset_url(inst_staff) in change
    other = client.get(reverse("admin:accounts_user_change", args=[inst_admin.pk])).content.decode()
    assert unlock_url(inst_admin) not in other  # not locked: no unlock button
    assert reset_url(inst_admin) in other


# --- Unlock ---------------------------------------------------------------------------------------


def test_a_city_regulator_unlocks_a_user_of_their_city_who_can_then_log_in(
    client_for, city_regulator, inst_staff, inst_admin, lock, login
):
    lock(inst_staff)
    lock(inst_admin)
    assert not can_log_in(login, inst_staff)
    client = client_for("city_regulator")
    page = client.get(unlock_url(inst_staff))  # the confirmation page changes nothing
    assert page.status_code == 200 and "确认解除锁定" in page.content.decode()
    assert AccessAttempt.objects.filter(username=inst_staff.phone).exists()
    response = confirm(client, unlock_url(inst_staff))
    assert response.status_code == 302
    assert can_log_in(login, inst_staff)
    # Only that account: the other locked one stays locked.
    assert not can_log_in(login, inst_admin)
    event = LoginEvent.objects.get(kind=LoginEventKind.UNLOCKED)
    assert (event.user, event.by) == (inst_staff, city_regulator)
    history = inst_staff.history.filter(history_change_reason__contains="解除登录锁定").get()
    assert history.history_user == city_regulator


def test_the_unlock_action_unlocks_the_selected_accounts(client_for, inst_staff, lock, login):
    lock(inst_staff)
    client = client_for("city_regulator")
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_accounts", "_selected_action": [inst_staff.pk]},
        follow=True,
    )
    assert "已解除锁定" in response.content.decode()
    assert can_log_in(login, inst_staff)


def test_unlock_changes_state_only_on_a_confirmed_post(client_for, inst_staff, lock):
    lock(inst_staff)
    client = client_for("city_regulator")
    client.post(unlock_url(inst_staff))  # no confirmation field: the page again
    assert AccessAttempt.objects.filter(username=inst_staff.phone).exists()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(User.objects.get(regulator__region_code="320100"))
    assert confirm(csrf_client, unlock_url(inst_staff)).status_code == 403
    assert AccessAttempt.objects.filter(username=inst_staff.phone).exists()


@pytest.mark.parametrize("kind", ["unlock", "reset"])
def test_another_citys_regulator_gets_404_and_nothing_changes(
    client_for, inst_staff, lock, kind, sms_outbox, django_capture_on_commit_callbacks
):
    lock(inst_staff)
    password = User.objects.get(pk=inst_staff.pk).password
    client = client_for("other_city_regulator")
    url = unlock_url(inst_staff) if kind == "unlock" else reset_url(inst_staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 404
        assert confirm(client, url).status_code == 404
        # The actions skip the account too.
        client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "unlock_accounts", "_selected_action": [inst_staff.pk]},
        )
        client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_passwords", "_selected_action": [inst_staff.pk], "confirm_reset": "yes"},
        )
    assert AccessAttempt.objects.filter(username=inst_staff.phone).exists()
    assert User.objects.get(pk=inst_staff.pk).password == password
    assert sms_outbox == []
    assert not LoginEvent.objects.filter(kind__in=[LoginEventKind.UNLOCKED, LoginEventKind.PASSWORD_RESET])


@pytest.mark.parametrize("target", ["other_city_regulator", "city_regulator_colleague", "superuser"])
def test_a_city_regulator_cannot_unlock_or_reset_a_regulator_or_superuser(
    client_for, target, request, lock, sms_outbox, django_capture_on_commit_callbacks
):
    if target == "city_regulator_colleague":
        from tests.factories import RegulatorFactory

        user = RegulatorFactory(region_code="320100").user
    else:
        user = request.getfixturevalue(target)
    lock(user)
    password = User.objects.get(pk=user.pk).password
    client = client_for("city_regulator")
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, unlock_url(user)).status_code == 404
        assert confirm(client, reset_url(user)).status_code == 404
    assert AccessAttempt.objects.filter(username=user.phone).exists()
    assert User.objects.get(pk=user.pk).password == password
    assert sms_outbox == []


def test_the_services_refuse_an_account_outside_the_regulators_reach(other_city_regulator, inst_staff, lock):
    from django.core.exceptions import PermissionDenied

    lock(inst_staff)
    with pytest.raises(PermissionDenied):
        services.account_unlock(user=inst_staff, by=other_city_regulator)
    with pytest.raises(PermissionDenied):
        services.account_password_reset_by_regulator(user=inst_staff, by=other_city_regulator)
    assert AccessAttempt.objects.filter(username=inst_staff.phone).exists()


def test_an_institution_user_cannot_reach_the_account_help_urls(client_for, inst_staff, inst_admin, lock):
    lock(inst_staff)
    response = confirm(client_for("inst_admin"), unlock_url(inst_staff))
    assert (response.status_code == 302 and "/login/" in response.url) or response.status_code in (403, 404)
    assert AccessAttempt.objects.filter(username=inst_staff.phone).exists()


@pytest.mark.parametrize("who", ["province_regulator", "superuser"])
def test_the_province_and_superusers_help_everywhere(
    client_for, who, inst_staff, other_inst_admin, lock, login, sms_outbox, django_capture_on_commit_callbacks
):
    lock(inst_staff)
    lock(other_inst_admin)
    client = client_for(who)
    assert confirm(client, unlock_url(inst_staff)).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, reset_url(other_inst_admin)).status_code == 302
    assert can_log_in(login, inst_staff)
    assert len(sms_outbox) == 1 and sms_outbox[0].phone == other_inst_admin.phone


def test_a_superuser_may_unlock_a_regulator(client_for, city_regulator, lock, login):
    lock(city_regulator)
    assert confirm(client_for("superuser"), unlock_url(city_regulator)).status_code == 302
    assert can_log_in(login, city_regulator)


# --- Reset password -------------------------------------------------------------------------------


def test_a_reset_texts_one_temporary_password_that_the_regulator_never_sees(
    client_for, city_regulator, inst_staff, lock, login, sms_outbox, django_capture_on_commit_callbacks
):
    lock(inst_staff)
    client = client_for("city_regulator")
    page = client.get(reset_url(inst_staff))
    assert page.status_code == 200
    assert "确认重置并发送短信" in page.content.decode() and inst_staff.phone in page.content.decode()
    assert sms_outbox == []  # the confirmation page sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, reset_url(inst_staff))
    assert response.status_code == 302
    followed = client.get(response.url)
    assert len(sms_outbox) == 1
    sms = sms_outbox[0]
    assert sms.phone == inst_staff.phone
    password = PASSWORD_IN_SMS.search(sms.message).group(1)
    assert password.isalnum()
    assert "南京市市场监督管理局已为您重置密码" in sms.message
    shown = followed.content.decode() + str([str(m) for m in followed.context["messages"]])
    assert password not in shown and "临时密码已通过短信发送" in shown
    user = User.objects.get(pk=inst_staff.pk)
    assert user.must_change_password
    assert not can_log_in(login, inst_staff)  # the old password no longer works
    assert can_log_in(login, inst_staff, password)  # and the lock is gone
    event = LoginEvent.objects.get(kind=LoginEventKind.PASSWORD_RESET)
    assert (event.user, event.by) == (inst_staff, city_regulator) and event.created_at
    assert password not in event.phone + (event.user_agent or "")
    history = user.history.filter(history_change_reason__contains="监管人员重置密码").get()
    assert history.history_user == city_regulator


def test_a_reset_ends_the_users_sessions(client_for, inst_staff, django_capture_on_commit_callbacks):
    session = Client()
    session.force_login(inst_staff)
    assert session.get("/dashboard/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client_for("city_regulator"), reset_url(inst_staff))
    response = session.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response.url


def test_the_reset_action_asks_first_then_resets(
    client_for, inst_staff, inst_admin, sms_outbox, django_capture_on_commit_callbacks
):
    client = client_for("city_regulator")
    changelist = reverse("admin:accounts_user_changelist")
    selected = {"action": "reset_passwords", "_selected_action": [inst_staff.pk, inst_admin.pk]}
    page = client.post(changelist, selected)
    assert page.status_code == 200 and "确认重置密码" in page.content.decode()
    assert sms_outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {**selected, "confirm_reset": "yes"})
    assert sorted(sms.phone for sms in sms_outbox) == sorted([inst_staff.phone, inst_admin.phone])


def test_over_the_sms_limit_a_reset_is_refused_in_chinese_and_changes_nothing(
    client_for, inst_staff, lock, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.SMS_LIMITS = {**settings.SMS_LIMITS, "phone": [(1, 3600)]}
    lock(inst_staff)
    client = client_for("city_regulator")
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, reset_url(inst_staff))
    first = PASSWORD_IN_SMS.search(sms_outbox[0].message).group(1)
    for _ in range(3):
        # The user is locked out again before the next attempt: a refused reset must not unlock either.
        AccessAttempt.objects.create(
            username=inst_staff.phone,
            failures_since_start=5,
            ip_address="10.9.0.1",
            user_agent="x",
            path_info="/",
        )
        password = User.objects.get(pk=inst_staff.pk).password
        with django_capture_on_commit_callbacks(execute=True):
            response = confirm(client, reset_url(inst_staff))
        texts = [str(m) for m in client.get(response.url).context["messages"]]
        assert any("已达上限" in text and "后再试" in text for text in texts)
        assert User.objects.get(pk=inst_staff.pk).password == password
        assert AccessAttempt.objects.filter(username=inst_staff.phone).exists()
        AccessAttempt.objects.filter(username=inst_staff.phone).delete()
    assert len(sms_outbox) == 1
    assert User.objects.get(pk=inst_staff.pk).check_password(first)
    assert LoginEvent.objects.filter(kind=LoginEventKind.PASSWORD_RESET).count() == 1


def test_the_sender_limit_applies_to_the_regulator(
    client_for, inst_staff, inst_admin, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.SMS_LIMITS = {**settings.SMS_LIMITS, "sender": [(1, 3600)]}
    client = client_for("city_regulator")
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, reset_url(inst_staff))
        response = confirm(client, reset_url(inst_admin))
    texts = [str(m) for m in client.get(response.url).context["messages"]]
    assert any("操作过于频繁" in text for text in texts)
    assert [sms.phone for sms in sms_outbox] == [inst_staff.phone]


# --- django-axes in Chinese -----------------------------------------------------------------------


def test_axes_records_are_listed_in_chinese_for_the_province_only(client_for, inst_staff, lock):
    lock(inst_staff)
    province = client_for("province_regulator")
    index = province.get(reverse("admin:index")).content.decode()
    assert "登录锁定记录" in index
    assert "Access attempts" not in index and "AXES" not in index.upper().replace("AXES_", "")
    page = province.get(reverse("admin:accounts_loginlockout_changelist")).content.decode()
    for heading in ("登录账号", "失败次数", "状态", "IP 地址"):
        assert heading in page
    assert "已锁定" in page and inst_staff.phone in page
    assert "Username" not in page and "Failed Logins" not in page
    assert (
        client_for("city_regulator").get(reverse("admin:accounts_loginlockout_changelist")).status_code == 403
    )
    assert "登录锁定记录" not in client_for("city_regulator").get(reverse("admin:index")).content.decode()


def test_axes_own_english_admin_is_not_registered(client_for):
    response = client_for("superuser").get("/admin/axes/accessattempt/")
    assert response.status_code == 404


def test_the_apps_module_keeps_accounts_own_config_and_names_axes_in_chinese():
    from django.apps import apps

    from sujt.accounts.apps import AccountsConfig

    # Two AppConfigs live in sujt/accounts/apps.py: "sujt.accounts" must still get AccountsConfig.
    assert type(apps.get_app_config("accounts")) is AccountsConfig
    assert apps.get_app_config("axes").verbose_name == "登录保护"


def test_the_user_list_reads_the_lock_state_in_constant_queries(client_for, institution):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory

    client = client_for("city_regulator")

    def count(new_users: int) -> int:
        for _ in range(new_users):
            user = MembershipFactory(institution=institution).user
            AccessAttempt.objects.create(
                username=user.phone,
                failures_since_start=5,
                ip_address="10.9.0.1",
                user_agent="x",
                path_info="/",
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
        return len(queries)

    assert count(2) == count(8)


def test_a_key_no_database_can_hold_is_a_404(client_for):
    client = client_for("city_regulator")
    for name in ("admin:accounts_user_unlock", "admin:accounts_user_reset_password"):
        assert client.get(reverse(name, args=[10**30])).status_code == 404


def test_the_reset_action_refuses_a_batch_over_the_cap(client_for, institution, sms_outbox, settings):
    from sujt.accounts.admin_account_help import RESET_BATCH_MAX
    from tests.factories import MembershipFactory

    users = [MembershipFactory(institution=institution).user for _ in range(RESET_BATCH_MAX + 1)]
    response = client_for("city_regulator").post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_passwords", "_selected_action": [u.pk for u in users], "confirm_reset": "yes"},
        follow=True,
    )
    assert f"一次最多为 {RESET_BATCH_MAX} 个账号重置密码" in response.content.decode()
    assert sms_outbox == []
