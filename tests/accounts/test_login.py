from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sujt.accounts.choices import LoginEventKind
from sujt.accounts.models import LoginEvent, Membership
from sujt.accounts.services import password_set
from tests.factories import MembershipFactory

ACCOUNT_LOCKED_TEXT = "该账号已被锁定15分钟，请稍后再试或联系技术支持"
ADDRESS_LOCKED_TEXT = "您所在网络地址的登录已暂停15分钟"
WRONG = "Wrong@Pass2026"


def events(kind):
    return LoginEvent.objects.filter(kind=kind)


def test_login_page_asks_for_phone_and_password_in_the_portal_layout(db):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "portal/base.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert 'name="username"' in body and "手机号" in body and "密码" in body


def test_login_with_phone_and_password_goes_to_the_dashboard_and_is_audited(inst_admin, login):
    client = Client()
    response = login(client, inst_admin.phone, ip="10.1.2.3", HTTP_USER_AGENT="pytest-browser")
    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")
    assert client.session["_auth_user_id"] == str(inst_admin.pk)
    event = events(LoginEventKind.LOGIN).get()
    assert (event.user, event.phone, event.ip_address) == (inst_admin, inst_admin.phone, "10.1.2.3")
    assert event.user_agent == "pytest-browser"


@pytest.mark.parametrize("phone_kind", ["known", "unknown"])
def test_a_failed_login_says_the_same_thing_whether_or_not_the_phone_exists(inst_admin, login, phone_kind):
    phone = inst_admin.phone if phone_kind == "known" else "13999999999"
    response = login(Client(), phone, WRONG)
    assert response.status_code == 200
    assert "手机号或密码不正确" in response.content.decode()
    event = events(LoginEventKind.FAILED).get()
    assert event.phone == phone
    assert event.user == (inst_admin if phone_kind == "known" else None)


def test_an_inactive_user_with_the_right_password_is_told_the_account_is_disabled(inst_admin, login):
    inst_admin.is_active = False
    inst_admin.save()
    body = login(Client(), inst_admin.phone).content.decode()
    assert "该账号已停用" in body
    # With a wrong password nothing is revealed.
    body = login(Client(), inst_admin.phone, WRONG).content.decode()
    assert "该账号已停用" not in body and "手机号或密码不正确" in body


def test_a_user_whose_memberships_are_all_disabled_cannot_log_in(inst_staff, login):
    Membership.objects.filter(user=inst_staff).update(is_active=False)
    client = Client()
    response = login(client, inst_staff.phone)
    assert response.status_code == 200
    assert "您在所属机构的账号已停用" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert events(LoginEventKind.FAILED).filter(user=inst_staff).exists()


def test_a_regulator_logs_in_without_any_institution_and_lands_in_admin(city_regulator, login):
    response = login(Client(), city_regulator.phone)
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_login_honours_a_local_next_url(inst_admin, login):
    response = login(Client(), inst_admin.phone, next="/accounts/users/")
    assert response.url == "/accounts/users/"


@pytest.mark.parametrize("next_url", ["https://evil.example.com/", "//evil.example.com/x"])
def test_login_ignores_a_next_url_on_another_site(inst_admin, login, next_url):
    response = login(Client(), inst_admin.phone, next=next_url)
    assert response.url == reverse("portal:dashboard")


def test_logout_is_a_post_and_is_audited(inst_admin, login):
    client = Client()
    login(client, inst_admin.phone)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    assert "_auth_user_id" not in client.session
    assert events(LoginEventKind.LOGOUT).filter(user=inst_admin).count() == 1


# --- Lockout: 5 failures lock the account, 50 lock the address -----------------------------------


