"""Password rules on top of Django's: character classes, no phone number, no recent reuse."""

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("数字", lambda c: c in string.digits),
    ("符号", lambda c: not c.isalnum() and not c.isspace()),
)


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's rule with its message in Chinese (Django 5.2 changed the message; zh-hans lags behind)."""

    def get_error_message(self) -> str:
        return _("密码长度不足：至少需要%(n)d个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("至少%(n)d个字符。") % {"n": self.min_length}


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        present = sum(1 for _label, test in CLASSES if any(test(c) for c in password))
        if present < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类。") % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("至少包含大写字母、小写字母、数字、符号中的%(n)d类。") % {"n": self.min_classes}


class NotContainingPhoneValidator:
    def validate(self, password: str, user: Any = None) -> None:
        phone = getattr(user, "phone", "") or ""
        if phone and phone in password:
            raise ValidationError(_("密码不能包含您的手机号码。"), code="password_contains_phone")

    def get_help_text(self) -> str:
        return _("不能包含您的手机号码。")


class PasswordHistoryValidator:
    def __init__(self, depth: int = 5) -> None:
        self.depth = depth

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        from .models import PasswordHistory

        recent = PasswordHistory.objects.filter(user=user).order_by("-created_at")[: self.depth]
        hashes = [row.password for row in recent]
        # The current password counts even when no history row was written for it.
        if user.has_usable_password() and user.password not in hashes:
            hashes = [user.password, *hashes][: self.depth]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("新密码不能与最近%(n)d次使用过的密码相同。") % {"n": self.depth}, code="password_reused"
            )

    def get_help_text(self) -> str:
        return _("不能与最近%(n)d次使用过的密码相同。") % {"n": self.depth}
