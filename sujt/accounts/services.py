"""Writes about users, memberships, invitations and regulators. Keyword-only, one transaction each.

Rules kept here (views and admin only call these):
- every password change goes through `password_set` (history row, change time, must-change flag);
- an account belongs to a person, not to an institution: an institution admin creates accounts for new
  phones, but an existing account joins an institution only when its owner accepts an invitation; an
  institution resets the password or edits the identity of a user only if every active membership of
  that user is in that institution (otherwise the person, or a regulator, does);
- an institution always keeps at least one active admin; nobody disables, demotes or resets themselves;
- only an institution admin (or a regulator of its region) may grant the admin role or touch another
  admin's account;
- state changes are conditional UPDATEs on the expected state, made while the institution's admin rows
  are locked, so two managers acting at once cannot both remove "the other" admin;
- every SMS goes through `sms_queue`: over its limits the action is refused whole;
- a regulator unlocks or resets only the institution users of their jurisdiction (`users_regulated_by`),
  and each time a login-log row and a history row say who did it.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from sujt.core.dates import format_date
from sujt.core.notifications import notify, sms_queue
from sujt.core.registries import regulator_permissions
from sujt.core.validators import mask_phone

from .choices import InvitationStatus, LoginEventKind, MembershipRole
from .models import Invitation, LoginEvent, Membership, PasswordHistory, Regulator, User
from .parties import oversees_region
from .permissions import MODULE_PERMISSION_CODES, MODULE_PERMISSION_LABELS
from .selectors import account_only_here, module_perms_of, users_regulated_by

REGULATOR_GROUP = "监管人员"

# Password history rows kept per user; the reuse rule looks at the newest few of them.
PASSWORD_HISTORY_KEEP = 10

# Temporary passwords are typed from an SMS on a phone: letters and digits only (no symbols, which sit
# behind extra keyboard pages) and no look-alikes (0/O, 1/l/I). Three classes meet the policy.
_TEMP_UPPER = "ABCDEFGHJKMNPQRSTUVWXYZ"
_TEMP_LOWER = "abcdefghijkmnpqrstuvwxyz"
_TEMP_DIGITS = "23456789"
TEMP_PASSWORD_LENGTH = 12

# How long an invitation to join an institution may be accepted.
INVITATION_VALID_DAYS = 7


@transaction.atomic
def regulator_group_ensure() -> Group:
    """The group every regulator belongs to, holding exactly the permissions the apps registered for
    regulators (`sujt.core.registries.register_regulator_permissions`)."""
    wanted = regulator_permissions()
    found = {
        f"{permission.content_type.app_label}.{permission.codename}": permission
        for permission in Permission.objects.filter(
            codename__in={dotted.split(".", 1)[1] for dotted in wanted}
        ).select_related("content_type")
    }
    missing = [dotted for dotted in wanted if dotted not in found]
    if missing:
        # The system check core.E010 reports a codename no model defines before `migrate` runs; this
        # catches one whose table was never migrated. Never grant a silently shortened list.
        raise ImproperlyConfigured(f"登记的监管人员权限不存在（是否未执行 migrate？）：{'、'.join(missing)}")
    group, _created = Group.objects.get_or_create(name=REGULATOR_GROUP)
    group.permissions.set([found[dotted] for dotted in wanted])
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
    """A random password that satisfies the whole policy (upper, lower and digits, 12 characters)."""
    from django.contrib.auth.password_validation import validate_password

    pools = (_TEMP_UPPER, _TEMP_LOWER, _TEMP_DIGITS)
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

PASSWORD_ELSEWHERE = (
    "该用户同时是其他机构的用户，本机构不能重置其密码。请本人登录后在“修改密码”中修改；"
    "本人无法登录时，请联系其所在地的市场监管部门重置。"
)
IDENTITY_ELSEWHERE = (
    "该用户同时是其他机构的用户，本机构不能修改其姓名和身份证号，请由本人在“个人信息”中修改，或联系监管部门。"
)


@dataclass(frozen=True)
class MembershipAddResult:
    """What adding a phone did: created an account and its membership, or invited an existing account."""

    membership: Membership | None
    invitation: Invitation | None
    user_created: bool


def _history_record(instance: Model, *, reason: str = "") -> None:
    """A history row for a change made by a conditional UPDATE (which bypasses save())."""
    instance.refresh_from_db()
    type(instance).history.bulk_history_create([instance], update=True, default_change_reason=reason)


def _is_admin(*, user: User, institution_id: int) -> bool:
    return Membership.objects.filter(
        user=user, institution_id=institution_id, role=MembershipRole.ADMIN, is_active=True
    ).exists()


def _regulates(*, user: User, institution: Model) -> bool:
    return oversees_region(user=user, region_code=institution.region_code)


def _may_manage_admins(*, by: User, institution: Model) -> bool:
    return _is_admin(user=by, institution_id=institution.pk) or _regulates(user=by, institution=institution)


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
    if membership.role == MembershipRole.ADMIN and not _may_manage_admins(
        by=by, institution=membership.institution
    ):
        raise ValidationError("仅机构管理员可以操作机构管理员账号。")


def _refuse_unless_only_here(*, membership: Membership, by: User, message: str) -> None:
    if _regulates(user=by, institution=membership.institution):
        return
    if not account_only_here(user_id=membership.user_id, institution_id=membership.institution_id):
        raise ValidationError(message, code="account_elsewhere")


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


def _refuse_unjoinable(user: User) -> None:
    if user.is_system or user.is_staff or user.is_superuser:
        raise ValidationError("该手机号属于监管端或系统账号，不能加入机构。")


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
    """Adds a person to the institution by phone number.

    A phone without an account gets a new account (a temporary password by SMS, changed at first login)
    and its membership. A phone that has an account gets an invitation instead: its owner accepts it
    after logging in; until then nothing is linked, and what the admin typed about the person is unused.
    """
    if role == MembershipRole.ADMIN and not _may_manage_admins(by=by, institution=institution):
        raise ValidationError("仅机构管理员可以添加机构管理员。")
    phone = phone.strip()
    user = User.objects.select_for_update().filter(phone=phone).first()
    if user is not None:
        invitation = invitation_create(institution=institution, by=by, user=user, role=role, perms=perms)
        return MembershipAddResult(membership=None, invitation=invitation, user_created=False)
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
    sms_queue(
        phone=user.phone,
        message=_temporary_password_message(
            password=password, reason=f"{institution}已为您开通江苏省检验检测服务平台账号，"
        ),
        by=by,
    )
    return MembershipAddResult(membership=membership, invitation=None, user_created=True)


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
    """Changes a member's role and module permissions; name and ID card only before they confirm them,
    and only when the account belongs to this institution alone (or a regulator of its region acts)."""
    perms = set(perms)
    old_role = membership.role
    if membership.user_id == by.pk:
        if role != old_role:
            raise ValidationError("不能修改自己的角色，请联系本机构其他管理员。")
        if perms != module_perms_of(membership=membership):
            raise ValidationError("不能修改自己的模块权限，请联系本机构其他管理员。")
    if MembershipRole.ADMIN in (role, old_role) and not _may_manage_admins(
        by=by, institution=membership.institution
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
    user = User.objects.select_for_update().get(pk=membership.user_id)
    new_name = user.name if name is None else name.strip()
    new_id = user.id_card_number if id_card_number is None else id_card_number.strip().upper()
    if (new_name, new_id) != (user.name, user.id_card_number):
        if user.info_confirmed_at is not None:
            raise ValidationError("该用户已确认个人信息，姓名和身份证号由本人维护。")
        _refuse_unless_only_here(membership=membership, by=by, message=IDENTITY_ELSEWHERE)
        user.name, user.id_card_number = new_name, new_id
        user.full_clean(exclude=["password"])
        user.save(update_fields=["name", "id_card_number"])
    membership.refresh_from_db()
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
    """A temporary password goes out by SMS; the user must change it at the next login.

    Only for an account that belongs to this institution alone: a person who also works elsewhere keeps
    a password no single institution can take from them.
    """
    _refuse_self(membership=membership, by=by, message="不能重置自己的密码，请使用“修改密码”。")
    _refuse_admin_target_unless_admin(membership=membership, by=by)
    _refuse_unless_only_here(membership=membership, by=by, message=PASSWORD_ELSEWHERE)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    _temporary_password_send(user=user, by=by, reason=f"{membership.institution}已为您重置密码，")


def _temporary_password_send(*, user: User, by: User, reason: str) -> None:
    """Gives a locked row (`user`) a new temporary password, texted to its phone; call inside the
    caller's transaction, so that a refused SMS (over its limits) rolls the new password back too.

    The password exists only in the SMS: nobody who presses the button ever sees it. Changing the hash
    also ends the user's sessions (Django checks the session's password hash on every request).
    """
    from axes.utils import reset as axes_reset

    password = temporary_password_generate(user=user)
    password_set(user=user, raw_password=password, must_change=True)
    # A reset is also how a locked-out user gets back in.
    axes_reset(username=user.phone)
    sms_queue(phone=user.phone, message=_temporary_password_message(password=password, reason=reason), by=by)


# --- Account help by regulators (unlock, reset password) ------------------------------------------


def _regulated_account_lock(*, user: User, by: User) -> User:
    """The target account, row-locked, if `by` regulates it (`users_regulated_by`); refused otherwise,
    whatever the caller checked before (admin answers 404 earlier; this is the rule's second line)."""
    target = users_regulated_by(user=by).select_for_update().filter(pk=user.pk).first()
    if target is None:
        raise PermissionDenied("该账号不在您的管辖范围内。")
    return target


def _account_help_record(*, user: User, by: User, kind: str, ip_address: str | None) -> None:
    """The login-log row of a regulator's help, naming who acted (the account's history row is written
    by the change itself, or by the caller when nothing on the account changed)."""
    LoginEvent.objects.create(kind=kind, user=user, phone=user.phone, by=by, ip_address=ip_address)


@transaction.atomic
def account_unlock(*, user: User, by: User, ip_address: str | None = None) -> int:
    """Clears django-axes' failure count of that one account (no other account's, no address's), so the
    user may log in again at once. Returns how many failure records were cleared (0: it was not locked,
    which is still recorded: the regulator's intent is the audit)."""
    from axes.utils import reset as axes_reset

    target = _regulated_account_lock(user=user, by=by)
    cleared = axes_reset(username=target.phone)
    _account_help_record(user=target, by=by, kind=LoginEventKind.UNLOCKED, ip_address=ip_address)
    # Nothing on the user row changes (the failures are axes' rows), so the history row is made here.
    User.history.bulk_history_create(
        [target], update=True, default_user=by, default_change_reason="监管人员解除登录锁定"
    )
    return cleared


@transaction.atomic
def account_password_reset_by_regulator(*, user: User, by: User, ip_address: str | None = None) -> None:
    """A regulator resets an institution user's password: a temporary one goes out by SMS (within the
    SMS limits per phone and per regulator, else refused whole), the user must change it at the next
    login, the account is unlocked and its sessions end."""
    target = _regulated_account_lock(user=user, by=by)
    bureau = getattr(by.regulator_profile, "bureau", "") or "监管部门"
    # The history row of the password change names the regulator and why.
    target._history_user = by
    target._change_reason = "监管人员重置密码（临时密码已短信发送）"
    _temporary_password_send(user=target, by=by, reason=f"{bureau}已为您重置密码，")
    _account_help_record(user=target, by=by, kind=LoginEventKind.PASSWORD_RESET, ip_address=ip_address)


# --- Invitations (an existing account joins an institution) ---------------------------------------


def _invitations_expire(*, user: User, institution_id: int) -> None:
    """Pending invitations past their date become 已过期 (they no longer block a new one)."""
    stale = list(
        Invitation.objects.filter(
            user=user,
            institution_id=institution_id,
            status=InvitationStatus.PENDING,
            expires_at__lte=timezone.now(),
        )
    )
    for invitation in stale:
        if Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.EXPIRED
        ):
            _history_record(invitation, reason="邀请过期")


