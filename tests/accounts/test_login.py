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

LOCKED_TEXT = "账号或IP已被锁定15分钟，请稍后再试或联系技术支持"
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


# --- Lockout (django-axes) -------------------------------------------------------------------------


def test_five_wrong_passwords_for_one_account_from_different_ips_lock_the_account(inst_admin, login):
    responses = [login(Client(), inst_admin.phone, WRONG, ip=f"10.0.1.{n}") for n in range(1, 6)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    # The right password from yet another address is still refused, with the Chinese message.
    client = Client()
    response = login(client, inst_admin.phone, ip="10.0.1.99")
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    locked = events(LoginEventKind.LOCKED).filter(phone=inst_admin.phone)
    assert locked.exists()
    assert locked.first().user == inst_admin


def test_five_wrong_passwords_from_one_ip_lock_that_ip_for_every_account(inst_admin, inst_staff, login):
    for n in range(5):
        login(Client(), f"1370000000{n}", WRONG, ip="10.9.9.9")
    response = login(Client(), inst_admin.phone, ip="10.9.9.9")
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert events(LoginEventKind.LOCKED).filter(ip_address="10.9.9.9").exists()
    # Another address is not affected.
    assert login(Client(), inst_staff.phone, ip="10.9.9.10").status_code == 302


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
