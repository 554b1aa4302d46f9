"""Writes about users, memberships and regulators. Keyword-only, one transaction each.

Rules kept here (views and admin only call these):
- every password change goes through `password_set` (history row, change time, must-change flag);
- an institution always keeps at least one active admin; nobody disables, demotes or resets themselves;
- only an institution admin may grant the admin role or touch another admin's account;
- state changes are conditional UPDATEs on the expected state, made while the institution's admin rows
  are locked, so two managers acting at once cannot both remove "the other" admin.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from sujt.core.tasks import send_sms_task

from .choices import MembershipRole
from .models import Membership, PasswordHistory, Regulator, User
from .permissions import MODULE_PERMISSION_CODES, MODULE_PERMISSION_LABELS
from .selectors import module_perms_of

REGULATOR_GROUP = "监管人员"

# What a regulator may do in admin, beyond what the region scope already limits. Apps add their own
# codenames here as their modules land ("app_label.codename").
REGULATOR_PERMISSIONS: list[str] = [
    "accounts.view_user",
    "accounts.view_membership",
    "accounts.view_regulator",
    "accounts.view_loginevent",
    "institutions.view_institution",
    "institutions.change_institution",
    # Module 02: regulators correct the qualification data synced from the approval system (the saves
    # recompute completeness); declared testing fields and intellectual property are the institution's
    # own entries, which they view; error reports they review (the review actions need change).
    "institutions.view_certificate",
    "institutions.change_certificate",
    "institutions.view_site",
    "institutions.change_site",
    "institutions.view_capability",
    "institutions.change_capability",
    "institutions.view_equipment",
    "institutions.change_equipment",
    "institutions.view_signatory",
    "institutions.change_signatory",
    "institutions.view_personnel",
    "institutions.change_personnel",
    "institutions.view_institutionfield",
    "institutions.view_softwarecopyright",
    "institutions.view_patent",
    "institutions.view_trademark",
    "institutions.view_errorreport",
    "institutions.change_errorreport",
    # Issue 4: every regulator sees the sync runs; 立即同步 is for the province (SyncRunAdmin).
    "institutions.view_syncrun",
    # Module 06: regulators write, publish and take down portal articles in their region and review
    # institutions' news (the review actions need change on the queue's proxy model).
    "news.view_article",
    "news.add_article",
    "news.change_article",
    "news.delete_article",
    "news.view_newssubmission",
    "news.change_newssubmission",
]

# Password history rows kept per user; the reuse rule looks at the newest few of them.
PASSWORD_HISTORY_KEEP = 10

# Temporary passwords: no look-alike characters, since they are typed from an SMS.
_TEMP_UPPER = "ABCDEFGHJKMNPQRSTUVWXYZ"
_TEMP_LOWER = "abcdefghijkmnpqrstuvwxyz"
_TEMP_DIGITS = "23456789"
_TEMP_SYMBOLS = "@#%&*+=?!"
TEMP_PASSWORD_LENGTH = 12


@transaction.atomic
def regulator_group_ensure() -> Group:
    """The group every regulator belongs to, holding exactly REGULATOR_PERMISSIONS."""
    group, _created = Group.objects.get_or_create(name=REGULATOR_GROUP)
    wanted = []
    for dotted in REGULATOR_PERMISSIONS:
        app_label, codename = dotted.split(".", 1)
        wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    group.permissions.set(wanted)
    return group


@transaction.atomic
def regulator_save(*, regulator: Regulator) -> Regulator:
    """Saves a regulator profile and gives its user what the role needs: admin login and the group."""
    regulator.full_clean()
    regulator.save()
    user = regulator.user
    group = regulator_group_ensure()
    if regulator.is_active:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(group)
    else:
        user.groups.remove(group)
    return regulator


# --- Passwords -----------------------------------------------------------------------------------


@transaction.atomic
def password_set(*, user: User, raw_password: str | None, must_change: bool = False) -> User:
    """The one way a password is set: hash, change time, must-change flag and a history row.

    Callers validate the password first (forms run the validators); `None` makes it unusable.
    An unsaved user is saved here.
    """
    if raw_password is None:
        user.set_unusable_password()
    else:
        user.set_password(raw_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    if user.pk is None:
        user.save()
    else:
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    if raw_password is not None:
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk")[
            PASSWORD_HISTORY_KEEP:
        ]
        PasswordHistory.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return user


def temporary_password_generate(*, user: User | None = None) -> str:
    """A random password that satisfies the whole policy (all four character classes, 12 characters)."""
    from django.contrib.auth.password_validation import validate_password

    pools = (_TEMP_UPPER, _TEMP_LOWER, _TEMP_DIGITS, _TEMP_SYMBOLS)
    everything = "".join(pools)
    while True:
        chars = [secrets.choice(pool) for pool in pools]
        chars += [secrets.choice(everything) for _ in range(TEMP_PASSWORD_LENGTH - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate


def _sms_on_commit(*, phone: str, message: str) -> None:
    transaction.on_commit(lambda: send_sms_task.delay(phone, message))


def _temporary_password_message(*, password: str, reason: str) -> str:
    return (
        f"【{settings.SITE_SHORT_NAME}】{reason}登录账号为本手机号，临时密码：{password}。"
        "请尽快登录并修改密码，切勿将密码告知他人。"
    )


# --- Personal information ------------------------------------------------------------------------


@transaction.atomic
def info_confirm(*, user: User, name: str, id_card_number: str, email: str) -> User:
    """First-login step two: the user confirms name, ID card number and email."""
    user.name = name.strip()
    user.id_card_number = (id_card_number or "").strip().upper()
    user.email = (email or "").strip()
    user.info_confirmed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["name", "id_card_number", "email", "info_confirmed_at"])
    return user


# --- Memberships (user management by institution admins) -----------------------------------------


@dataclass(frozen=True)
class MembershipAddResult:
    membership: Membership
    user_created: bool


def _history_record(instance: Model, *, reason: str = "") -> None:
    """A history row for a change made by a conditional UPDATE (which bypasses save())."""
    instance.refresh_from_db()
    type(instance).history.bulk_history_create([instance], update=True, default_change_reason=reason)


def _is_admin(*, user: User, institution_id: int) -> bool:
    return Membership.objects.filter(
        user=user, institution_id=institution_id, role=MembershipRole.ADMIN, is_active=True
    ).exists()


def _lock_active_admins(*, institution_id: int) -> list[int]:
    """Locks the institution's admin rows (PostgreSQL) and returns the ids of those that count."""
    rows = (
        Membership.objects.select_for_update(of=("self",))
        .filter(institution_id=institution_id, role=MembershipRole.ADMIN)
        .values_list("pk", "is_active", "user__is_active")
        .order_by("pk")
    )
    return [pk for pk, active, user_active in rows if active and user_active]


