"""中心: every center of the regulator's region — its facts, clock and progress, its applications, an Excel
export of the filtered list — and the province's 撤销中心 (the declared revocation, with a comment, as a
decision button on the center's page)."""

from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from institutions.admin import InstitutionCityFilter
from sujt.core.admin import ReadOnlyChangeFormMixin, RegionScopedAdmin, ReviewAdminMixin
from sujt.core.admin_tools import ExcelExportAdminMixin, HistoryAdmin, district_filter
from sujt.core.charts import bar_chart_svg
from sujt.core.dates import format_date
from sujt.core.excel import ExcelColumn
from sujt.core.regions import region_name

from .. import selectors
from ..models import REGION_FIELD, Center
from ..workflows import CONSTRUCTION_STATES

EXPORT_CHUNK = 500
NOT_REVIEW_FIELDS = {"submitted_at"}  # a center is never "submitted": its applications are


class TaskBookFilter(admin.SimpleListFilter):
    title = _("任务书")
    parameter_name = "task_book"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("missing", "尚无审核通过的任务书"), ("approved", "已有任务书")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "missing":
            return queryset.filter(task_book__isnull=True, status__in=CONSTRUCTION_STATES)
        if self.value() == "approved":
            return queryset.filter(task_book__isnull=False)
        return queryset


def _days_left(center: Center) -> str:
    if not center.under_construction or center.construction_due_on is None:
        return ""
    days = (center.construction_due_on - timezone.localdate()).days
    return f"已超期 {-days} 天" if days < 0 else f"还剩 {days} 天"


def _progress(center: Center) -> str:
    value = getattr(center, "progress", None)
    return "" if value is None else f"{value}%"