def invitation_create(
    *,
    institution: Model,
    by: User,
    user: User,
    role: str = MembershipRole.STAFF,
    perms: set[str] | frozenset[str] = frozenset(),
) -> Invitation:
    """Invites the owner of an existing account, told in-site and by SMS. Call inside a transaction."""
    _refuse_unjoinable(user)
    existing = Membership.objects.filter(user=user, institution=institution).first()
    if existing is not None:
        state = "" if existing.is_active else "（已停用，可在用户列表中启用）"
        raise ValidationError(f"该手机号已是本机构的用户{state}。")
    unknown = set(perms) - set(MODULE_PERMISSION_CODES)
    if unknown:
        raise ValidationError(f"未知的模块权限：{'、'.join(sorted(unknown))}")
    _invitations_expire(user=user, institution_id=institution.pk)
    pending = Invitation.objects.filter(
        user=user, institution=institution, status=InvitationStatus.PENDING
    ).first()
    if pending is not None:
        raise ValidationError(
            f"已于{format_date(pending.created_at)}向该手机号发出邀请，正在等待对方接受；"
            "如需修改角色或权限，请先在用户列表中撤回该邀请。"
        )
    now = timezone.now()
    invitation = Invitation(
        institution=institution,
        user=user,
        role=role,
        perms=sorted(perms),
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_VALID_DAYS),
    )
    invitation.save()
    from django.urls import reverse

    notify(
        recipients=[user],
        title=f"{institution}邀请您加入本机构",
        body=(
            f"{institution}邀请您以“{invitation.get_role_display()}”身份加入。接受后，您可以在工作台切换到该机构办理业务；"
            f"邀请有效期至{format_date(invitation.expires_at)}。"
        ),
        url=reverse("accounts:invitations"),
    )
    sms_queue(
        phone=user.phone,
        message=(
            f"【{settings.SITE_SHORT_NAME}】{institution}邀请您加入其机构账号，请登录江苏省检验检测服务平台，"
            "在“机构邀请”中接受或拒绝。如非本人业务，请忽略。"
        ),
        by=by,
    )
    return invitation


