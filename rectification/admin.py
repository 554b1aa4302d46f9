"""03 机构整改 for regulators (Django admin), each list limited to their jurisdiction.

- 监督检查: record an inspection with its findings and penalties (inlines); each finding and penalty
  records its credit event once (services.inspection_events_record); from its page, 下达整改通知 for the
  findings that need it, and 公开检查结果 / 公开处罚信息 to the portal (by event; news publishes).
- 整改通知: the review queue (整改审核) of submitted answers; the order's page shows every round with its
  measures and evidence, and takes the decision (整改完成 / 退回, a comment per finding) through the
  services. Orders are issued from an inspection, never added here.
- Excel exports of both lists (current filters): findings, penalties, status and days overdue.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from institutions.admin.filters import InstitutionCityFilter, InstitutionInJurisdictionMixin
from sujt.core.admin import RegionScopedAdmin, ReviewAdminMixin
from sujt.core.admin_tools import ExcelExportAdminMixin, city_filter, district_filter
from sujt.core.excel import ExcelColumn
from sujt.core.forms import service_errors_add
from sujt.core.regions import city_name, region_name

from . import selectors, services
from .admin_forms import DiscloseForm, FindingInlineFormSet, IssueOrderForm
from .choices import OrderStatus
from .integrations.deadlines import WAITING
from .models import REGION_FIELD, Finding, Inspection, Penalty, RectificationOrder
from .workflows import ORDER_WORKFLOW

InstitutionDistrictFilter = district_filter(REGION_FIELD)


def _days_overdue(order: RectificationOrder, *, today: datetime.date | None = None) -> int | None:
    """Days past the deadline: until today while the order is not accepted, else until its acceptance;
    None when it was (or is) not late."""
    today = today or timezone.localdate()
    end = timezone.localdate(order.accepted_at) if order.accepted_at else today
    late = (end - order.due_on).days
    return late if late > 0 else None


# --- 监督检查 ------------------------------------------------------------------------------------------


class FindingInline(admin.TabularInline):
    model = Finding
    formset = FindingInlineFormSet
    extra = 1
    fields = ["category", "severity", "description", "clause"]
    formfield_overrides = {
        Finding._meta.get_field("description").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 48})
        }
    }


class PenaltyInline(admin.TabularInline):
    model = Penalty
    extra = 0
    fields = ["kind", "amount", "decision_number", "decided_on", "description", "disclosed_at"]
    readonly_fields = ["disclosed_at"]
    formfield_overrides = {
        Penalty._meta.get_field("description").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 32})
        }
    }


def _penalties_text(inspection: Inspection) -> str:
    return "\n".join(
        f"{p.get_kind_display()}{f' {p.amount} 元' if p.amount is not None else ''}（{p.decision_number}）"
        for p in inspection.penalties.all()
    )


@dataclass(frozen=True)
class FindingRow:
    """One line of the inspections' export: a finding with its inspection. An inspection without findings
    gets one line of its own, so no inspection is missing from the file."""

    inspection: Inspection
    finding: Finding | None


def finding_rows(inspections: QuerySet) -> Iterator[FindingRow]:
    """The export's lines, read in chunks with two prefetch queries per chunk (findings with whether an
    order names them, penalties), so the query count does not grow with the rows."""
    in_an_order = Exists(RectificationOrder.findings.through.objects.filter(finding_id=OuterRef("pk")))
    findings = Prefetch("findings", queryset=Finding.objects.annotate(ordered=in_an_order).order_by("pk"))
    for inspection in inspections.prefetch_related(findings, "penalties").iterator(chunk_size=2000):
        for finding in list(inspection.findings.all()) or [None]:
            yield FindingRow(inspection, finding)


def _ordered(row: FindingRow) -> str | None:
    if row.finding is None:
        return None
    return "是" if row.finding.ordered else "否"


@admin.register(Inspection)
class InspectionAdmin(
    InstitutionInJurisdictionMixin, ExcelExportAdminMixin, RegionScopedAdmin, SimpleHistoryAdmin
):
    region_field = REGION_FIELD
    list_display = [
        "inspected_on",
        "institution",
        "kind",
        "finding_count",
        "penalty_count",
        "order_count",
        "disclosed_at",
    ]
    list_display_links = ["inspected_on", "institution"]
    list_filter = ["kind", InstitutionCityFilter, InstitutionDistrictFilter, "inspected_on"]
    search_fields = ["institution__name", "institution__uscc", "inspectors"]
    list_select_related = ["institution"]
    date_hierarchy = "inspected_on"
    autocomplete_fields = ["institution"]
    fields = ["institution", "kind", "inspected_on", "inspectors", "summary", "recorded_by", "disclosed_at"]
    readonly_fields = ["recorded_by", "disclosed_at", "orders_display"]
    inlines = [FindingInline, PenaltyInline]
    change_form_template = "rectification/admin/inspection_change_form.html"
    excel_title = "监督检查"
    # One line per finding (what the bureaus count and follow up), the inspection's facts repeated.
    excel_columns = [
        ExcelColumn("机构", "inspection.institution.name", width=36),
        ExcelColumn("统一社会信用代码", "inspection.institution.uscc"),
        ExcelColumn("所在城市", lambda row: city_name(row.inspection.institution.region_code)),
        ExcelColumn("所在区县", lambda row: region_name(row.inspection.institution.region_code)),
        ExcelColumn("检查类型", "inspection.get_kind_display"),
        ExcelColumn("检查日期", "inspection.inspected_on"),
        ExcelColumn("问题类别", "finding.get_category_display"),
        ExcelColumn("严重程度", "finding.get_severity_display"),
        ExcelColumn("问题描述", "finding.description", width=60),
        ExcelColumn("依据条款", "finding.clause", width=30),
        ExcelColumn("已下达整改", _ordered),
        ExcelColumn("行政处罚", lambda row: _penalties_text(row.inspection), width=40),
        ExcelColumn("结果公开时间", "inspection.disclosed_at"),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                finding_count=Count("findings", distinct=True),
                penalty_count=Count("penalties", distinct=True),
                order_count=Count("orders", distinct=True),
            )
        )

    def get_excel_queryset(self, request: HttpRequest, queryset: QuerySet) -> Iterator[FindingRow]:
        return finding_rows(queryset)

    def get_readonly_fields(self, request: HttpRequest, obj: Inspection | None = None) -> list:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk is not None:
            # Its orders, events and disclosures name this institution: a wrong one is recorded anew.
            fields.append("institution")
        return fields

    def get_fields(self, request: HttpRequest, obj: Inspection | None = None) -> list:
        fields = list(super().get_fields(request, obj))
        if obj is None or obj.pk is None:
            return [name for name in fields if name != "orders_display"]
        return fields if "orders_display" in fields else [*fields, "orders_display"]

    @admin.display(description="整改通知")
    def orders_display(self, obj: Inspection) -> str:
        orders = obj.orders.prefetch_related("findings").order_by("issued_at", "pk")
        return render_to_string("rectification/admin/inspection_orders.html", {"orders": orders})

    @admin.display(description="问题", ordering="finding_count")
    def finding_count(self, obj: Inspection) -> int:
        return obj.finding_count

    @admin.display(description="处罚", ordering="penalty_count")
    def penalty_count(self, obj: Inspection) -> int:
        return obj.penalty_count

    @admin.display(description="整改通知", ordering="order_count")
    def order_count(self, obj: Inspection) -> int:
        return obj.order_count

    def save_model(self, request: HttpRequest, obj: Inspection, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.inspection_events_record(inspection=form.instance)

    # --- 下达整改通知, 公开 ----------------------------------------------------------------------------

    def get_urls(self) -> list:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/issue-order/", wrap(self.issue_order_view), name=f"{prefix}_issue_order"),
            path("<int:pk>/disclose/", wrap(self.disclose_view), name=f"{prefix}_disclose"),
            path(
                "<int:pk>/penalties/<int:penalty_pk>/disclose/",
                wrap(self.penalty_disclose_view),
                name=f"{prefix}_penalty_disclose",
            ),
            *super().get_urls(),
        ]

    def _scoped_get(self, request: HttpRequest, pk: int) -> Inspection:
        """The inspection if it is in the regulator's jurisdiction (else 404) and they may change it."""
        inspection = get_object_or_404(self.get_queryset(request).select_related("institution"), pk=pk)
        if not self.has_change_permission(request, inspection):
            raise PermissionDenied
        return inspection

    def _change_url(self, inspection: Inspection) -> str:
        return reverse("admin:rectification_inspection_change", args=[inspection.pk])

    def _page(self, request: HttpRequest, template: str, **context: Any) -> TemplateResponse:
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.opts, **context},
        )

    def issue_order_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self._scoped_get(request, pk)
        if not request.user.has_perm("rectification.add_rectificationorder"):
            raise PermissionDenied
        form = IssueOrderForm(request.POST or None, inspection=inspection)
        if request.method == "POST" and form.is_valid():
            try:
                order = services.order_issue(
                    inspection=inspection,
                    findings=form.cleaned_data["findings"],
                    due_on=form.cleaned_data["due_on"],
                    requirement=form.cleaned_data["requirement"],
                    by=request.user,
                )
            except ValidationError as error:
                service_errors_add(form, error)
            else:
                self.message_user(
                    request,
                    f"已向{inspection.institution.name}下达整改通知，整改期限 {order.due_on:%Y-%m-%d}；"
                    "机构已收到站内消息和短信。",
                )
                return HttpResponseRedirect(services.admin_order_url(order))
        return self._page(
            request,
            "rectification/admin/issue_order.html",
            title="下达整改通知",
            inspection=inspection,
            form=form,
            original=inspection,
        )

    def disclose_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self._scoped_get(request, pk)
        default_title = f"{inspection.institution.name}{inspection.get_kind_display()}结果"
        return self._disclose(
            request,
            record=inspection,
            inspection=inspection,
            what="监督检查结果",
            default_title=default_title,
            publish=lambda title, note: services.inspection_disclose(
                inspection=inspection, by=request.user, title=title, note=note
            ),
        )

    def penalty_disclose_view(self, request: HttpRequest, pk: int, penalty_pk: int) -> HttpResponse:
        inspection = self._scoped_get(request, pk)
        penalty = get_object_or_404(inspection.penalties.all(), pk=penalty_pk)
        penalty.inspection = inspection
        default_title = f"{inspection.institution.name}行政处罚信息（{penalty.decision_number}）"
        return self._disclose(
            request,
            record=penalty,
            inspection=inspection,
            what=f"行政处罚信息（{penalty}）",
            default_title=default_title,
            publish=lambda title, note: services.penalty_disclose(
                penalty=penalty, by=request.user, title=title, note=note
            ),
        )

    def _disclose(
        self,
        request: HttpRequest,
        *,
        record: Any,
        inspection: Inspection,
        what: str,
        default_title: str,
        publish: Any,
    ) -> HttpResponse:
        form = DiscloseForm(request.POST or None, initial={"title": default_title})
        if request.method == "POST" and form.is_valid():
            publish(form.cleaned_data["title"], form.cleaned_data["note"])
            self.message_user(
                request,
                f"{what}已提交发布，将在门户“{'行政处罚' if isinstance(record, Penalty) else '监督检查'}”栏目"
                "和该机构的公开信息页展示（身份证号、手机号已隐去）。",
            )
            return HttpResponseRedirect(self._change_url(inspection))
        return self._page(
            request,
            "rectification/admin/disclose.html",
            title=f"公开{what}",
            inspection=inspection,
            record=record,
            form=form,
            original=inspection,
        )


