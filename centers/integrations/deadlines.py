"""The center construction clock (DESIGN §7) on the kit's deadlines:

- 任务书提交期限: a center approved to build has its task book due CENTER_TASK_BOOK_MONTHS later; the
  institution is reminded 30 and 7 days before (in-site and SMS) until a version is approved. Past it,
  the to-do says 已逾期 and the regulators' dashboard counts it.
- 筹建及验收期限: construction and the acceptance application within CENTER_CONSTRUCTION_MONTHS of the
  approval (a change application may move it); reminders 90, 30 and 7 days before; the day after, the
  job marks a center still building 筹建超期 (services.center_mark_overdue). A center that applied for
  acceptance in time is not overdue.
"""

from django.db.models import QuerySet
from django.urls import reverse

from sujt.core.dates import format_date
from sujt.core.deadlines import DeadlineOversight, DeadlineTodo, Offset, register_deadline

from ..choices import CenterStatus
from ..models import REGION_FIELD, Center
from ..selectors import centers_for
from ..services import center_mark_overdue
from ..services.common import members_to_tell
from ..workflows import CONSTRUCTION_STATES

MODULE_LABEL = "04 中心建设"
C = CenterStatus


def centers_without_task_book() -> QuerySet[Center]:
    return Center.objects.filter(
        status__in=CONSTRUCTION_STATES, task_book__isnull=True, task_book_due_on__isnull=False
    ).select_related("institution")


def centers_building() -> QuerySet[Center]:
    # 筹建超期 centers stay: their to-do says 已逾期 N 天 (the overdue action runs once).
    return Center.objects.filter(
        status__in=CONSTRUCTION_STATES, construction_due_on__isnull=False
    ).select_related("institution")


def task_book_message(center: Center, offset: Offset, due_on) -> tuple[str, str]:
    return (
        f"任务书提交提醒：{center.name}",
        f"{center.name}的筹建任务书应于 {format_date(due_on)} 前提交并通过审核（{offset.label}），"
        "请尽快填报。",
    )


def construction_message(center: Center, offset: Offset, due_on) -> tuple[str, str]:
    return (
        f"筹建期限提醒：{center.name}",
        f"{center.name}的筹建及验收期限为 {format_date(due_on)}（{offset.label}），"
        "请按任务书推进筹建并及时申请验收；"
        "确需延期的，请提交任务书变更申请。",
    )


def _admin_list(query: str) -> str:
    return f"{reverse('admin:centers_center_changelist')}?{query}"


register_deadline(
    "centers.task_book_due",
    label="中心任务书提交期限",
    model=Center,
    due="task_book_due_on",
    queryset=centers_without_task_book,
    reminders=(Offset(days=30), Offset(days=7)),
    recipients=lambda center: members_to_tell(center.institution_id),
    message=task_book_message,
    sms=True,
    todo=DeadlineTodo(
        module=MODULE_LABEL,
        title=lambda center: f"{center.name}：提交筹建任务书",
        objects=lambda user: centers_for(user=user),
        horizon=Offset(months=12),  # a to-do from the day construction is approved
        owner=lambda center: center.institution.name,
    ),
    oversight=DeadlineOversight(
        region_field=REGION_FIELD,
        title=lambda center: f"{center.name}（任务书）",
        owner=lambda center: center.institution.name,
        list_url=lambda: _admin_list("task_book=missing"),
    ),
)

register_deadline(
    "centers.construction_due",
    label="中心筹建及验收期限",
    model=Center,
    due="construction_due_on",
    queryset=centers_building,
    reminders=(Offset(days=90), Offset(days=30), Offset(days=7)),
    recipients=lambda center: members_to_tell(center.institution_id),
    message=construction_message,
    sms=True,
    on_overdue=lambda center: center_mark_overdue(center=center),
    todo=DeadlineTodo(
        module=MODULE_LABEL,
        title=lambda center: f"{center.name}：完成筹建并申请验收",
        objects=lambda user: centers_for(user=user),
        owner=lambda center: center.institution.name,
    ),
    oversight=DeadlineOversight(
        region_field=REGION_FIELD,
        horizon=Offset(days=90),
        title=lambda center: f"{center.name}（筹建期限）",
        owner=lambda center: center.institution.name,
        list_url=lambda: _admin_list("status__in=building,failed,overdue"),
    ),
)
