import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sujt.accounts.choices import MembershipRole
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, make_id_card

NEW_PASSWORD = "Fresh@Start2026"
PASSWORD_URL = reverse("accounts:password_change")
CONFIRM_URL = reverse("accounts:confirm_info")

OTHER_PAGES = [
    reverse("portal:dashboard"),
    reverse("accounts:user_list"),
    reverse("accounts:user_add"),
    reverse("portal:notifications"),
    "/admin/",
    "/accounts/login/",
]


@pytest.fixture
def new_member(db):
    """An institution admin as user management creates one: initial password, nothing confirmed."""
    membership = MembershipFactory(
        role=MembershipRole.ADMIN,
        user__must_change_password=True,
        user__info_confirmed_at=None,
        user__id_card_number="",
        user__name="新用户丙",
    )
    return membership.user


@pytest.fixture
def new_member_client(new_member, login):
    client = Client()
    assert login(client, new_member.phone).status_code == 302
    return client


def change_password(client, old=DEFAULT_PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        PASSWORD_URL, {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


# --- Step 1: change the password -------------------------------------------------------------------


@pytest.mark.parametrize("url", OTHER_PAGES)
def test_with_an_initial_password_every_page_redirects_to_the_password_change(new_member_client, url):
    response = new_member_client.get(url)
    assert response.status_code == 302
    assert response.url == PASSWORD_URL


def test_with_an_initial_password_the_confirm_step_waits_too(new_member_client):
    assert new_member_client.get(CONFIRM_URL).url == PASSWORD_URL


def test_logout_and_static_files_stay_reachable_during_the_forced_change(new_member_client):
    static = new_member_client.get("/static/css/sujt.css")
    assert not (static.status_code == 302 and static.url == PASSWORD_URL)
    response = new_member_client.post(reverse("accounts:logout"))
    assert response.url == reverse("portal:home")


def test_the_forced_change_page_explains_why(new_member_client):
    body = new_member_client.get(PASSWORD_URL).content.decode()
    assert "初始密码" in body
    assert "修改完成前无法使用系统的其他功能" in body


@pytest.mark.parametrize(
    ("new", "again", "field_error"),
    [
        ("Short@1", None, "密码长度不足：至少需要10个字符。"),
        ("onlylowercase", None, "至少3类"),
        ("Ab@13800000000", None, "不能包含您的手机号码"),
        (DEFAULT_PASSWORD, None, "不能与最近5次使用过的密码相同"),
        (NEW_PASSWORD, "Other@Value2026", "两次输入的新密码不一致"),
    ],
)
def test_a_refused_new_password_shows_the_reason_next_to_the_field(
    new_member_client, new_member, new, again, field_error
):
    if "138000" in new:
        new = f"Ab@{new_member.phone}"
    response = change_password(new_member_client, new=new, again=again)
    assert response.status_code == 200
    body = response.content.decode()
    assert "错误：" in body and field_error in body
    new_member.refresh_from_db()
    assert new_member.must_change_password is True


def test_a_wrong_old_password_is_refused(new_member_client, new_member):
    body = change_password(new_member_client, old="Not@TheOld2026").content.decode()
    assert "原密码不正确" in body


def test_a_strong_password_ends_the_forced_step_and_keeps_the_session(new_member_client, new_member):
    response = change_password(new_member_client)
    assert response.status_code == 302
    assert response.url == CONFIRM_URL
    new_member.refresh_from_db()
    assert new_member.must_change_password is False
    assert new_member.check_password(NEW_PASSWORD)
    # Still logged in (update_session_auth_hash), now sent to the next step.
    assert new_member_client.get(reverse("portal:dashboard")).url == CONFIRM_URL


# --- Step 2: confirm personal information ----------------------------------------------------------


@pytest.fixture
def confirming_client(new_member_client):
    change_password(new_member_client)
    return new_member_client


@pytest.mark.parametrize("url", OTHER_PAGES[:-1])
def test_until_confirmed_every_page_redirects_to_the_confirm_step(confirming_client, url):
    response = confirming_client.get(url)
    assert response.status_code == 302
    assert response.url == CONFIRM_URL


def test_the_confirm_page_shows_the_phone_read_only(confirming_client, new_member):
    body = confirming_client.get(CONFIRM_URL).content.decode()
    assert new_member.phone in body and "readonly" in body
    assert "新用户丙" in body


def test_an_invalid_id_card_number_is_refused_with_its_reason(confirming_client, new_member):
    bad = make_id_card(7)[:-1] + ("0" if make_id_card(7)[-1] != "0" else "1")
    response = confirming_client.post(CONFIRM_URL, {"name": "新用户丙", "id_card_number": bad, "email": ""})
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in response.content.decode()
    new_member.refresh_from_db()
    assert new_member.info_confirmed_at is None


def test_the_id_card_number_is_required_when_none_is_on_file(confirming_client):
    response = confirming_client.post(CONFIRM_URL, {"name": "新用户丙", "id_card_number": "", "email": ""})
    assert response.status_code == 200
    assert "错误：" in response.content.decode()


def test_confirming_goes_to_the_dashboard_and_the_id_card_is_shown_masked_afterwards(
    confirming_client, new_member
):
    id_card = make_id_card(11)
    response = confirming_client.post(
        CONFIRM_URL, {"name": "新用户丙", "id_card_number": id_card.lower(), "email": "bing@example.cn"}
    )
    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")
    new_member.refresh_from_db()
    assert new_member.info_confirmed_at is not None
    assert new_member.id_card_number == id_card.upper()
    assert confirming_client.get(reverse("portal:dashboard")).status_code == 200
    body = confirming_client.get(CONFIRM_URL).content.decode()
    assert id_card not in body
    assert new_member.masked_id_card in body
    # Left blank later, the number on file is kept.
    confirming_client.post(CONFIRM_URL, {"name": "新用户丙", "id_card_number": "", "email": ""})
    new_member.refresh_from_db()
    assert new_member.id_card_number == id_card.upper()


def test_regulators_skip_the_confirm_step(city_regulator, login):
    city_regulator.info_confirmed_at = None
    city_regulator.save()
    client = Client()
    login(client, city_regulator.phone)
    response = client.get("/admin/")
    assert response.status_code == 200


# --- Password age and idle timeout -----------------------------------------------------------------


def test_a_password_older_than_90_days_must_be_changed(inst_admin, login):
    inst_admin.password_changed_at = timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS, hours=1)
    inst_admin.save()
    client = Client()
    login(client, inst_admin.phone)
    response = client.get(reverse("portal:dashboard"))
    assert response.url == PASSWORD_URL
    assert "超过90天" in client.get(PASSWORD_URL).content.decode()
    change_password(client)
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_a_password_younger_than_90_days_is_fine(inst_admin, login):
    inst_admin.password_changed_at = timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS - 1)
    inst_admin.save()
    client = Client()
    login(client, inst_admin.phone)
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_a_voluntary_password_change_sits_in_the_workspace(client_for):
    client = client_for("inst_admin")
    response = client.get(PASSWORD_URL)
    assert response.status_code == 200
    assert "workspace/base.html" in [t.name for t in response.templates]
    assert "初始密码" not in response.content.decode()
    response = change_password(client)
    assert response.url == reverse("portal:dashboard")


def test_the_session_expires_after_30_idle_minutes(inst_admin, login):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    login(client, inst_admin.phone)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    # Each request pushes the expiry 30 minutes ahead.
    assert timedelta(minutes=29) < session.expire_date - timezone.now() <= timedelta(minutes=30)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    # With Redis the session is read from the cache, whose entry expires at the same moment.
    caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + session.session_key)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_user_added_through_user_management_goes_through_both_steps(
    client_for, login, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("inst_admin").post(
            reverse("accounts:user_add"),
            {
                "phone": "13712340001",
                "name": "流程测试",
                "role": MembershipRole.STAFF,
                "perms": ["submit_news"],
            },
        )
    temporary = re.search(r"临时密码：(\S+?)。", sms_outbox[-1].message).group(1)
    client = Client()
    assert login(client, "13712340001", temporary).status_code == 302
    assert client.get(reverse("portal:dashboard")).url == PASSWORD_URL
    assert change_password(client, old=temporary).url == CONFIRM_URL
    response = client.post(CONFIRM_URL, {"name": "流程测试", "id_card_number": make_id_card(99), "email": ""})
    assert response.url == reverse("portal:dashboard")
    assert client.get(reverse("portal:dashboard")).status_code == 200