def _refuse_last_admin(*, membership: Membership, action: str) -> None:
    active_admins = _lock_active_admins(institution_id=membership.institution_id)
    if membership.pk in active_admins and len(active_admins) <= 1:
        raise ValidationError(f"{action}失败：机构必须至少保留一名启用状态的机构管理员。")


def _refuse_self(*, membership: Membership, by: User, message: str) -> None:
    if membership.user_id == by.pk:
        raise ValidationError(message)


def _refuse_admin_target_unless_admin(*, membership: Membership, by: User) -> None:
    if membership.role == MembershipRole.ADMIN and not _is_admin(
        user=by, institution_id=membership.institution_id
    ):
        raise ValidationError("仅机构管理员可以操作机构管理员账号。")


def _module_perms_set(*, membership: Membership, perms: set[str]) -> bool:
    unknown = perms - set(MODULE_PERMISSION_CODES)
    if unknown:
        raise ValidationError(f"未知的模块权限：{'、'.join(sorted(unknown))}")
    current = module_perms_of(membership=membership)
    for code in sorted(perms - current):
        assign_perm(f"institutions.{code}", membership.user, membership.institution)
    for code in sorted(current - perms):
        remove_perm(f"institutions.{code}", membership.user, membership.institution)
    return perms != current


def _perms_reason(perms: set[str]) -> str:
    labels = [MODULE_PERMISSION_LABELS[code] for code in MODULE_PERMISSION_CODES if code in perms]
    return "模块权限：" + ("、".join(labels) if labels else "无")


