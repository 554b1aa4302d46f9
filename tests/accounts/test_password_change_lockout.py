"""Issue 10 item 3: a wrong old password on /accounts/password/ is a failed login too: counted towards the
account's lockout (and the address's), refused while locked, and the session ends when it locks."""

from django.test import Client
from django.urls import reverse

from sujt.accounts.choices import LoginEventKind
from sujt.accounts.models import LoginEvent
from tests.factories import DEFAULT_PASSWORD

URL = reverse("accounts:password_change")
NEW = "Brand@New2026pw"


def change(client, old, ip="10.8.0.1"):
    return client.post(URL, {"old_password": old, "new_password1": NEW, "new_password2": NEW}, REMOTE_ADDR=ip)


def test_wrong_old_passwords_lock_the_account_and_end_the_session(inst_admin, login):
    client = Client()
    login(client, inst_admin.phone)
    for n in range(4):
        response = change(client, f"Wrong@Guess{n}x")
        assert response.status_code == 200
        assert "原密码不正确" in response.content.decode()
    response = change(client, "Wrong@Guess4x")
    assert response.status_code == 429
    assert "该账号已被锁定15分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.filter(kind=LoginEventKind.FAILED, user=inst_admin).count() == 5
    # The right password is refused at the login page too, from any address.
    assert login(Client(), inst_admin.phone, ip="10.8.0.99").status_code == 429
    inst_admin.refresh_from_db()
    assert inst_admin.check_password(DEFAULT_PASSWORD)


def test_no_old_password_is_checked_while_the_account_is_locked(inst_admin, login):
    client = Client()
    client.force_login(inst_admin)
    # Someone else then locks the account from the login page while this session is open.
    for n in range(5):
        login(Client(), inst_admin.phone, f"Wrong@Guess{n}x", ip=f"10.8.1.{n}")
    response = change(client, DEFAULT_PASSWORD)
    assert "密码错误次数过多" in response.content.decode()
    inst_admin.refresh_from_db()
    assert inst_admin.check_password(DEFAULT_PASSWORD)


def test_a_right_old_password_still_changes_it(inst_admin):
    client = Client()
    client.force_login(inst_admin)
    response = change(client, DEFAULT_PASSWORD)
    assert response.status_code == 302
    inst_admin.refresh_from_db()
    assert inst_admin.check_password(NEW)
