from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from sujt.core.audit import history
from sujt.core.choices import RegionLevel
from sujt.core.dates import format_datetime
from sujt.core.regions import PROVINCE_CODE, level_of
from sujt.core.validators import mask_id_card, validate_id_card, validate_mobile

from .choices import InvitationStatus, LoginEventKind, MembershipRole
from .permissions import MODULE_PERMISSION_CODES, MODULE_PERMISSION_LABELS

# System accounts get numbers in the 100xxxxxxxx range, which no mobile number can take.
SYSTEM_PHONE_PREFIX = "100"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, phone: str, password: str | None, **extra: Any) -> "User":
        if not phone:
            raise ValueError("phone is required")
        from .services import password_set

        user = self.model(phone=phone, **extra)
        # One path for every password: history row and change time included.
        return password_set(user=user, raw_password=password or None, must_change=user.must_change_password)

    def create_user(self, phone: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(phone, password, **extra)

    def create_superuser(self, phone: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("name", "系统管理员")
        # The person running createsuperuser has just chosen this password.
        extra.setdefault("must_change_password", False)
        return self._create_user(phone, password, **extra)

    def system_user(self, name: str) -> "User":
        """The named, inactive account that background jobs act as (history rows, logs)."""
        user = self.filter(is_system=True, name=name).first()
        if user is not None:
            return user
        taken = set(self.filter(phone__startswith=SYSTEM_PHONE_PREFIX).values_list("phone", flat=True))
        serial = next(n for n in range(1, 10**8) if f"{SYSTEM_PHONE_PREFIX}{n:08d}" not in taken)
        user = self.model(
            phone=f"{SYSTEM_PHONE_PREFIX}{serial:08d}",
            name=name,
            is_system=True,
            is_active=False,
            info_confirmed_at=timezone.now(),
        )
        user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    phone = models.CharField(
        _("手机号"),
        max_length=11,
        unique=True,
        help_text=_("登录账号，11位手机号码。"),
        error_messages={"unique": _("该手机号已被其他账号使用。")},
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_card_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_card])
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用后无法登录。"))
    is_staff = models.BooleanField(_("可登录监管端"), default=False)
    is_system = models.BooleanField(_("系统账号"), default=False, editable=False)
    must_change_password = models.BooleanField(_("须修改密码"), default=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    info_confirmed_at = models.DateTimeField(_("个人信息确认时间"), null=True, blank=True)
    date_joined = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = UserManager()
    history = history(excluded_fields=["password", "last_login"])

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = verbose_name_plural = _("用户")
        ordering = ["phone"]
        indexes = [models.Index(fields=["is_active", "is_staff"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.phone}）" if self.name else self.phone

    def clean(self) -> None:
        super().clean()
        if not self.is_system:
            validate_mobile(self.phone)
        if self.id_card_number:
            self.id_card_number = self.id_card_number.strip().upper()

    def get_full_name(self) -> str:
        return self.name or self.phone

    def get_short_name(self) -> str:
        return self.name or self.phone

    @property
    def masked_id_card(self) -> str:
        return mask_id_card(self.id_card_number)

    @property
    def password_expired(self) -> bool:
        if not self.has_usable_password():
            return False
        if self.password_changed_at is None:
            return True
        return timezone.now() - self.password_changed_at > timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)

    @property
    def needs_password_change(self) -> bool:
        return self.must_change_password or self.password_expired

    @property
    def regulator_profile(self) -> "Regulator | None":
        try:
            return self.regulator
        except Regulator.DoesNotExist:
            return None

    @property
    def region_scope(self) -> str | None:
        """Region code whose jurisdiction this user oversees in admin; None when the user has none.

        A superuser oversees the whole province.
        """
        if self.is_superuser:
            return PROVINCE_CODE
        profile = self.regulator_profile
        if profile is None or not profile.is_active:
            return None
        return profile.region_code


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+")
    password = models.CharField(_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("历史密码")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {format_datetime(self.created_at)}"


class Membership(models.Model):
    """A user's place in an institution. Module permissions are guardian object permissions on it."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("机构"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("角色"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.STAFF
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("添加人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("机构成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "institution"], name="membership_unique_user_institution")
        ]
        indexes = [models.Index(fields=["institution", "role", "is_active"])]
        ordering = ["institution_id", "-role", "user__phone"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}（{self.get_role_display()}）"

    @property
    def is_admin(self) -> bool:
        return self.role == MembershipRole.ADMIN


class Invitation(models.Model):
    """An institution asks the person behind an existing account to join it.

    Until that person, logged in, accepts, nothing links the account to the institution and the inviting
    institution learns nothing about them. The role and module permissions are granted on acceptance.
    """

    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("邀请机构"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    user = models.ForeignKey(
        User, verbose_name=_("受邀用户"), on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(
        _("角色"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.STAFF
    )
    perms = models.JSONField(_("模块权限"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("邀请人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("邀请时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("机构邀请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution"],
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_user_institution",
            )
        ]
        indexes = [
            models.Index(fields=["user", "status", "-created_at"]),
            models.Index(fields=["institution", "status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.institution} → {self.user.phone}（{self.get_status_display()}）"

    @property
    def is_expired(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now()

    @property
    def perm_labels(self) -> list[str]:
        return [MODULE_PERMISSION_LABELS[code] for code in MODULE_PERMISSION_CODES if code in self.perms]


class Regulator(models.Model):
    user = models.OneToOneField(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="regulator"
    )
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    region_code = models.CharField(_("行政区划代码"), max_length=6, db_index=True)
    bureau = models.CharField(_("所属单位"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("监管人员")
        ordering = ["region_code", "user__phone"]

    def __str__(self) -> str:
        return f"{self.bureau or self.region_code} · {self.user}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.region_code and level_of(self.region_code) != self.level:
            raise ValidationError({"region_code": _("行政区划代码与层级不一致。")})


class LoginEvent(models.Model):
    kind = models.CharField(_("事件"), max_length=16, choices=LoginEventKind.choices)
    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(_("登录账号"), max_length=64, blank=True)
    # Who acted on the account, when someone else did (a regulator unlocking or resetting it).
    by = models.ForeignKey(
        User, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("登录日志")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at"]),
            models.Index(fields=["kind", "-created_at"]),
            models.Index(fields=["phone", "-created_at"]),
            # The address lockout counts an address's recent failures on every login attempt.
            models.Index(fields=["ip_address", "kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.phone} {format_datetime(self.created_at)}"


class InstitutionUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key table: module permissions a user holds on one institution."""

    content_object = models.ForeignKey(
        "institutions.Institution", verbose_name=_("机构"), on_delete=models.CASCADE
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = verbose_name_plural = _("机构模块权限（用户）")


class InstitutionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(
        "institutions.Institution", verbose_name=_("机构"), on_delete=models.CASCADE
    )

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = verbose_name_plural = _("机构模块权限（用户组）")


# --- django-axes' tables under Chinese names --------------------------------------------------------
# axes ships no Chinese translation, and its own verbose names cannot change without a migration in
# axes itself; these proxies (no tables of their own) are what admin registers instead.


class LoginLockout(AccessAttempt):
    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = _("登录锁定记录")


class LoginAccessLog(AccessLog):
    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = _("登录访问记录")


class LoginFailureLog(AccessFailureLog):
    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = _("登录失败明细")