@admin.register(Center)
class CenterAdmin(
    ExcelExportAdminMixin, ReadOnlyChangeFormMixin, ReviewAdminMixin, RegionScopedAdmin, HistoryAdmin
):
    region_field = REGION_FIELD
    list_display = [
        "name",
        "institution",
        "region",
        "level_kind",
        "status",
        "deadline",
        "progress",
    ]
    list_filter = [
        "status",
        "level",
        "kind",
        "origin",
        TaskBookFilter,
        InstitutionCityFilter,
        district_filter(REGION_FIELD),
    ]
    list_select_related = ["institution", "task_book"]
    search_fields = ["name", "approval_number", "institution__name", "institution__uscc"]
    ordering = ["-created_at", "-pk"]
    view_on_site = False
    fields = [
        "institution",
        "name",
        "level",
        "kind",
        "industry",
        "product_scope",
        "origin",
        "approval_number",
        "approved_on",
        "clock",
        "accepted_on",
        "acceptance_grade",
        "progress_chart",
        "applications",
        "overdue_at",
    ]
    readonly_fields = fields
    excel_title = "中心"
    excel_columns = [
        ExcelColumn("依托机构", "institution.name", width=30),
        ExcelColumn("所在地区", lambda c: region_name(c.institution.region_code)),
        ExcelColumn("中心名称", "name", width=30),
        ExcelColumn("级别", "get_level_display"),
        ExcelColumn("类型", "get_kind_display"),
        ExcelColumn("状态", "get_status_display"),
        ExcelColumn("来源", "get_origin_display"),
        ExcelColumn("批准文号", "approval_number"),
        ExcelColumn("批准日期", "approved_on"),
        ExcelColumn("任务书提交期限", "task_book_due_on"),
        ExcelColumn("筹建及验收期限", "construction_due_on"),
        ExcelColumn("剩余时间", _days_left),
        ExcelColumn("现行任务书版本", lambda c: c.task_book.version if c.task_book_id else None),
        ExcelColumn("指标完成度", _progress),
        ExcelColumn("验收日期", "accepted_on"),
        ExcelColumn("验收等级", "get_acceptance_grade_display"),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # A center is no submission: ReviewAdminMixin's "ever submitted" filter and its submitted_at field do
    # not apply; its regulator transition (撤销中心, the province's) still gets its button.
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return RegionScopedAdmin.get_queryset(self, request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list:
        return [name for name in super().get_readonly_fields(request, obj) if name not in NOT_REVIEW_FIELDS]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f not in NOT_REVIEW_FIELDS]})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)
        progress = selectors.overall_progress_of(rows)
        for center in rows:
            center.progress = progress.get(center.pk)
        changelist.result_list = rows
        return changelist

    def get_excel_queryset(self, request: HttpRequest, queryset: QuerySet) -> Iterator[Center]:
        """The rows with their progress, computed per chunk (two queries per 500 centers)."""
        rows = queryset.select_related("institution", "task_book").iterator(chunk_size=EXPORT_CHUNK)
        chunk: list[Center] = []
        for center in rows:
            chunk.append(center)
            if len(chunk) == EXPORT_CHUNK:
                yield from self._with_progress(chunk)
                chunk = []
        yield from self._with_progress(chunk)

    @staticmethod
    def _with_progress(chunk: list[Center]) -> list[Center]:
        progress = selectors.overall_progress_of(chunk)
        for center in chunk:
            center.progress = progress.get(center.pk)
        return chunk

    @admin.display(description=_("所在地区"))
    def region(self, obj: Center) -> str:
        return region_name(obj.institution.region_code)

    @admin.display(description=_("级别 / 类型"), ordering="level")
    def level_kind(self, obj: Center) -> str:
        return f"{obj.get_level_display()}{obj.get_kind_display()}"

    @admin.display(description=_("期限"), ordering="construction_due_on")
    def deadline(self, obj: Center) -> str:
        """The task book's while a center being built still owes it, then construction and acceptance."""
        if not obj.under_construction:
            return "—"
        if obj.task_book_id is None and obj.task_book_due_on:
            return f"任务书 {format_date(obj.task_book_due_on)}"
        if obj.construction_due_on is None:
            return "—"
        return f"筹建 {format_date(obj.construction_due_on)}（{_days_left(obj)}）"

    @admin.display(description=_("指标完成度"))
    def progress(self, obj: Center) -> str:
        return _progress(obj) or "—"

    @admin.display(description=_("期限"))
    def clock(self, obj: Center) -> str:
        parts = []
        if obj.task_book_due_on and obj.task_book_id is None:
            parts.append(f"任务书提交期限 {format_date(obj.task_book_due_on)}")
        if obj.construction_due_on:
            parts.append(f"筹建及验收期限 {format_date(obj.construction_due_on)} {_days_left(obj)}".strip())
        return "；".join(parts) or "—"

    @admin.display(description=_("任务书指标进度"))
    def progress_chart(self, obj: Center) -> Any:
        rows = selectors.indicator_progress(obj)
        if not rows:
            return "尚无审核通过的任务书"
        chart = bar_chart_svg(
            [(row.indicator.name, row.percent) for row in rows],
            title=f"任务书第 {obj.task_book.version} 版各指标完成比例"
            f"（总体 {selectors.overall_percent(rows)}%）",
            label_width=180,
            maximum=100,
            unit="%",
            id_prefix=f"center-admin-{obj.pk}",
        )
        pending = [
            f"{row.indicator.name} 待审核 {row.pending_percent}%"
            for row in rows
            if row.pending_percent is not None
        ]
        return format_html('<div class="chart">{}</div><p>{}</p>', chart, "；".join(pending))

    @admin.display(description=_("申请记录"))
    def applications(self, obj: Center) -> Any:
        groups = [
            ("筹建申请", obj.construction_applications.all()),
            ("任务书与变更", obj.task_books.all()),
            ("筹建进展报告", obj.progress_reports.all()),
            ("验收申请", obj.acceptance_applications.all()),
        ]
        registration = getattr(obj, "registration", None) if hasattr(obj, "registration") else None
        if registration is not None:
            groups.append(("系统外中心登记", [registration]))
        items = []
        for heading, rows in groups:
            for row in rows:
                opts = row._meta
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
                items.append((url, heading, str(row), row.get_status_display()))
        if not items:
            return "—"
        return format_html_join("", '<p><a href="{}">{}：{}</a>（{}）</p>', items)
