"""The workspace list of rectification orders (机构整改), declared on sujt.core.lists."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from sujt.accounts.decorators import institution_required
from sujt.core.lists import Column, ListFilterSet, OptionFilter, TabFilter, WorkspaceList, list_tabs

from . import selectors
from .choices import InspectionKind, OrderStatus
from .models import PERMISSION, RectificationOrder


class OrderFilter(ListFilterSet):
    status = TabFilter(choices=OrderStatus.choices)
    kind = OptionFilter(
        "inspection__kind",
        label="检查类型",
        options=lambda request: InspectionKind.choices,
        empty_label="全部类型",
    )


def _status_tabs(request: HttpRequest, filterset: Any) -> dict[str, Any]:
    counts = selectors.open_order_counts(institution_id=request.institution.pk)
    tabs = list_tabs(request, name="status", choices=OrderStatus.choices, counts=counts, all_label="全部")
    return {"status_tabs": tabs, "tabs_label": "按状态筛选整改通知"}


def _prepare(request: HttpRequest, rows: list[RectificationOrder]) -> list[RectificationOrder]:
    today = timezone.localdate()
    for order in rows:
        order.days_left = (order.due_on - today).days
    return rows


ORDERS = WorkspaceList(
    key="rectification_orders",
    title="机构整改",
    selector=lambda request: selectors.orders_of(institution_id=request.institution.pk),
    filterset=OrderFilter,
    columns=[
        Column(
            "inspection",
            "监督检查",
            value=lambda order: str(order.inspection),
            link=lambda order: order.get_absolute_url(),
            wrap=True,
        ),
        Column("findings", "需整改问题", value=lambda order: order.finding_count, css="nowrap"),
        Column("due_on", "整改期限", sort="due_on", css="nowrap"),
        Column(
            "status",
            "状态",
            template="rectification/workspace/includes/status_cell.html",
            export_value="get_status_display",
            essential=True,
        ),
        Column("issued_at", "下达时间", sort="issued_at", css="nowrap"),
        Column("accepted_at", "整改完成时间", css="nowrap", empty="—"),
    ],
    prepare_rows=_prepare,
    extra_context=_status_tabs,
    export_title="整改通知",
    empty_text="没有整改通知",
    empty_hint="监管部门在监督检查中发现问题并要求整改时，整改通知会出现在这里，同时发送站内消息和短信。",
    filtered_empty_text="没有该状态的整改通知",
    filtered_empty_hint="请选择其他状态查看。",
    caption="本机构的整改通知",
    count_noun="份",
    item_name="整改通知",
    template="rectification/workspace/list.html",
    permission=PERMISSION,
    access=institution_required,
)
