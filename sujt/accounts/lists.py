"""系统管理 › 用户管理: the institution's users as a workspace list (sujt.core.lists), with its export."""

from typing import Any

import django_filters
from django.db.models import Q
from django.http import HttpRequest

from sujt.core.excel import ExcelColumn
from sujt.core.lists import Column, ConditionFilter, ListFilterSet, SearchFilter, WorkspaceList

from . import selectors
from .choices import MembershipRole
from .decorators import institution_required
from .models import Membership
from .permissions import MODULE_PERMISSION_CODES, MODULE_PERMISSION_LABELS

MEMBER_STATES = {"active": Q(is_active=True), "inactive": Q(is_active=False)}
STATUS_FILTERS = [("active", "启用"), ("inactive", "停用")]
CELLS = "accounts/includes/user_list"


class UserFilter(ListFilterSet):
    q = SearchFilter(fields=("user__name", "user__phone"), label="姓名或手机号")
    role = django_filters.ChoiceFilter(choices=MembershipRole.choices, label="角色", empty_label="全部角色")
    status = ConditionFilter(
        choices=STATUS_FILTERS, condition=MEMBER_STATES.get, label="状态", empty_label="全部状态"
    )


def _perm_labels(codes: set[str]) -> list[str]:
    return [MODULE_PERMISSION_LABELS[code] for code in MODULE_PERMISSION_CODES if code in codes]


def _status_label(membership: Membership) -> str:
    if not membership.user.is_active:
        return "账号已被监管端停用"
    return "启用" if membership.is_active else "停用"


def with_member_details(request: HttpRequest, memberships: list[Membership]) -> list[Membership]:
    """Per page (and export chunk): each member's module permission labels and whether their account is
    shared with another institution, one query each for the whole page."""
    user_ids = [m.user_id for m in memberships]
    institution_id = request.institution.pk  # type: ignore[attr-defined]
    granted = selectors.module_perms_by_user(institution_id=institution_id, user_ids=user_ids)
    shared = selectors.shared_account_ids(institution_id=institution_id, user_ids=user_ids)
    for membership in memberships:
        membership.perm_labels = (
            ["全部模块"]
            if membership.role == MembershipRole.ADMIN
            else _perm_labels(granted[membership.user_id])
        )
        membership.account_shared = membership.user_id in shared
        membership.status_label = _status_label(membership)
        membership.is_self = membership.user_id == request.user.pk
    return memberships


def _manager_context(request: HttpRequest, filterset: Any) -> dict[str, Any]:
    institution_id = request.institution.pk  # type: ignore[attr-defined]
    return {
        "can_manage_admins": request.membership.is_admin,  # type: ignore[attr-defined]
        "invitations": list(selectors.institution_invitations(institution_id=institution_id)),
    }


USERS = WorkspaceList(
    key="users",
    title="用户管理",
    selector=lambda request: selectors.institution_users(institution_id=request.institution.pk),
    filterset=UserFilter,
    columns=[
        Column("user", "姓名 / 手机号", template=f"{CELLS}/person.html"),
        Column("role", "角色与模块权限", template=f"{CELLS}/role.html", wrap=True),
        Column("status", "状态", template=f"{CELLS}/status.html", essential=True),
        Column(
            "last_login", "最近登录", value="user.last_login", css="nowrap", empty="从未登录", export=False
        ),
    ],
    export_columns=[
        ExcelColumn("手机号", "user.phone"),
        ExcelColumn("姓名", "user.name"),
        ExcelColumn("身份证号", "user.masked_id_card"),
        ExcelColumn("角色", "get_role_display"),
        ExcelColumn("状态", "status_label"),
        ExcelColumn("模块权限", lambda membership: "、".join(membership.perm_labels) or "无"),
    ],
    export_title="用户列表",
    prepare_rows=with_member_details,
    row_actions=f"{CELLS}/actions.html",
    extra_context=_manager_context,
    empty_text="本机构还没有其他用户",
    empty_hint="点击“添加用户”为同事开通账号。",
    filtered_empty_text="没有符合条件的用户",
    caption="本机构用户列表",
    count_noun="名",
    item_name="用户",
    template="accounts/user_list.html",
    permission="manage_users",
    access=institution_required,
)
