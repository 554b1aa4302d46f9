"""Services on a center itself: construction approved (its deadlines and approval number), the
deadline job's 筹建超期, the province's revocation."""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sujt.core.dates import add_months, format_date
from sujt.core.events import event_record
from sujt.core.notifications import notify
from sujt.core.workflow import Side, transition

from .. import events
from ..choices import CenterStatus
from ..models import Center
from .common import locked, members_to_tell, regulators_to_tell

C = CenterStatus


def approval_number_next(*, year: int) -> str:
    """The next 批准文号 of a year: 苏市监中心筹〔2026〕7号 (numbered in approval order)."""
    prefix = f"苏市监中心筹〔{year}〕"
    taken = Center.objects.filter(approval_number__startswith=prefix).values_list(
        "approval_number", flat=True
    )
    numbers = [int(digits) for n in taken if (digits := n.removeprefix(prefix).removesuffix("号")).isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}号"


def deadlines_for(approved_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(task book due, construction and acceptance due) for a center approved on `approved_on`."""
    return (
        add_months(approved_on, settings.CENTER_TASK_BOOK_MONTHS),
        add_months(approved_on, settings.CENTER_CONSTRUCTION_MONTHS),
    )


def center_construction_approve(*, center: Center, by: Any, today: datetime.date | None = None) -> Center:
    """筹建申请中 → 筹建中: the approval number, date and deadlines are set (call inside the application's
    approval transaction)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        center = locked(center)
        task_book_due, construction_due = deadlines_for(today)
        Center.objects.filter(pk=center.pk).update(
            approval_number=approval_number_next(year=today.year),
            approved_on=today,
            task_book_due_on=task_book_due,
            construction_due_on=construction_due,
        )
        transition(obj=center, name="approve", by=by, side=Side.SYSTEM)
    return center


def center_running_record(*, center: Center) -> None:
    """Records CENTER_RUNNING for a center now in operation (inside the caller's transaction; once)."""
    event_record(
        kind=events.CENTER_RUNNING,
        key=f"centers.center:{center.pk}:running",
        institution=center.institution_id,
        source=center,
        payload={
            "center_id": center.pk,
            "level": center.level,
            "kind": center.kind,
            "running_on": (center.accepted_on or timezone.localdate()).isoformat(),
        },
    )


def center_mark_overdue(*, center: Center) -> None:
    """筹建超期 (the construction deadline's overdue action): a center still being built past its
    construction and acceptance deadline. Its members and the bureaus over it are told; a center that
    applied for acceptance in time, or was marked already, is left alone."""
    with transaction.atomic():
        center = locked(center)
        if center.status not in (C.BUILDING, C.FAILED):
            return
        transition(obj=center, name="overdue", by=None, side=Side.SYSTEM)
        Center.objects.filter(pk=center.pk).update(overdue_at=timezone.now())
        due = format_date(center.construction_due_on)
        notify(
            recipients=members_to_tell(center.institution_id),
            title=f"中心筹建超期：{center.name}",
            body=f"{center.name}的筹建及验收期限为 {due}，已超期。"
            "请尽快申请验收，或提交任务书变更申请说明原因。",
            url=center.get_absolute_url(),
            sms=True,
        )
        notify(
            recipients=regulators_to_tell(center.institution.region_code),
            title=f"中心筹建超期：{center.institution.name}",
            body=f"{center.institution.name}的{center.name}未在 {due} 前完成筹建并申请验收，"
            "已标记为筹建超期。",
            url=admin_center_url(center),
        )


def center_revoke(*, center: Center, by: Any, comment: str, side: str | None = None) -> None:
    """The province revokes a center (a comment is required); the institution is told by the engine."""
    transition(obj=center, name="revoke", by=by, comment=comment, side=side)


def admin_center_url(center: Center) -> str:
    return reverse("admin:centers_center_change", args=[center.pk])
