"""中心管理: the workspace list of the institution's centers, declared on sujt.core.lists (status tabs with
counts, level and kind, search by name, Excel export with the clock and the progress)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from sujt.accounts.decorators import institution_required
from sujt.core.lists import (
    Column,
    ListFilterSet,
    OptionFilter,
    SearchFilter,
    TabFilter,
    WorkspaceList,
    list_tabs,
)

from . import selectors
from .choices import CenterKind, CenterLevel, CenterStatus
from .models import PERMISSION, Center


class CenterFilter(ListFilterSet):
    q = SearchFilter(fields=["name", "approval_number"], label="中心名称或批准文号")
    status = TabFilter(choices=CenterStatus.choices)
    level = OptionFilter(options=lambda request: CenterLevel.choices, label="级别", empty_label="全部级别")
    kind = OptionFilter(options=lambda request: CenterKind.choices, label="类型", empty_label="全部类型")


def _prepare(request: HttpRequest, rows: list[Center]) -> list[Center]:
    today = timezone.localdate()
    progress = selectors.overall_progress_of(rows)
    for center in rows:
        center.progress = progress.get(center.pk)
        due = center.construction_due_on if center.under_construction else None
        center.days_left = (due - today).days if due else None
    return rows


def _clock(center: Center) -> str:
    if center.days_left is None:
        return ""
    if center.days_left < 0:
        return f"已超期 {-center.days_left} 天"
    return f"还剩 {center.days_left} 天"


def _tabs(request: HttpRequest, filterset: Any) -> dict[str, Any]:
    counts = selectors.status_counts(institution_id=request.institution.pk)
    tabs = list_tabs(request, name="status", choices=CenterStatus.choices, counts=counts, all_label="全部")
    return {"status_tabs": tabs, "tabs_label": "按状态筛选中心"}


CENTERS = WorkspaceList(
    key="centers",
    title="中心建设",
    selector=lambda request: selectors.centers_of(institution_id=request.institution.pk),
    filterset=CenterFilter,
    columns=[
        Column("name", "中心名称", link=lambda center: center.get_absolute_url(), wrap=True, sort="name"),
        # The state second: on a phone the table scrolls, and the state is what one looks for.
        Column(
            "status",
            "状态",
            template="centers/includes/status_cell.html",
            export_value="get_status_display",
            essential=True,
        ),
        Column("level", "级别", value="get_level_display", css="nowrap"),
        Column("kind", "类型", value="get_kind_display", css="nowrap"),
        Column("approval_number", "批准文号", css="nowrap"),
        Column("construction_due_on", "筹建及验收期限", sort="construction_due_on", css="nowrap"),
        Column("clock", "剩余时间", value=_clock, css="nowrap"),
        Column(
            "progress",
            "指标完成度",
            value=lambda center: "" if center.progress is None else f"{center.progress}%",
            css="nowrap",
        ),
        Column("accepted_on", "验收日期", css="nowrap", table=False),
        Column("acceptance_grade", "验收等级", value="get_acceptance_grade_display", table=False),
    ],
    prepare_rows=_prepare,
    extra_context=_tabs,
    export_title="中心",
    empty_text="本机构还没有中心",
    empty_hint="点击“申请筹建中心”在线提交国家级、省级中心筹建申请；在本系统之外已获批准的中心，请点击“登记系统外中心”，由监管部门核实后列入。",
    filtered_empty_text="没有符合条件的中心",
    caption="本机构的中心",
    count_noun="个",
    item_name="中心",
    template="centers/center_list.html",
    permission=PERMISSION,
    access=institution_required,
    available=lambda request: selectors.centers_enabled(request.institution),
)
