"""First accounts of institutions created by the sync (manual §二).

A new institution's admin account is the mobile number of its contact person, else of its legal
representative. An existing user with that number is linked as the institution's admin, never duplicated;
a new user is created in the sync's transaction and, once it commits, a task gives it a random temporary
password (it must change it at first login) and sends it by SMS. The password is hashed in that task, not
in the sync: Argon2 takes about 0.1 s per password, which 1,000 new institutions cannot afford inline.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import Membership, User
from sujt.accounts.services import password_set, temporary_password_generate
from sujt.core.notifications import sms_queue

from ..models import Institution
from .records import ParsedRecord

NO_MOBILE_WARNING = "机构记录中联系人和法定代表人均无有效手机号，已创建机构但未开通管理员账号。"


@dataclass
class AccountsOutcome:
    created: int = 0
    linked: int = 0
    warnings: list[dict] = field(default_factory=list)


def first_accounts_create(
    *, institutions: list[tuple[Institution, ParsedRecord]], actor: User, now
) -> AccountsOutcome:
    """Admin accounts for newly created institutions, in bulk. Call inside the page's transaction."""
    outcome = AccountsOutcome()
    wanted: list[tuple[Institution, ParsedRecord]] = []
    for institution, record in institutions:
        if record.account_candidates:
            wanted.append((institution, record))
        else:
            outcome.warnings.append({"record": record.key, "message": NO_MOBILE_WARNING, "level": "warning"})
    if not wanted:
        return outcome
    phones = {phone for _inst, record in wanted for phone, _name in record.account_candidates}
    existing = {user.phone: user for user in User.objects.filter(phone__in=phones)}
    new_users: dict[str, User] = {}
    links: list[tuple[Institution, ParsedRecord, str]] = []
    for institution, record in wanted:
        chosen = None
        for phone, name in record.account_candidates:
            user = existing.get(phone)
            if user is not None and (user.is_system or user.is_staff or user.is_superuser):
                continue  # a regulator's or a system account never becomes an institution admin
            chosen = phone
            if user is None and phone not in new_users:
                new_users[phone] = User(
                    phone=phone,
                    name=name[:50],
                    must_change_password=True,
                    is_active=True,
                    date_joined=now,
                )
                new_users[phone].set_unusable_password()
            break
        if chosen is None:
            outcome.warnings.append(
                {
                    "record": record.key,
                    "message": "机构记录中的手机号属于监管端或系统账号，未开通管理员账号。",
                    "level": "warning",
                }
            )
            continue
        links.append((institution, record, chosen))
    created_users = User.objects.bulk_create(list(new_users.values()))
    if created_users:
        User.history.bulk_history_create(created_users, default_user=actor, default_date=now)
    by_phone = {**existing, **{user.phone: user for user in created_users}}
    memberships = [
        Membership(user=by_phone[phone], institution=institution, role=MembershipRole.ADMIN, created_by=actor)
        for institution, _record, phone in links
    ]
    memberships = Membership.objects.bulk_create(memberships)
    Membership.history.bulk_history_create(
        memberships, default_user=actor, default_date=now, default_change_reason="资质认定同步开通"
    )
    outcome.created = len(created_users)
    outcome.linked = len(memberships) - len(created_users)
    created_pairs = []
    notices = []
    new_phones = {user.phone for user in created_users}
    for membership in memberships:
        if membership.user.phone in new_phones and membership.user.phone not in {
            p for p, _i in created_pairs
        }:
            created_pairs.append((membership.user.phone, membership.institution_id))
        elif membership.user.phone not in new_phones:
            notices.append((membership.user.phone, membership.institution_id))
    activate = [(by_phone[phone].pk, institution_id) for phone, institution_id in created_pairs]
    notify = [(by_phone[phone].pk, institution_id) for phone, institution_id in notices]
    if activate or notify:
        from .. import tasks

        transaction.on_commit(lambda: tasks.sync_accounts_activate_task.delay(activate, notify))
    return outcome


def sync_accounts_activate(*, activate: list[tuple[int, int]], notify: list[tuple[int, int]]) -> int:
    """After the sync committed: temporary passwords by SMS for the new accounts, a notice for linked ones.

    Safe to run twice: an account that already has a usable password gets no second password.
    Returns how many temporary passwords were sent.
    """
    sent = 0
    names = dict(
        Institution.objects.filter(pk__in={i for _u, i in [*activate, *notify]}).values_list("pk", "name")
    )
    for user_id, institution_id in activate:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
            if user is None or user.has_usable_password():
                continue
            password = temporary_password_generate(user=user)
            password_set(user=user, raw_password=password, must_change=True)
            message = (
                f"【{settings.SITE_SHORT_NAME}】{names.get(institution_id, '')}已开通江苏省检验检测服务平台"
                f"机构管理员账号，登录账号为本手机号，临时密码：{password}。请尽快登录并修改密码，"
                "切勿将密码告知他人。"
            )
            sms_queue(phone=user.phone, message=message, strict=False)
            sent += 1
    for user_id, institution_id in notify:
        phone = User.objects.filter(pk=user_id).values_list("phone", flat=True).first()
        if phone:
            message = (
                f"【{settings.SITE_SHORT_NAME}】您的账号已被设为{names.get(institution_id, '')}的机构管理员，"
                "请使用原密码登录。"
            )
            sms_queue(phone=phone, message=message, strict=False)
    return sent