def test_five_wrong_passwords_for_one_account_from_different_ips_lock_the_account(inst_admin, login):
    responses = [login(Client(), inst_admin.phone, WRONG, ip=f"10.0.1.{n}") for n in range(1, 6)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    # The right password from yet another address is still refused, with the Chinese message.
    client = Client()
    response = login(client, inst_admin.phone, ip="10.0.1.99")
    assert response.status_code == 429
    assert ACCOUNT_LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    locked = events(LoginEventKind.LOCKED).filter(phone=inst_admin.phone)
    assert locked.exists()
    assert locked.first().user == inst_admin


def test_failures_on_several_accounts_from_one_office_address_lock_none_of_the_others(
    inst_admin, inst_staff, login
):
    # Colleagues behind one NAT: typos on five other accounts leave everyone else able to log in.
    for n in range(5):
        login(Client(), f"1370000000{n}", WRONG, ip="10.9.9.9")
    assert login(Client(), inst_admin.phone, ip="10.9.9.9").status_code == 302
    assert login(Client(), inst_staff.phone, ip="10.9.9.9").status_code == 302


def test_an_address_locks_at_the_address_limit_for_every_account(inst_admin, inst_staff, login, settings):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit == 50
    for n in range(limit - 1):
        assert login(Client(), f"137{n:08d}", WRONG, ip="10.9.9.8").status_code == 200
    assert login(Client(), inst_admin.phone, ip="10.9.9.8").status_code == 302
    assert login(Client(), "13799999999", WRONG, ip="10.9.9.8").status_code == 200
    response = login(Client(), inst_staff.phone, ip="10.9.9.8")
    assert response.status_code == 429
    assert ADDRESS_LOCKED_TEXT in response.content.decode()
    assert events(LoginEventKind.LOCKED).filter(ip_address="10.9.9.8", phone=inst_staff.phone).exists()
    # Another address is not affected.
    assert login(Client(), inst_staff.phone, ip="10.9.9.10").status_code == 302


def test_a_success_on_ones_own_account_does_not_clear_the_failures_on_anothers(inst_admin, inst_staff, login):
    """The bypass: four guesses on the victim, one good login on one's own account, repeated."""
    for round_ in range(4):
        for _guess in range(4 if round_ == 0 else 1):
            login(Client(), inst_admin.phone, WRONG, ip="10.7.7.7")
        assert login(Client(), inst_staff.phone, ip="10.7.7.7").status_code == 302
    # 4 + 3 = 7 failures on the victim: locked since the fifth, right password or not.
    response = login(Client(), inst_admin.phone, ip="10.7.7.7")
    assert response.status_code == 429
    assert ACCOUNT_LOCKED_TEXT in response.content.decode()


def test_four_failures_do_not_lock_and_a_success_resets_the_count(inst_admin, login):
    for n in range(4):
        login(Client(), inst_admin.phone, WRONG, ip=f"10.0.2.{n}")
    assert login(Client(), inst_admin.phone, ip="10.0.2.50").status_code == 302
    for n in range(4):
        assert login(Client(), inst_admin.phone, WRONG, ip=f"10.0.3.{n}").status_code == 200


def test_the_lockout_ends_after_15_minutes(inst_admin, login):
    for n in range(5):
        login(Client(), inst_admin.phone, WRONG, ip=f"10.0.4.{n}")
    assert login(Client(), inst_admin.phone, ip="10.0.4.99").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert login(Client(), inst_admin.phone, ip="10.0.4.99").status_code == 302


def test_the_address_lockout_ends_after_15_minutes(inst_admin, login, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for n in range(3):
        login(Client(), f"1376000000{n}", WRONG, ip="10.0.5.5")
    assert login(Client(), inst_admin.phone, ip="10.0.5.5").status_code == 429
    LoginEvent.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert login(Client(), inst_admin.phone, ip="10.0.5.5").status_code == 302


# --- Client address behind the reverse proxy --------------------------------------------------------

PROXY = "192.168.100.1"


def test_behind_the_proxy_each_client_address_is_read_from_the_trusted_hop(
    inst_admin, inst_staff, login, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    # One attacker behind the proxy reaches the address limit...
    for n in range(3):
        login(Client(), f"1375000000{n}", WRONG, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert login(Client(), inst_admin.phone, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # ...and everyone else coming through the same proxy still logs in.
    response = login(Client(), inst_staff.phone, ip=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302
    event = events(LoginEventKind.LOGIN).get(user=inst_staff)
    assert event.ip_address == "198.51.100.20"


def test_addresses_a_client_writes_left_of_the_trusted_hop_are_ignored(inst_admin, login, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    # A client rotating a forged first entry is still one address: the one the proxy appended.
    for n in range(3):
        forged = f"10.66.0.{n}, 203.0.113.77"
        login(Client(), f"1374000000{n}", WRONG, ip=PROXY, HTTP_X_FORWARDED_FOR=forged)
    response = login(Client(), inst_admin.phone, ip=PROXY, HTTP_X_FORWARDED_FOR="10.66.0.200, 203.0.113.77")
    assert response.status_code == 429
    assert set(events(LoginEventKind.FAILED).values_list("ip_address", flat=True)) == {"203.0.113.77"}


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(inst_admin, login, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    login(Client(), inst_admin.phone, ip="10.3.3.3", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert events(LoginEventKind.LOGIN).get().ip_address == "10.3.3.3"


# --- Hasher ---------------------------------------------------------------------------------------


def test_production_hashes_passwords_with_argon2(settings, db):
    # The suite puts a fast MD5 hasher first; production's list is the rest, Argon2 first.
    production = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert production[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production
    user = MembershipFactory().user
    password_set(user=user, raw_password="Argon@Hash2026")
    assert identify_hasher(user.password).algorithm == "argon2"
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.phone, "password": "Argon@Hash2026"})
    assert response.status_code == 302