def _decide(*, invitation: Invitation, by: User, to: str, reason: str) -> Invitation:
    now = timezone.now()
    changed = Invitation.objects.filter(
        pk=invitation.pk, user=by, status=InvitationStatus.PENDING, expires_at__gt=now
    ).update(status=to, decided_at=now)
    if changed != 1:
        invitation.refresh_from_db()
        if invitation.is_expired:
            raise ValidationError("该邀请已过期，请联系邀请机构重新发送。")
        raise ValidationError(f"该邀请已{invitation.get_status_display()}，无需再次处理。")
    _history_record(invitation, reason=reason)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, by: User) -> Membership:
    """The invited person joins the institution with the invited role and module permissions."""
    _refuse_unjoinable(by)
    _decide(invitation=invitation, by=by, to=InvitationStatus.ACCEPTED, reason="接受邀请")
    if Membership.objects.filter(user=by, institution_id=invitation.institution_id).exists():
        raise ValidationError("您已是该机构的用户。")
    membership = Membership.objects.create(
        user=by,
        institution_id=invitation.institution_id,
        role=invitation.role,
        created_by=invitation.created_by,
    )
    perms = set(invitation.perms) & set(MODULE_PERMISSION_CODES)
    _module_perms_set(membership=membership, perms=perms)
    Membership.history.bulk_history_create(
        [membership], update=True, default_change_reason=f"接受邀请加入；{_perms_reason(perms)}"
    )
    if invitation.created_by is not None:
        from django.urls import reverse

        notify(
            recipients=[invitation.created_by],
            title=f"{by.get_full_name()}已接受邀请，加入{invitation.institution}",
            url=reverse("accounts:user_list"),
        )
    return membership


@transaction.atomic
def invitation_decline(*, invitation: Invitation, by: User) -> Invitation:
    _decide(invitation=invitation, by=by, to=InvitationStatus.DECLINED, reason="拒绝邀请")
    if invitation.created_by is not None:
        notify(
            recipients=[invitation.created_by],
            title=f"手机号{mask_phone(invitation.user.phone)}未接受加入{invitation.institution}的邀请",
        )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """The inviting institution takes a pending invitation back (an admin one only by an admin)."""
    if invitation.role == MembershipRole.ADMIN and not _may_manage_admins(
        by=by, institution=invitation.institution
    ):
        raise ValidationError("仅机构管理员可以撤回邀请机构管理员的邀请。")
    changed = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.REVOKED, decided_at=timezone.now()
    )
    if changed != 1:
        invitation.refresh_from_db()
        raise ValidationError(f"该邀请已{invitation.get_status_display()}，无法撤回。")
    _history_record(invitation, reason="撤回邀请")
    return invitation
