"""中心: every center of the regulator's region — its facts, clock and progress, its applications, an Excel
export of the filtered list — and the province's 撤销中心 (the declared revocation, with a comment, as a
decision button on the center's page)."""

from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from institutions.admin import InstitutionCityFilter
from sujt.core.admin import ReadOnlyChangeFormMixin, RegionScopedAdmin, ReviewAdminMixin
from sujt.core.admin_tools import ExcelExportAdminMixin, HistoryAdmin, district_filter
from sujt.core.charts import progress_bars_svg
from sujt.core.dates import format_date
from sujt.core.excel import ExcelColumn
from sujt.core.regions import city_name, region_name

from .. import selectors, services
from ..models import REGION_FIELD, Center, TaskIndicator
from ..workflows import CONSTRUCTION_STATES
from .common import number as _number
from .common import table, with_side

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


def _days_text(day: Any) -> str:
    days = (day - timezone.localdate()).days
    return f"已超期 {-days} 天" if days < 0 else f"还剩 {days} 天"


def _days_left(center: Center) -> str:
    """The construction and acceptance deadline's time left, for a center being built."""
    if not center.under_construction or center.construction_due_on is None:
        return ""
    return _days_text(center.construction_due_on)


def _task_book_owed(center: Center) -> bool:
    return center.under_construction and center.task_book_id is None and bool(center.task_book_due_on)


def _progress(center: Center) -> str:
    value = getattr(center, "progress", None)
    return "" if value is None else f"{value}%"


def _center_revoke(center: Center, **kwargs: Any) -> None:
    services.center_revoke(center=center, **kwargs)


def _indicator_count() -> Coalesce:
    """The number of indicators of the center's current task book, as a subquery (no N+1 in exports)."""
    counts = (
        TaskIndicator.objects.filter(task_book_id=OuterRef("task_book_id"))
        .order_by()
        .values("task_book_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


@admin.register(Center)
class CenterAdmin(
    ExcelExportAdminMixin, ReadOnlyChangeFormMixin, ReviewAdminMixin, RegionScopedAdmin, HistoryAdmin
):
    """The centers of the regulator's region. Read-only; the one decision is the province's 撤销中心 (the
    declared `revoke`, comment required), as a button on the page or an action on the list, run by
    services.center_revoke."""

    region_field = REGION_FIELD
    change_form_template = "admin/centers/center/change_form.html"
    review_confirm_template = "admin/centers/center/revoke_confirm.html"
    review_services = {"review_revoke_selected": with_side(_center_revoke)}
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
        ExcelColumn("所在城市", lambda c: city_name(c.institution.region_code)),
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
        ExcelColumn("指标数", lambda c: c.indicator_count if c.task_book_id else None),
        ExcelColumn("指标完成度（%）", lambda c: getattr(c, "progress", None)),
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
        # The institution is on every row, page and confirmation of this admin.
        return RegionScopedAdmin.get_queryset(self, request).select_related("institution")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list:
        return [name for name in super().get_readonly_fields(request, obj) if name not in NOT_REVIEW_FIELDS]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f not in NOT_REVIEW_FIELDS]})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        response = super().render_change_form(request, context, add, change, form_url, obj)
        # A center is read, not reviewed: "查看中心" even where the province may revoke it (the kit says
        # "审核X" where a decision can be taken).
        if getattr(response, "context_data", None) is not None:
            response.context_data["title"] = _("查看%(name)s") % {"name": self.model._meta.verbose_name}
        return response

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)
        progress = selectors.overall_progress_of(rows)
        for center in rows:
            center.progress = progress.get(center.pk)
        changelist.result_list = rows
        return changelist

    def get_excel_queryset(self, request: HttpRequest, queryset: QuerySet) -> Iterator[Center]:
        """The rows with their indicator count and progress, the latter computed per chunk (two queries per
        500 centers)."""
        rows = (
            queryset.select_related("institution", "task_book")
            .annotate(indicator_count=_indicator_count())
            .iterator(chunk_size=EXPORT_CHUNK)
        )
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
        if _task_book_owed(obj):
            return f"任务书 {format_date(obj.task_book_due_on)}（{_days_text(obj.task_book_due_on)}）"
        if obj.construction_due_on is None:
            return "—"
        return f"筹建 {format_date(obj.construction_due_on)}（{_days_left(obj)}）"

    @admin.display(description=_("指标完成度"))
    def progress(self, obj: Center) -> str:
        return _progress(obj) or "—"

    @admin.display(description=_("期限"))
    def clock(self, obj: Center) -> str:
        parts = []
        if _task_book_owed(obj):
            due = obj.task_book_due_on
            parts.append(f"任务书提交期限 {format_date(due)}（{_days_text(due)}）")
        if obj.construction_due_on:
            days = _days_left(obj)
            due = format_date(obj.construction_due_on)
            parts.append(f"筹建及验收期限 {due}（{days}）" if days else f"筹建及验收期限 {due}")
        return "；".join(parts) or "—"

    @admin.display(description=_("任务书指标进度"))
    def progress_chart(self, obj: Center) -> Any:
        """The current task book's indicators: the bars (approved progress only), then the figures."""
        rows = selectors.indicator_progress(obj)
        if not rows:
            return "尚无审核通过的任务书"
        overall = selectors.overall_percent(rows)
        chart = progress_bars_svg(
            [
                (
                    row.indicator.name,
                    row.percent,
                    "" if row.pending_percent is None else f"另有待审核的进展：{row.pending_percent}%",
                )
                for row in rows
            ],
            title=f"任务书第 {obj.task_book.version} 版各指标完成比例（总体 {overall}%）",
            id_prefix=f"center-admin-{obj.pk}-progress",
        )
        figures = table(
            ["序号", "指标", "目标值", "已完成", "完成比例", "完成期限"],
            (
                (
                    row.indicator.number,
                    row.indicator.name,
                    f"{_number(row.indicator.target_value)} {row.indicator.unit}",
                    "—"
                    if row.actual_value is None
                    else f"{_number(row.actual_value)} {row.indicator.unit}"
                    + (f"（{format_date(row.reported_on)} 上报）" if row.reported_on else ""),
                    f"{row.percent}%"
                    + ("" if row.pending_percent is None else f"（待审核 {row.pending_percent}%）"),
                    f"{format_date(row.indicator.due_on)}（"
                    + ("已完成" if row.percent >= 100 else _days_text(row.indicator.due_on))
                    + "）",
                )
                for row in rows
            ),
        )
        return format_html(
            "<p>第 {} 版任务书，总体完成度 {}%（各指标完成比例的平均值，只计审核通过的进展）。</p>"
            '<div class="chart">{}</div>{}',
            obj.task_book.version,
            overall,
            chart,
            figures,
        )

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
                if row.status == "draft" or (row.status == "withdrawn" and row.submitted_at is None):
                    continue  # the institution's own until submitted: no admin page (sujt.core.scoping)
                opts = row._meta
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
                items.append((url, heading, str(row), row.get_status_display()))
        if not items:
            return "—"
        return format_html_join("", '<p><a href="{}">{}：{}</a>（{}）</p>', items)
