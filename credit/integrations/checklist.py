"""The dashboard's share of 信用承诺书 (imported by CreditConfig.ready).

- 首要工作 item 上传信用承诺书, under the key the foundation used while module 05 was unopened
  ("credit_commitment", sujt/portal/checklist.py), for institutions module 05 applies to: it links to the
  upload and is done once this year's letter is in.
- A to-do while this year's letter is missing, due on the deadline, for each institution where the user
  may manage credit.

Both read one query (credit.letters.commitments_for). The dashboard asks the checklist, then the to-dos,
for the same user object: the checklist leaves its answer on the user for the to-dos to take once, and
records whether module 05 applies on the institution as credit_applies would, so the menu and the
credit block do not ask again. The dashboard's query count is pinned (tests/portal/test_dashboard.py).
"""

from django.urls import reverse
from django.utils import timezone

from sujt.core.dates import format_date
from sujt.core.todos import ChecklistItem, Todo, register_checklist_provider, register_todo_provider

from ..letters import MemberCommitment, commitment_due, commitments_for
from ..services import credit_applies

CHECKLIST_KEY = "credit_commitment"
CHECKLIST_ORDER = 20
MODULE_LABEL = "05 信用管理"
# Where the checklist leaves its answer for the to-dos of the same request (taken once, never reused).
_HANDOFF = "_credit_commitments_handoff"


def _commitments(user) -> dict[int, MemberCommitment]:
    handed = getattr(user, _HANDOFF, None)
    if handed is None:
        return commitments_for(user=user)
    delattr(user, _HANDOFF)
    return handed


def commitment_checklist(user, institution) -> list[ChecklistItem]:
    if institution is None:
        return []
    commitments = commitments_for(user=user)
    setattr(user, _HANDOFF, commitments)
    mine = commitments.get(institution.pk)
    if mine is None:  # not a member after all: ask as everyone does
        applies, may_manage, uploaded_at = credit_applies(institution), False, None
    else:
        applies, may_manage, uploaded_at = mine.applies, mine.may_manage, mine.uploaded_at
        institution._credit_applies = applies  # credit.services.credit_applies' own memo
    if not applies:
        return []
    today = timezone.localdate()
    due_on = commitment_due(year=today.year)
    if uploaded_at is not None:
        note = f"{today.year} 年度信用承诺书已于 {format_date(uploaded_at)} 上传。"
    elif today > due_on:
        note = f"{today.year} 年度信用承诺书已超过截止日期（{format_date(due_on)}），请尽快上传。"
    else:
        note = f"下载模板，签字盖章后上传 {today.year} 年度信用承诺书，截止 {format_date(due_on)}。"
    if uploaded_at is None and not may_manage:
        note += "（需要“信用管理”权限，请联系本机构管理员。）"
    return [
        ChecklistItem(
            key=CHECKLIST_KEY,
            title="上传信用承诺书",
            done=uploaded_at is not None,
            url=reverse("credit:commitment"),
            note=note,
            order=CHECKLIST_ORDER,
        )
    ]


def commitment_todos(user) -> list[Todo]:
    """One to-do per institution where the user manages credit and this year's letter is missing."""
    today = timezone.localdate()
    missing = [
        mine.name
        for mine in _commitments(user).values()
        if mine.applies and mine.may_manage and mine.uploaded_at is None
    ]
    several = len(missing) > 1
    return [
        Todo(
            title=(f"{name}：" if several else "") + f"上传 {today.year} 年度信用承诺书",
            module=MODULE_LABEL,
            url=reverse("credit:commitment"),
            due_date=commitment_due(year=today.year),
        )
        for name in missing
    ]


register_checklist_provider(commitment_checklist)
register_todo_provider(commitment_todos)
