"""Main flows of the foundation, in a real browser: first login and lockout."""

import re

from playwright.sync_api import expect

from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import LoginEvent, User
from tests.browser.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, InstitutionFactory, MembershipFactory, make_id_card


def test_first_login_forces_a_strong_password_then_info_confirmation(page, transactional_db):
    institution = InstitutionFactory(name="秦淮示例检测技术有限公司", region_code="320104")
    user = MembershipFactory(
        institution=institution,
        role=MembershipRole.ADMIN,
        user__phone="13812345678",
        user__name="",
        user__id_card_number="",
        user__must_change_password=True,
        user__info_confirmed_at=None,
    ).user

    log_in(page, "13812345678", DEFAULT_PASSWORD)
    # Any other page sends the user back to the password change.
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))

    # A weak password is refused, and the reason is written out next to the field.
    page.fill("input[name=old_password]", DEFAULT_PASSWORD)
    page.fill("input[name=new_password1]", "abcdefghij")
    page.fill("input[name=new_password2]", "abcdefghij")
    page.get_by_role("button", name=re.compile("修改密码|保存|确认")).click()
    expect(
        page.locator("[role=alert]", has_text="密码须包含大写字母、小写字母、数字、符号中的至少3类")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))

    # A password containing the phone number is refused too.
    page.fill("input[name=old_password]", DEFAULT_PASSWORD)
    page.fill("input[name=new_password1]", "Ab#13812345678")
    page.fill("input[name=new_password2]", "Ab#13812345678")
    page.get_by_role("button", name=re.compile("修改密码|保存|确认")).click()
    expect(page.locator("[role=alert]", has_text="密码不能包含您的手机号码")).to_be_visible()

    # A strong one is accepted, and the next step is confirming personal info.
    page.fill("input[name=old_password]", DEFAULT_PASSWORD)
    page.fill("input[name=new_password1]", "Qinhuai#Lab2026")
    page.fill("input[name=new_password2]", "Qinhuai#Lab2026")
    page.get_by_role("button", name=re.compile("修改密码|保存|确认")).click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm/$"))
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/confirm/$"))

    # A wrong ID card number is refused with its reason; a valid one is accepted.
    page.fill("input[name=name]", "周明远")
    page.fill("input[name=id_card_number]", "320102199001011234")
    page.get_by_role("button", name=re.compile("确认")).click()
    expect(page.locator("[role=alert]", has_text="校验位不正确")).to_be_visible()
    id_card = make_id_card(42)
    page.fill("input[name=id_card_number]", id_card)
    page.get_by_role("button", name=re.compile("确认")).click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_text("首要工作")).to_be_visible()
    expect(page.get_by_text("秦淮示例检测技术有限公司").first).to_be_visible()

    user = User.objects.get(pk=user.pk)
    assert not user.must_change_password
    assert user.check_password("Qinhuai#Lab2026")
    assert user.info_confirmed_at is not None
    assert user.name == "周明远"
    assert user.id_card_number == id_card


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(page, transactional_db):
    user = MembershipFactory(user__phone="13887654321").user

    for _attempt in range(4):
        log_in(page, "13887654321", "Wrong#Password1")
        expect(page.get_by_text("手机号或密码不正确")).to_be_visible()
    log_in(page, "13887654321", "Wrong#Password1")
    expect(page.get_by_text("该账号已被锁定15分钟，请稍后再试或联系技术支持。")).to_be_visible()

    # Locked: even the right password does not get in.
    log_in(page, "13887654321", DEFAULT_PASSWORD)
    expect(page.get_by_text("该账号已被锁定15分钟，请稍后再试或联系技术支持。")).to_be_visible()
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    assert LoginEvent.objects.filter(user=user, kind="failed").count() >= 5
    assert not LoginEvent.objects.filter(user=user, kind="login").exists()
