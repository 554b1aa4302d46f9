from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AdminPasswordChangeForm, AuthenticationForm, UserChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from sujt.core.validators import validate_id_card, validate_mobile

from . import backends
from .choices import LoginEventKind, MembershipRole
from .models import Membership, User
from .permissions import MODULE_PERMISSIONS
from .selectors import invitations_pending_for
from .services import password_set


def id_card_field(help_text: str = "") -> forms.CharField:
    """An optional 身份证号 field, checked against GB 11643; never autocompleted by the browser."""
    return forms.CharField(
        label="身份证号",
        max_length=18,
        required=False,
        validators=[validate_id_card],
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _password_help() -> str:
    return "".join(password_validation.password_validators_help_texts())


class LoginForm(AuthenticationForm):
    """Phone-number login. The field keeps the name `username`, which django-axes reads."""

    error_messages = {
        "invalid_login": "手机号或密码不正确。",
        "inactive": "该账号已停用，无法登录。如有疑问请联系本机构管理员或技术支持。",
        "membership_inactive": "您在所属机构的账号已停用，无法登录。如有疑问请联系本机构管理员。",
    }

    username = forms.CharField(
        label="手机号",
        max_length=11,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and self._inactive_with_right_password():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise

    def _inactive_with_right_password(self) -> bool:
        # The authentication backend turns away inactive users without saying so; tell them, but only
        # when they prove they know the password, and never while django-axes holds the login locked.
        if getattr(self.request, "axes_locked_out", False):
            return False
        phone = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password") or ""
        user = User.objects.filter(phone=phone, is_active=False).first() if phone else None
        return user is not None and user.check_password(password)

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.is_staff or user.is_superuser:
            return
        if not Membership.objects.filter(user=user, is_active=True).exists() and not (
            invitations_pending_for(user=user).exists()
        ):
            from .signals import record_login_event

            record_login_event(kind=LoginEventKind.FAILED, request=self.request, user=user, phone=user.phone)
            raise ValidationError(self.error_messages["membership_inactive"], code="membership_inactive")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="确认新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="请再次输入新密码。",
    )

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = _password_help()

    def clean_old_password(self) -> str:
        """Checking the old password is a login attempt: it is refused while the account or the address is
        locked, and a wrong one counts towards both lockouts like a failed login."""
        old = self.cleaned_data["old_password"]
        if backends.lockout_of(request=self.request, phone=self.user.phone) is not None:
            raise ValidationError(
                f"密码错误次数过多，已暂停验证{backends.lockout_minutes()}分钟，请稍后再试。", code="locked"
            )
        if not self.user.check_password(old):
            user_login_failed.send(
                sender=__name__, credentials={"username": self.user.phone}, request=self.request
            )
            raise ValidationError("原密码不正确，请重新输入。", code="password_incorrect")
        return old

    def clean_new_password1(self) -> str:
        password = self.cleaned_data["new_password1"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error(
                "new_password2", ValidationError("两次输入的新密码不一致。", code="password_mismatch")
            )
        return cleaned

    def save(self) -> User:
        return password_set(
            user=self.user, raw_password=self.cleaned_data["new_password1"], must_change=False
        )


class ConfirmInfoForm(forms.Form):
    """First-login step two. The ID card number, once saved, is shown masked and kept unless retyped."""

    name = forms.CharField(label="姓名", max_length=50)
    id_card_number = id_card_field()
    email = forms.EmailField(label="电子邮箱", required=False)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        kwargs.setdefault("initial", {"name": user.name, "email": user.email})
        super().__init__(*args, **kwargs)
        field = self.fields["id_card_number"]
        if user.id_card_number:
            field.help_text = (
                f"已登记：{user.masked_id_card}。如需更正，请输入完整的18位身份证号；留空则保持不变。"
            )
        else:
            field.required = True
            field.help_text = "18位居民身份证号码，最后一位可为X。"

    def clean_id_card_number(self) -> str:
        value = (self.cleaned_data.get("id_card_number") or "").strip().upper()
        return value or self.user.id_card_number


class ModulePermissionsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "模块权限")
        kwargs.setdefault("required", False)
        kwargs.setdefault("choices", MODULE_PERMISSIONS)
        kwargs.setdefault("help_text", "机构管理员自动拥有全部模块权限；经办人只能使用勾选的模块。")
        super().__init__(**kwargs)


def _role_choices(*, can_grant_admin: bool) -> list[tuple[str, str]]:
    if can_grant_admin:
        return list(MembershipRole.choices)
    return [(MembershipRole.STAFF.value, MembershipRole.STAFF.label)]


class MembershipAddForm(forms.Form):
    phone = forms.CharField(
        label="手机号",
        max_length=11,
        validators=[validate_mobile],
        help_text="作为登录账号。该手机号已注册平台账号时，将向其发送加入邀请，本人登录并接受后才加入本机构。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label="姓名", max_length=50)
    id_card_number = id_card_field(help_text="可留空，由用户首次登录时填写并确认。")
    email = forms.EmailField(label="电子邮箱", required=False)
    role = forms.ChoiceField(label="角色")
    perms = ModulePermissionsField()

    def __init__(self, *args: Any, can_grant_admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(can_grant_admin=can_grant_admin)
        self.fields["role"].initial = MembershipRole.STAFF

    def clean_phone(self) -> str:
        return self.cleaned_data["phone"].strip()

    def clean_id_card_number(self) -> str:
        return (self.cleaned_data.get("id_card_number") or "").strip().upper()


class MembershipEditForm(forms.Form):
    """Role and module permissions; name and ID card too while the user has not confirmed them and belongs
    to no other institution."""

    name = forms.CharField(label="姓名", max_length=50)
    id_card_number = id_card_field()
    role = forms.ChoiceField(label="角色")
    perms = ModulePermissionsField()

    def __init__(
        self,
        *args: Any,
        membership: Membership,
        perms: set[str],
        can_grant_admin: bool,
        account_shared: bool,
        **kwargs: Any,
    ) -> None:
        user = membership.user
        kwargs.setdefault(
            "initial",
            {
                "name": user.name,
                "id_card_number": user.id_card_number,
                "role": membership.role,
                "perms": sorted(perms),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(
            can_grant_admin=can_grant_admin or membership.role == MembershipRole.ADMIN
        )
        # The person's identity is theirs: editable here only before they confirm it, and only while the
        # account belongs to this institution alone.
        self.account_shared = account_shared
        self.personal_editable = user.info_confirmed_at is None and not account_shared
        if not self.personal_editable:
            del self.fields["name"]
            del self.fields["id_card_number"]

    def clean_id_card_number(self) -> str:
        return (self.cleaned_data.get("id_card_number") or "").strip().upper()


class InstitutionSwitchForm(forms.Form):
    institution_id = forms.IntegerField(widget=forms.HiddenInput)


# --- Django admin ----------------------------------------------------------------------------------


class UserAdminCreationForm(forms.ModelForm):
    password1 = forms.CharField(
        label="初始密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="确认初始密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="用户首次登录时须修改此密码。",
    )

    class Meta:
        model = User
        fields = ("phone", "name", "id_card_number", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = _password_help()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", ValidationError("两次输入的密码不一致。", code="password_mismatch"))
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        password = self.cleaned_data.get("password1")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except ValidationError as error:
                self.add_error("password1", error)


class UserAdminChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes: dict = {}


class AdminSetPasswordForm(AdminPasswordChangeForm):
    """The admin's "set password" form, through password_set so that history and flags follow."""

    must_change = forms.BooleanField(
        label="下次登录须修改密码", required=False, initial=True, help_text="为他人设置密码时应保持勾选。"
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["password1"].label = "新密码"
        self.fields["password1"].help_text = _password_help()
        self.fields["password2"].label = "确认新密码"
        self.fields["password2"].help_text = "请再次输入新密码。"

    def save(self, commit: bool = True) -> User:
        if not self.cleaned_data.get("set_usable_password", True):
            return password_set(user=self.user, raw_password=None)
        return password_set(
            user=self.user,
            raw_password=self.cleaned_data["password1"],
            must_change=self.cleaned_data.get("must_change", False),
        )
