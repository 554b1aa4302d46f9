"""The rectification deadline (core deadlines): every order still waiting for an answer (待整改, 已退回, 逾期)
is due on its 整改期限, with reminders 7 days and 1 day before to the institution's members who handle
rectification, in-site and by SMS, each once per due date; the day after, the kit's job marks it 逾期
(services.order_mark_overdue: the institution and the issuing regulator are told, the credit event is
recorded). It is their to-do, and the regulators' dashboard shows what is overdue or due within 7 days.
"""

from django.db.models import QuerySet
from django.urls import reverse

from sujt.accounts.parties import institution_members_with_perm
from sujt.core.dates import format_date
from sujt.core.deadlines import DeadlineOversight, DeadlineTodo, Offset, register_deadline

from ..choices import OrderStatus
from ..models import PERMISSION, REGION_FIELD, RectificationOrder
from ..selectors import orders_for
from ..services import order_mark_overdue

MODULE_LABEL = "03 机构整改"
ORDER_DEADLINE = "rectification.order_due"
# Overdue orders stay: still to be answered (their to-do says 已逾期 N 天); the overdue action runs once.
WAITING = (OrderStatus.OPEN, OrderStatus.RETURNED, OrderStatus.OVERDUE)


def orders_waiting() -> QuerySet[RectificationOrder]:
    return RectificationOrder.objects.filter(status__in=WAITING).select_related("institution", "inspection")


def reminder_message(order: RectificationOrder, offset: Offset, due_on) -> tuple[str, str]:
    return (
        f"整改期限提醒：请于 {format_date(due_on)} 前提交整改材料",
        f"您单位的整改通知（{order.inspection}）将于 {format_date(due_on)} 到期（{offset.label}），"
        "请尽快提交整改措施和证明材料；逾期未提交将标记为逾期整改。",
    )


def waiting_orders_admin_url() -> str:
    return f"{reverse('admin:rectification_rectificationorder_changelist')}?waiting=1"


register_deadline(
    ORDER_DEADLINE,
    label="整改期限",
    model=RectificationOrder,
    due="due_on",
    queryset=orders_waiting,
    reminders=(Offset(days=7), Offset(days=1)),
    recipients=lambda order: institution_members_with_perm(
        institution_id=order.institution_id, perm=PERMISSION
    ),
    message=reminder_message,
    url=lambda order: order.get_absolute_url(),
    sms=True,
    on_overdue=lambda order: order_mark_overdue(order=order),
    todo=DeadlineTodo(
        module=MODULE_LABEL,
        title=lambda order: f"整改通知（{order.inspection}）：提交整改措施和证明材料",
        objects=lambda user: orders_for(user=user),
        horizon=Offset(months=12),  # an order is a to-do from the day it is issued
        owner=lambda order: order.institution.name,
    ),
    oversight=DeadlineOversight(
        region_field=REGION_FIELD,
        horizon=Offset(days=7),
        title=lambda order: f"整改通知（{order.inspection}）",
        owner=lambda order: order.institution.name,
        list_url=waiting_orders_admin_url,
    ),
)