@transaction.atomic
def membership_add(
    *,
    institution: Model,
    by: User,
    phone: str,
    name: str,
    id_card_number: str = "",
    email: str = "",
    role: str = MembershipRole.STAFF,
    perms: set[str] | frozenset[str] = frozenset(),
) -> MembershipAddResult:
    """Adds a user to the institution. An existing account with that phone is linked, never duplicated.

    A new account gets a temporary password by SMS and must change it at first login.
    """
    if role == MembershipRole.ADMIN and not _is_admin(user=by, institution_id=institution.pk):
        raise ValidationError("仅机构管理员可以添加机构管理员。")
    phone = phone.strip()
    user = User.objects.select_for_update().filter(phone=phone).first()
    created = user is None
    if user is not None:
        if user.is_system or user.is_staff or user.is_superuser:
            raise ValidationError("该手机号属于监管端或系统账号，不能加入机构。")
        existing = Membership.objects.filter(user=user, institution=institution).first()
        if existing is not None:
            state = "" if existing.is_active else "（已停用，可在用户列表中启用）"
            raise ValidationError(f"该手机号已是本机构的用户{state}。")
    else:
        user = User(
            phone=phone,
            name=name.strip(),
            id_card_number=(id_card_number or "").strip().upper(),
            email=(email or "").strip(),
        )
        user.full_clean(exclude=["password"])
        password = temporary_password_generate(user=user)
        password_set(user=user, raw_password=password, must_change=True)
    membership = Membership.objects.create(user=user, institution=institution, role=role, created_by=by)
    perms = set(perms)
    _module_perms_set(membership=membership, perms=perms)
    if perms:
        Membership.history.bulk_history_create(
            [membership], update=True, default_change_reason=_perms_reason(perms)
        )
    if created:
        _sms_on_commit(
            phone=user.phone,
            message=_temporary_password_message(
                password=password, reason=f"{institution}已为您开通江苏省检验检测服务平台账号，"
            ),
        )
    else:
        _sms_on_commit(
            phone=user.phone,
            message=f"【{settings.SITE_SHORT_NAME}】您的账号已被加入{institution}，请使用原密码登录。",
        )
    return MembershipAddResult(membership=membership, user_created=created)


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    by: User,
    role: str,
    perms: set[str] | frozenset[str],
    name: str | None = None,
    id_card_number: str | None = None,
) -> Membership:
    """Changes a member's role and module permissions; name and ID card only before they confirm them."""
    perms = set(perms)
    old_role = membership.role
    if membership.user_id == by.pk:
        if role != old_role:
            raise ValidationError("不能修改自己的角色，请联系本机构其他管理员。")
        if perms != module_perms_of(membership=membership):
            raise ValidationError("不能修改自己的模块权限，请联系本机构其他管理员。")
    if MembershipRole.ADMIN in (role, old_role) and not _is_admin(
        user=by, institution_id=membership.institution_id
    ):
        raise ValidationError("仅机构管理员可以设置或修改机构管理员。")
    if role != old_role:
        if old_role == MembershipRole.ADMIN:
            _refuse_last_admin(membership=membership, action="取消管理员角色")
        changed = Membership.objects.filter(pk=membership.pk, role=old_role).update(role=role)
        if changed != 1:
            raise ValidationError("该用户的角色已被他人修改，请刷新后重试。")
    perms_changed = _module_perms_set(membership=membership, perms=perms)
    if role != old_role or perms_changed:
        _history_record(membership, reason=_perms_reason(perms))
    user = membership.user
    if user.info_confirmed_at is None and (name is not None or id_card_number is not None):
        if name is not None:
            user.name = name.strip()
        if id_card_number is not None:
            user.id_card_number = id_card_number.strip().upper()
        user.full_clean(exclude=["password"])
        user.save(update_fields=["name", "id_card_number"])
    return membership


@transaction.atomic
def membership_disable(*, membership: Membership, by: User) -> Membership:
    _refuse_self(membership=membership, by=by, message="不能停用自己的账号。")
    _refuse_admin_target_unless_admin(membership=membership, by=by)
    _refuse_last_admin(membership=membership, action="停用")
    changed = Membership.objects.filter(pk=membership.pk, is_active=True).update(is_active=False)
    if changed != 1:
        raise ValidationError("该用户已是停用状态，请刷新后查看。")
    _history_record(membership, reason="停用")
    return membership


@transaction.atomic
def membership_enable(*, membership: Membership, by: User) -> Membership:
    _refuse_admin_target_unless_admin(membership=membership, by=by)
    changed = Membership.objects.filter(pk=membership.pk, is_active=False).update(is_active=True)
    if changed != 1:
        raise ValidationError("该用户已是启用状态，请刷新后查看。")
    _history_record(membership, reason="启用")
    return membership


@transaction.atomic
def membership_password_reset(*, membership: Membership, by: User) -> None:
    """A temporary password goes out by SMS; the user must change it at the next login."""
    from axes.utils import reset as axes_reset

    _refuse_self(membership=membership, by=by, message="不能重置自己的密码，请使用“修改密码”。")
    _refuse_admin_target_unless_admin(membership=membership, by=by)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    password = temporary_password_generate(user=user)
    password_set(user=user, raw_password=password, must_change=True)
    # A reset is also how a locked-out member gets back in.
    axes_reset(username=user.phone)
    _sms_on_commit(
        phone=user.phone,
        message=_temporary_password_message(
            password=password, reason=f"{membership.institution}已为您重置密码，"
        ),
    )
