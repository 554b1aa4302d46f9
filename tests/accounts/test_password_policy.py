import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from sujt.accounts.models import PasswordHistory, User
from sujt.accounts.services import PASSWORD_HISTORY_KEEP, password_set, temporary_password_generate
from tests.factories import UserFactory

STRONG = "Kx7@mPq2Lw"


def refusal(password: str, user: User) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return caught.value.messages


@pytest.fixture
def user(db):
    return UserFactory(phone="13812345678")


def test_a_password_shorter_than_10_characters_is_refused(user):
    assert "密码长度不足：至少需要10个字符。" in refusal("Kx7@mPq2L", user)


@pytest.mark.parametrize("password", ["kx7mpq2lwzz", "KXMPQLWZ@#!", "kxmpqlwz@#!", "1234567@#!%"])
def test_a_password_with_fewer_than_3_character_classes_is_refused(user, password):
    assert "密码须包含大写字母、小写字母、数字、符号中的至少3类。" in refusal(password, user)


@pytest.mark.parametrize("password", ["Kx7@mPq2Lw", "KXMPQ@2LWZ", "kxmpq@2lwz", "KxmpqLwz@#"])
def test_three_of_four_classes_are_enough(user, password):
    validate_password(password, user)


def test_a_password_containing_the_phone_number_is_refused(user):
    assert "密码不能包含您的手机号码。" in refusal("Ab@13812345678", user)


def test_a_common_password_is_refused(user):
    assert "这个密码太常见了。" in refusal("Password123", user)


def test_each_of_the_last_5_passwords_is_refused_and_the_6th_is_allowed(user):
    passwords = [f"Hist@{n}Pass{n}x" for n in range(1, 7)]
    for password in passwords:
        password_set(user=user, raw_password=password)
    for password in passwords[1:]:
        assert "新密码不能与最近5次使用过的密码相同。" in refusal(password, user)
    validate_password(passwords[0], user)


def test_password_set_records_history_change_time_and_the_must_change_flag(user):
    before = timezone.now()
    password_set(user=user, raw_password=STRONG, must_change=True)
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert user.must_change_password is True
    assert user.password_changed_at >= before
    row = PasswordHistory.objects.filter(user=user).latest("created_at")
    assert row.password == user.password


def test_password_history_keeps_only_the_newest_rows(user):
    for n in range(PASSWORD_HISTORY_KEEP + 3):
        password_set(user=user, raw_password=f"Keep@{n}Rows{n}x")
    assert PasswordHistory.objects.filter(user=user).count() == PASSWORD_HISTORY_KEEP


def test_create_user_goes_through_password_set(db):
    user = User.objects.create_user("13911112222", "Made@Manager1", name="管理器用户")
    assert PasswordHistory.objects.filter(user=user).count() == 1
    assert user.password_changed_at is not None
    assert user.must_change_password is True
    superuser = User.objects.create_superuser("13911113333", "Made@Manager2")
    assert superuser.must_change_password is False
    assert PasswordHistory.objects.filter(user=superuser).count() == 1


def test_temporary_passwords_satisfy_the_policy_and_differ(user):
    generated = {temporary_password_generate(user=user) for _ in range(30)}
    assert len(generated) == 30
    for password in generated:
        assert len(password) == 12
        validate_password(password, user)


def test_the_help_text_lists_every_rule(user):
    from django.contrib.auth.password_validation import password_validators_help_texts

    text = "".join(password_validators_help_texts())
    for fragment in ("至少10个字符", "3类", "手机号码", "最近5次"):
        assert fragment in text


def test_temporary_passwords_are_easy_to_type_from_an_sms(user):
    """No symbols (behind extra keyboard pages on a phone) and no look-alike characters."""
    for _ in range(50):
        password = temporary_password_generate(user=user)
        assert password.isascii() and password.isalnum(), password
        assert not set(password) & set("0O1lI"), password
        assert any(c.isupper() for c in password) and any(c.islower() for c in password)
        assert any(c.isdigit() for c in password)
