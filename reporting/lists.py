"""The workspace lists of 07 技术机构运营数据填报 and 08 中心运营数据填报: the institution's assignments of
published tasks, a tab per state with counts, search by task, Excel export (sujt.core.lists)."""

from typing import Any

from django.db.models import Case, Count, DateField, F, IntegerField, Value, When
from django.http import HttpRequest
from django.utils import timezone

from sujt.accounts.decorators import institution_required
from sujt.core.lists import Column, ListFilterSet, SearchFilter, TabFilter, WorkspaceList, list_tabs

from . import selectors
from .choices import AssignmentStatus, TargetKind
from .models import PERMISSION, ReportAssignment


class AssignmentFilter(ListFilterSet):
    q = SearchFilter(fields=["task__title", "task__period_label"], label="任务名称或填报期间")
    status = TabFilter(choices=AssignmentStatus.choices)


class CenterAssignmentFilter(ListFilterSet):
    q = SearchFilter(
        fields=["task__title", "task__period_label", "subject_name"], label="任务、期间或中心名称"
    )
    status = TabFilter(choices=AssignmentStatus.choices)


# What is still owed comes first, the nearest deadline on top; then what was handed in, latest first.
ORDERING = ("-owed", "owed_due_on", "-due_on", "subject_name", "-pk")


def _selector(kind: str):
    def select(request: HttpRequest):
        return selectors.assignments_of(institution_id=request.institution.pk, target_kind=kind).annotate(
            owed=Case(
                When(status__in=selectors.WAITING, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            owed_due_on=Case(
                When(status__in=selectors.WAITING, then=F("due_on")), default=None, output_field=DateField()
            ),
        )

    return select


def _clock(assignment: ReportAssignment) -> str:
    if assignment.status not in selectors.WAITING:
        return ""
    days = (assignment.due_on - timezone.localdate()).days
    return f"已逾期 {-days} 天" if days < 0 else ("今天截止" if days == 0 else f"还剩 {days} 天")


def _tabs(kind: str):
    def context(request: HttpRequest, filterset: Any) -> dict[str, Any]:
        counts = dict(
            selectors.assignments_of(institution_id=request.institution.pk, target_kind=kind)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        tabs = list_tabs(
            request, name="status", choices=AssignmentStatus.choices, counts=counts, all_label="全部"
        )
        return {"status_tabs": tabs, "tabs_label": "按状态筛选填报任务"}

    return context


def _columns(kind: str) -> list[Column]:
    columns = [
        Column(
            "task", "填报任务", value=lambda a: a.task.title, link=lambda a: a.get_absolute_url(), wrap=True
        ),
    ]
    if kind == TargetKind.CENTER:
        columns.append(Column("subject_name", "中心", wrap=True, sort="subject_name"))
    return [
        *columns,
        Column(
            "status",
            "状态",
            template="reporting/includes/status_cell.html",
            export_value="get_status_display",
            essential=True,
        ),
        Column("period", "填报期间", value=lambda a: a.task.period_label, css="nowrap"),
        Column("due_on", "截止日期", sort="due_on", css="nowrap"),
        Column("clock", "剩余时间", value=_clock, css="nowrap"),
        Column("submitted_at", "提交时间", css="nowrap", sort="submitted_at"),
    ]


def _list(kind: str, *, key: str, title: str, empty_hint: str) -> WorkspaceList:
    return WorkspaceList(
        key=key,
        title=title,
        selector=_selector(kind),
        filterset=CenterAssignmentFilter if kind == TargetKind.CENTER else AssignmentFilter,
        ordering=ORDERING,
        columns=_columns(kind),
        extra_context=_tabs(kind),
        export_title="填报任务",
        empty_text="暂无填报任务",
        empty_hint=empty_hint,
        filtered_empty_text="没有符合条件的填报任务",
        caption=title,
        count_noun="项",
        item_name="填报任务",
        template="reporting/assignment_list.html",
        permission=PERMISSION,
        access=institution_required,
        available=(lambda request: selectors.has_center_reports(request.institution))
        if kind == TargetKind.CENTER
        else None,
    )


INSTITUTION_REPORTS = _list(
    TargetKind.INSTITUTION,
    key="reports",
    title="技术机构运营数据填报",
    empty_hint="监管部门发布运营数据填报任务后，会在这里和首页待办中出现，并以站内消息通知。",
)
CENTER_REPORTS = _list(
    TargetKind.CENTER,
    key="center_reports",
    title="中心运营数据填报",
    empty_hint="监管部门向本机构的中心发布运营数据填报任务后，会在这里和首页待办中出现。",
)