# --- 整改通知 ------------------------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = "逾期情况"
    parameter_name = "late"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "逾期整改"), ("no", "未逾期")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(overdue_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(overdue_at__isnull=True)
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    """待机构答复: what the deadline still runs against (the regulators' dashboard links ?waiting=1)."""

    title = "答复情况"
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", "待机构答复（待整改、已退回、逾期）")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "1":
            return queryset.filter(status__in=WAITING)
        return queryset


def _order_accept(*, obj: RectificationOrder, by: Any, comment: str, item_comments: Any = None) -> None:
    services.order_accept(order=obj, by=by, comment=comment)


def _order_return(*, obj: RectificationOrder, by: Any, comment: str, item_comments: Any = None) -> None:
    services.order_return(order=obj, by=by, comment=comment, finding_comments=item_comments or {})


@admin.register(RectificationOrder)
class RectificationOrderAdmin(ExcelExportAdminMixin, ReviewAdminMixin, RegionScopedAdmin, SimpleHistoryAdmin):
    region_field = REGION_FIELD
    # State and deadline early: on a phone the table scrolls sideways and the first columns are what shows.
    list_display = [
        "institution",
        "status_label",
        "due_on",
        "days_overdue",
        "inspection",
        "rounds",
        "issued_on",
    ]
    list_filter = [
        "status",
        WaitingFilter,
        OverdueFilter,
        InstitutionCityFilter,
        InstitutionDistrictFilter,
        "due_on",
    ]
    search_fields = ["institution__name", "institution__uscc"]
    list_select_related = ["institution", "inspection"]
    ordering = ["-issued_at", "-pk"]
    fields = [
        "institution",
        "inspection",
        "findings_list",
        "requirement",
        "due_on",
        "issued_by",
        "issued_at",
        "overdue_at",
        "accepted_at",
        "answers",
    ]
    readonly_fields = fields
    review_services = {"review_accept_selected": _order_accept, "review_return_selected": _order_return}
    # get_absolute_url is the institution's workspace page: a regulator would get a 404 there.
    view_on_site = False
    excel_title = "整改通知"
    excel_columns = [
        ExcelColumn("机构", "institution.name", width=36),
        ExcelColumn("所在地区", lambda o: region_name(o.institution.region_code)),
        ExcelColumn("监督检查", lambda o: str(o.inspection)),
        ExcelColumn("需整改问题数", "finding_count"),
        ExcelColumn(
            "需整改的问题",
            lambda o: "\n".join(f"{f.get_category_display()}：{f.description}" for f in o.findings.all()),
            width=60,
        ),
        ExcelColumn("状态", "get_status_display"),
        ExcelColumn("逾期整改", lambda o: o.overdue_at is not None),
        ExcelColumn("整改期限", "due_on"),
        ExcelColumn("逾期天数", _days_overdue),
        ExcelColumn("答复轮次", "round_count"),
        ExcelColumn("下达时间", "issued_at"),
        ExcelColumn("整改完成时间", "accepted_at"),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Orders are the regulators' own from the start (issued, not submitted by the institution): all of
        # them in the jurisdiction are listed, not only those ever submitted (ReviewAdminMixin's default).
        return RegionScopedAdmin.get_queryset(self, request).annotate(
            finding_count=Count("findings", distinct=True), round_count=Count("rounds", distinct=True)
        )

    def get_excel_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("findings")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued from an inspection (下达整改通知), which checks the findings and the date

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def review_items(self, obj: RectificationOrder) -> list[tuple[Any, str]]:
        return [
            (finding.pk, f"{n}. {finding.get_category_display()}")
            for n, finding in enumerate(obj.findings.order_by("pk"), 1)
        ]

    @admin.display(description="状态", ordering="status")
    def status_label(self, obj: RectificationOrder) -> str:
        # The same badge as the decision panel (admin_review.css, loaded by this list's template).
        badge = format_html(
            '<span class="review-state review-tone-{}">{}</span>',
            ORDER_WORKFLOW.tone(obj.status),
            ORDER_WORKFLOW.label(obj.status),
        )
        if obj.overdue_at is None or obj.status == OrderStatus.OVERDUE:
            return badge
        return format_html('{} <span class="review-state review-tone-danger">逾期整改</span>', badge)

    @admin.display(description="逾期天数")
    def days_overdue(self, obj: RectificationOrder) -> str:
        days = _days_overdue(obj)
        return f"{days} 天" if days else "—"

    @admin.display(description="答复", ordering="round_count")
    def rounds(self, obj: RectificationOrder) -> int:
        return obj.round_count

    @admin.display(description="下达日期", ordering="issued_at")
    def issued_on(self, obj: RectificationOrder) -> datetime.date:
        # The date is what the queue compares; the time is on the order's page (a narrower column).
        return timezone.localdate(obj.issued_at)

    @admin.display(description="需整改的问题")
    def findings_list(self, obj: RectificationOrder) -> str:
        return render_to_string(
            "rectification/admin/findings.html", {"findings": obj.findings.order_by("pk")}
        )

    @admin.display(description="整改答复")
    def answers(self, obj: RectificationOrder) -> str:
        rounds = [answer for answer in selectors.order_rounds(order=obj) if not answer.is_draft]
        return render_to_string("rectification/admin/rounds.html", {"rounds": rounds})

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        # Everything on the page is read-only: the decision panel is the only thing to submit.
        context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        if object_id is None:
            raise Http404  # no add page: orders are issued from an inspection
        return super().changeform_view(request, object_id, form_url, extra_context)


# --- 行政处罚 ------------------------------------------------------------------------------------------

PENALTY_REGION_FIELD = "inspection__institution__region_code"


class DisclosedFilter(admin.SimpleListFilter):
    title = "公开情况"
    parameter_name = "disclosed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "已公开到门户"), ("no", "未公开")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(disclosed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(disclosed_at__isnull=True)
        return queryset


@admin.register(Penalty)
class PenaltyAdmin(RegionScopedAdmin, SimpleHistoryAdmin):
    """行政处罚 across inspections, to find one by its 文号 and publish it. Penalties are recorded and
    corrected with their inspection (its inline), so this list is read-only."""

    region_field = PENALTY_REGION_FIELD
    list_display = [
        "decision_number",
        "institution",
        "kind",
        "amount",
        "decided_on",
        "disclosed_at",
        "disclose_link",
    ]
    list_filter = [
        "kind",
        DisclosedFilter,
        city_filter(PENALTY_REGION_FIELD),
        district_filter(PENALTY_REGION_FIELD),
        "decided_on",
    ]
    search_fields = ["decision_number", "inspection__institution__name", "inspection__institution__uscc"]
    list_select_related = ["inspection__institution"]
    fields = [
        "inspection_link",
        "kind",
        "amount",
        "decision_number",
        "decided_on",
        "description",
        "disclosed_at",
        "disclose_link",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="机构", ordering="inspection__institution__name")
    def institution(self, obj: Penalty) -> str:
        return obj.inspection.institution.name

    @admin.display(description="监督检查")
    def inspection_link(self, obj: Penalty) -> str:
        url = reverse("admin:rectification_inspection_change", args=[obj.inspection_id])
        return format_html('<a href="{}">{}（修改处罚请到此处）</a>', url, obj.inspection)

    @admin.display(description="公开到门户")
    def disclose_link(self, obj: Penalty) -> str:
        url = reverse("admin:rectification_inspection_penalty_disclose", args=[obj.inspection_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, "重新公开" if obj.disclosed_at else "公开")
