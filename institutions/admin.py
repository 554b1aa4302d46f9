"""Regulators' admin for module 02: institutions, their qualification data, IP and the error-report queue.

Every list is scoped to the regulator's region (RegionScopedAdmin; the province sees all) and keeps an
audit trail (HistoryAdmin). Regulators correct qualification data synced from the approval system; each
save recomputes the institution's completeness. Declared testing fields and intellectual property are
the institution's own entries and are read-only here for regulators.
"""

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from sujt.accounts.admin import ReadOnlyInline
from sujt.accounts.models import Membership
from sujt.core.admin import ReadOnlyChangeFormMixin, RegionScopedAdmin, ReviewAdminMixin
from sujt.core.admin_tools import ExcelExportAdminMixin, HistoryAdmin, city_filter
from sujt.core.attachments import attachments_of
from sujt.core.choices import TestingField
from sujt.core.dates import format_datetime
from sujt.core.deadlines import notice_label, notices_of
from sujt.core.excel import ExcelColumn
from sujt.core.regions import PROVINCE_CODE, REGION_CHOICES, region_name
from sujt.core.scoping import in_scope, scope_covers

from .choices import SyncMode
from .models import (
    Capability,
    Certificate,
    Equipment,
    ErrorReport,
    Institution,
    InstitutionField,
    Patent,
    Personnel,
    Signatory,
    Site,
    SoftwareCopyright,
    SyncRun,
    SyncState,
    Trademark,
)
from .selectors.confirmation import ITEM_MODELS
from .selectors.qualification import (
    CERTIFICATE_EXPIRY_FILTERS,
    RENEWAL_MONTHS,
    certificate_expired_q,
    certificate_expiring_q,
    certificate_expiry_state,
)
from .services.certificates import TO_DO_HORIZON_MONTHS
from .services.completeness import completeness_recalculate
from .services.confirmation import EVIDENCE_PURPOSE

# For the admins of institution-owned data in other apps: list_filter = [InstitutionCityFilter].
InstitutionCityFilter = city_filter("institution__region_code")


# --- List filters --------------------------------------------------------------------------------------


class TestingFieldFilter(admin.SimpleListFilter):
    """检验检测领域 the institution declared (完善信息)."""

    title = "检验检测领域"
    parameter_name = "field"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(TestingField.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in TestingField.values:
            return queryset.filter(
                Exists(InstitutionField.objects.filter(institution=OuterRef("pk"), code=self.value()))
            )
        return queryset


class CompletenessFilter(admin.SimpleListFilter):
    title = "信息完整度"
    parameter_name = "completeness"
    RANGES: dict[str, tuple[str, Q]] = {
        "lt60": ("低于60", Q(completeness__lt=60)),
        "60-79": ("60–79", Q(completeness__gte=60, completeness__lte=79)),
        "80-99": ("80–99", Q(completeness__gte=80, completeness__lte=99)),
        "100": ("100（已完善）", Q(completeness=100)),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _q) in self.RANGES.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in self.RANGES:
            return queryset.filter(self.RANGES[self.value()][1])
        return queryset


def certificate_expiry_q(value: str, *, prefix: str = "") -> Q | None:
    """The certificates (fields under `prefix`) in an expiry bucket of the admin filters, by the
    workspace's rule (selectors.qualification): 已过期, or valid and expiring within 3 or within 6 months;
    None for an unknown bucket."""
    today = timezone.localdate()
    if value == "expired":
        return certificate_expired_q(today=today, prefix=prefix)
    months = EXPIRY_MONTHS.get(value)
    if months is None:
        return None
    return certificate_expiring_q(today=today, months=months, prefix=prefix)


EXPIRY_MONTHS = {"3m": RENEWAL_MONTHS, "6m": TO_DO_HORIZON_MONTHS}
EXPIRY_CHOICES = [
    ("expired", "已过期"),
    ("3m", f"{RENEWAL_MONTHS}个月内到期"),
    ("6m", f"{TO_DO_HORIZON_MONTHS}个月内到期"),
]


class CertificateExpiryFilter(admin.SimpleListFilter):
    """On the certificate list: the certificate itself is in the bucket."""

    title = "证书有效期"
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return EXPIRY_CHOICES

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        condition = certificate_expiry_q(self.value() or "")
        return queryset if condition is None else queryset.filter(condition)


class InstitutionCertificateExpiryFilter(CertificateExpiryFilter):
    """On the institution list: one of its certificates is in the bucket."""

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        condition = certificate_expiry_q(self.value() or "")
        if condition is None:
            return queryset
        return queryset.filter(Exists(Certificate.objects.filter(condition, institution=OuterRef("pk"))))


class InstitutionFilter(admin.SimpleListFilter):
    """?institution=<id>: one institution's rows (linked from its change page). Shown only while set: the
    sidebar cannot list thousands of institutions."""

    title = "机构"
    parameter_name = "institution"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value() or ""
        if not value.isdigit():
            return []
        scope = getattr(request.user, "region_scope", None)
        institutions = in_scope(Institution.objects.filter(pk=int(value)), scope, "region_code")
        return [(str(pk), name) for pk, name in institutions.values_list("pk", "name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value() or ""
        return queryset.filter(institution_id=int(value)) if value.isdigit() else queryset


class CalibrationFilter(admin.SimpleListFilter):
    title = "检定/校准有效期"
    parameter_name = "calibration"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("expired", "已过期"), ("valid", "有效"), ("none", "未填写")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        return {
            "expired": lambda: queryset.filter(valid_until__lt=today),
            "valid": lambda: queryset.filter(valid_until__gte=today),
            "none": lambda: queryset.filter(valid_until__isnull=True),
        }.get(self.value() or "", lambda: queryset)()


def changelist_url(model: type, **params: Any) -> str:
    url = reverse(f"admin:institutions_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


# --- Institution and its inlines -------------------------------------------------------------------------


class InstitutionAdminForm(forms.ModelForm):
    region_code = forms.ChoiceField(label="所在地区", choices=REGION_CHOICES)
    # Set by InstitutionAdmin.get_form: the jurisdiction of the regulator filling the form.
    region_scope: str | None = None

    class Meta:
        model = Institution
        fields = ("name", "uscc", "region_code", "status", "centers_enabled")

    def clean_region_code(self) -> str:
        code = self.cleaned_data["region_code"]
        if not scope_covers(self.region_scope, code):
            raise ValidationError("只能选择您管辖范围内的地区。")
        return code


class InstitutionMembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = fields
    verbose_name = verbose_name_plural = "机构用户"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("user")


class InstitutionFieldInline(admin.TabularInline):
    """Declared testing fields: the institution's own 完善信息 (regulators view them)."""

    model = InstitutionField
    extra = 0
    verbose_name = verbose_name_plural = "检验检测领域（机构填报）"


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0
    fields = (
        "number",
        "field_display",
        "authority_display",
        "issued_on",
        "expires_on",
        "status",
        "scan_link",
    )
    readonly_fields = ("field_display", "authority_display", "scan_link")
    show_change_link = True

    @admin.display(description="检验检测领域")
    def field_display(self, obj: Certificate) -> str:
        return obj.get_field_code_display() if obj.pk else "—"

    @admin.display(description="发证机关")
    def authority_display(self, obj: Certificate) -> str:
        return obj.authority_name if obj.pk else "—"

    @admin.display(description="证书扫描件")
    def scan_link(self, obj: Certificate) -> str:
        return attachment_link(obj.scan) if obj.pk else "—"


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ("name", "address", "site_type", "area", "tenure")
    show_change_link = True


class ListingFormSet(BaseInlineFormSet):
    """A formset with no forms: the inline lists rows read-only and posts nothing back.

    An institution may have hundreds of equipment or personnel rows; as editable (or even view-only)
    inline forms they would exceed DATA_UPLOAD_MAX_NUMBER_FIELDS when the institution is saved. Each row
    links to its own change page, and the full list to the filtered changelist.
    """

    listing_columns: Sequence[tuple[str, Callable[[Any], Any]]] = ()
    listing_limit = 50

    def initial_form_count(self) -> int:
        return 0

    def total_form_count(self) -> int:
        return 0

    def listing(self) -> dict[str, Any]:
        model = self.model
        if self.instance.pk is None:
            return {"headers": [], "rows": [], "total": 0, "more": False, "all_url": ""}
        rows = [
            {
                "cells": [getter(obj) for _title, getter in self.listing_columns],
                "url": reverse(f"admin:institutions_{model._meta.model_name}_change", args=[obj.pk]),
                "label": str(obj),
            }
            for obj in self.queryset[: self.listing_limit]
        ]
        total = self.queryset.count() if len(rows) == self.listing_limit else len(rows)
        return {
            "headers": [title for title, _getter in self.listing_columns],
            "rows": rows,
            "total": total,
            "more": total > len(rows),
            "all_url": changelist_url(model, institution=self.instance.pk),
        }


class ListingInline(admin.TabularInline):
    template = "institutions/admin/listing_inline.html"
    formset = ListingFormSet
    extra = 0
    can_delete = False
    listing_columns: Sequence[tuple[str, Callable[[Any], Any]]] = ()
    listing_select_related: Sequence[str] = ()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related(*self.listing_select_related)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.listing_columns = self.listing_columns
        return formset


def _site_name(obj: Any) -> str:
    return obj.site.name if obj.site_id else "—"


class EquipmentInline(ListingInline):
    model = Equipment
    listing_select_related = ("site",)
    listing_columns = (
        ("设备名称", lambda obj: obj.name),
        ("型号/规格", lambda obj: obj.model_spec or "—"),
        ("溯源方式", lambda obj: obj.get_traceability_display()),
        ("检定/校准有效期至", lambda obj: obj.valid_until or "—"),
        ("检验检测场所", _site_name),
    )


class SignatoryInline(ListingInline):
    model = Signatory
    listing_select_related = ("site",)
    listing_columns = (
        ("姓名", lambda obj: obj.name),
        ("职称", lambda obj: obj.title or "—"),
        ("授权签字领域", lambda obj: obj.authorised_fields),
        ("检验检测场所", _site_name),
    )


class PersonnelInline(ListingInline):
    model = Personnel
    listing_columns = (
        ("姓名", lambda obj: obj.name),
        ("性别", lambda obj: obj.get_gender_display()),
        ("学历", lambda obj: obj.get_education_display() or "—"),
        ("职称", lambda obj: obj.title or "—"),
        ("岗位", lambda obj: obj.position or "—"),
        ("所在部门", lambda obj: obj.department or "—"),
    )


@admin.register(Institution)
class InstitutionAdmin(ExcelExportAdminMixin, RegionScopedAdmin, HistoryAdmin):
    form = InstitutionAdminForm
    region_field = "region_code"
    list_display = (
        "name",
        "uscc",
        "region_display",
        "status",
        "completeness_display",
        "confirmed_display",
        "centers_enabled",
        "updated_at",
    )
    list_filter = (
        "status",
        city_filter("region_code"),
        TestingFieldFilter,
        CompletenessFilter,
        InstitutionCertificateExpiryFilter,
        "centers_enabled",
    )
    search_fields = ("name", "uscc")
    readonly_fields = (
        "completeness",
        "info_confirmed_at",
        "info_confirmed_by",
        "capabilities_link",
        "created_at",
        "updated_at",
    )
    inlines = [
        InstitutionMembershipInline,
        InstitutionFieldInline,
        CertificateInline,
        SiteInline,
        EquipmentInline,
        SignatoryInline,
        PersonnelInline,
    ]
    excel_columns = [
        ExcelColumn("名称", "name"),
        ExcelColumn("统一社会信用代码", "uscc"),
        ExcelColumn("所在地区", lambda obj: region_name(obj.region_code) or obj.region_code),
        ExcelColumn("状态", "get_status_display"),
        ExcelColumn("开通中心建设", "centers_enabled"),
        ExcelColumn("更新时间", "updated_at"),
    ]

    @admin.display(description="所在地区", ordering="region_code")
    def region_display(self, obj: Institution) -> str:
        return region_name(obj.region_code) or obj.region_code

    @admin.display(description="信息完整度", ordering="completeness")
    def completeness_display(self, obj: Institution) -> str:
        return f"{obj.completeness}%"

    @admin.display(description="信息已确认", boolean=True, ordering="info_confirmed_at")
    def confirmed_display(self, obj: Institution) -> bool:
        return obj.info_confirmed_at is not None

    @admin.display(description="检验检测能力")
    def capabilities_link(self, obj: Institution) -> str:
        if obj.pk is None:
            return "—"
        count = Capability.objects.filter(institution=obj).count()
        return format_html(
            '<a href="{}">查看能力附表（{} 条）</a>', changelist_url(Capability, institution=obj.pk), count
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.region_scope = getattr(request.user, "region_scope", None)
        return form

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        completeness_recalculate(institution_id=form.instance.pk)


# --- Qualification data and IP --------------------------------------------------------------------------


class InstitutionDataForm(forms.ModelForm):
    """A row's site and certificate must be its own institution's."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        institution = data.get("institution") or getattr(self.instance, "institution", None)
        if institution is None:
            return data
        for name in ("site", "certificate"):
            related = data.get(name)
            if related is not None and related.institution_id != institution.pk:
                self.add_error(name, f"只能选择{institution.name}的{related._meta.verbose_name}。")
        return data


class InstitutionDataAdmin(RegionScopedAdmin, HistoryAdmin):
    """Rows owned by an institution: region scope, the institution fixed once created, completeness kept
    current on every save and delete."""

    region_field = "institution__region_code"
    form = InstitutionDataForm
    autocomplete_fields = ("institution",)
    list_select_related = ("institution",)

    def get_list_filter(self, request: HttpRequest) -> list:
        return [*super().get_list_filter(request), InstitutionCityFilter, InstitutionFilter]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "institution"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        completeness_recalculate(institution_id=obj.institution_id)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        institution_id = obj.institution_id
        super().delete_model(request, obj)
        completeness_recalculate(institution_id=institution_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        institution_ids = set(queryset.values_list("institution_id", flat=True))
        super().delete_queryset(request, queryset)
        for institution_id in sorted(institution_ids):
            completeness_recalculate(institution_id=institution_id)


def attachment_link(attachment: Any) -> str:
    if attachment is None:
        return "—"
    return format_html(
        '<a href="{}">{}</a>', reverse("core:attachment_download", args=[attachment.pk]), attachment
    )


@admin.register(Certificate)
class CertificateAdmin(InstitutionDataAdmin):
    list_display = (
        "number",
        "institution",
        "field_display",
        "authority_code",
        "issued_on",
        "expires_on",
        "status",
        "expiry_display",
    )
    list_filter = ("status", CertificateExpiryFilter, "field_code", "authority_code")
    search_fields = ("number", "institution__name")
    fields = (
        "institution",
        "number",
        "field_display",
        "authority_display",
        "department_display",
        "issued_on",
        "expires_on",
        "status",
        "scan_link",
        "reminders_display",
    )
    readonly_fields = (
        "field_display",
        "authority_display",
        "department_display",
        "scan_link",
        "reminders_display",
    )

    @admin.display(description="已发送的到期提醒")
    def reminders_display(self, obj: Certificate | None) -> str:
        # The core deadline's record of what it sent for this certificate, newest first.
        notices = list(notices_of(obj)) if obj is not None and obj.pk else []
        if not notices:
            return "—"
        rows = ((format_datetime(n.done_at), notice_label(n), n.recipients) for n in notices)
        return format_html_join(mark_safe("<br>"), "{} {}（通知 {} 人）", rows)

    @admin.display(description="检验检测领域", ordering="field_code")
    def field_display(self, obj: Certificate) -> str:
        return f"{obj.field_code} {obj.get_field_code_display()}" if obj.field_code else "—"

    @admin.display(description="发证机关")
    def authority_display(self, obj: Certificate) -> str:
        return obj.authority_name if obj.authority_code else "—"

    @admin.display(description="到期提示")
    def expiry_display(self, obj: Certificate) -> str:
        return CERTIFICATE_EXPIRY_FILTERS.get(certificate_expiry_state(obj), "") if obj.pk else ""

    @admin.display(description="行业主管部门")
    def department_display(self, obj: Certificate) -> str:
        return obj.department_name if obj.department_code else "—"

    @admin.display(description="证书扫描件")
    def scan_link(self, obj: Certificate) -> str:
        return attachment_link(obj.scan)


@admin.register(Site)
class SiteAdmin(InstitutionDataAdmin):
    list_display = ("name", "institution", "address", "site_type", "tenure", "area")
    list_filter = ("site_type", "tenure")
    search_fields = ("name", "address", "institution__name")


@admin.register(Capability)
class CapabilityAdmin(InstitutionDataAdmin):
    list_display = ("seq", "item", "standard", "category", "certificate", "institution", "site")
    list_select_related = ("institution", "certificate", "site")
    search_fields = ("item", "standard")
    autocomplete_fields = ("institution", "certificate", "site")
    # The schedule reaches a million rows province-wide: no unfiltered COUNT(*) on every page.
    show_full_result_count = False
    list_per_page = 50


@admin.register(Equipment)
class EquipmentAdmin(InstitutionDataAdmin):
    list_display = ("name", "model_spec", "institution", "traceability", "valid_until", "site")
    list_select_related = ("institution", "site")
    list_filter = ("traceability", CalibrationFilter)
    search_fields = ("name", "model_spec", "institution__name")
    autocomplete_fields = ("institution", "site")


@admin.register(Signatory)
class SignatoryAdmin(InstitutionDataAdmin):
    list_display = ("name", "title", "institution", "site")
    list_select_related = ("institution", "site")
    search_fields = ("name", "institution__name")
    autocomplete_fields = ("institution", "site")


@admin.register(Personnel)
class PersonnelAdmin(InstitutionDataAdmin):
    list_display = ("name", "gender", "education", "title", "position", "department", "institution")
    list_filter = ("gender", "education")
    search_fields = ("name", "department", "institution__name")


@admin.register(SoftwareCopyright)
class SoftwareCopyrightAdmin(InstitutionDataAdmin):
    list_display = ("name", "registration_number", "version", "registered_on", "institution")
    search_fields = ("name", "registration_number", "institution__name")


@admin.register(Patent)
class PatentAdmin(InstitutionDataAdmin):
    list_display = ("name", "patent_type", "patent_number", "applied_on", "granted_on", "institution")
    list_filter = ("patent_type",)
    search_fields = ("name", "patent_number", "institution__name")


@admin.register(Trademark)
class TrademarkAdmin(InstitutionDataAdmin):
    list_display = ("name", "registration_number", "nice_class", "valid_until", "institution")
    search_fields = ("name", "registration_number", "institution__name")


# --- Error reports: the review queue --------------------------------------------------------------------


@admin.register(ErrorReport)
class ErrorReportAdmin(ReadOnlyChangeFormMixin, ReviewAdminMixin, RegionScopedAdmin, HistoryAdmin):
    """机构信息纠错报告: regulators approve, return (with a comment) or reject them with the list actions;
    the workflow notifies the institution, which sees the outcome on the report's page."""

    region_field = "institution__region_code"
    list_display = ("__str__", "institution", "item_type", "status", "submitted_at", "status_changed_at")
    list_filter = ("status", InstitutionCityFilter, "item_type")
    list_select_related = ("institution",)
    search_fields = ("institution__name", "item_label", "description")
    fields = (
        "institution",
        "item_type",
        "item_label",
        "item_link",
        "description",
        "evidence_links",
        "created_by",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="证明材料")
    def evidence_links(self, obj: ErrorReport) -> str:
        files = attachments_of(obj, purpose=EVIDENCE_PURPOSE)
        if not files:
            return "—"
        return format_html_join(
            "",
            '<p><a href="{}">{}</a>（{}）</p>',
            (
                (reverse("core:attachment_download", args=[f.pk]), f.original_name, f.get_kind_display())
                for f in files
            ),
        )

    @admin.display(description="所指条目")
    def item_link(self, obj: ErrorReport) -> str:
        model = ITEM_MODELS.get(obj.item_type)
        if model is None or obj.item_id is None:
            return "—"
        if not model.objects.filter(pk=obj.item_id, institution_id=obj.institution_id).exists():
            return "该条目已不存在"
        try:
            url = reverse(f"admin:institutions_{model._meta.model_name}_change", args=[obj.item_id])
        except NoReverseMatch:
            return "—"
        return format_html('<a href="{}">在管理端打开并更正该{}</a>', url, model._meta.verbose_name)


# --- Sync with the qualification-approval system --------------------------------------------------------


def sync_queue(*, mode: str, user_id: int) -> None:
    """Queues one sync run for the user (on commit). Run eagerly (no broker), the run is over when the
    page reloads; a failed attempt is already recorded as a failed run, which the list shows, so nothing
    is raised into the request (and an eager retry is not chained inside it)."""
    from celery.exceptions import Retry

    from .sync.client import SyncError
    from .tasks import sync_qualifications_task

    with contextlib.suppress(SyncError, Retry):
        sync_qualifications_task.delay(mode, user_id)


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    """资质认定同步记录, read-only, for every regulator. 立即同步 (incremental or full) is for the province
    and superusers: the data is province-wide; city regulators only watch the runs."""

    change_list_template = "admin/institutions/syncrun/change_list.html"
    sync_modes_labels = ((SyncMode.INCREMENTAL, "立即同步（增量）"), (SyncMode.FULL, "立即同步（全量）"))
    list_display = (
        "started_at",
        "mode",
        "status",
        "pages",
        "created",
        "updated",
        "unchanged",
        "withdrawn",
        "failed",
        "accounts_created",
        "finished_at",
        "triggered_by",
    )
    list_filter = ("status", "mode", "started_at")
    date_hierarchy = "started_at"
    search_fields = ("source",)
    list_select_related = ("triggered_by",)
    fields = (
        ("mode", "status"),
        "source",
        ("started_at", "finished_at"),
        "triggered_by",
        ("updated_since", "watermark"),
        ("pages", "created", "updated", "unchanged"),
        ("withdrawn", "failed", "accounts_created"),
        "errors_display",
    )
    readonly_fields = (
        "mode",
        "status",
        "source",
        "started_at",
        "finished_at",
        "triggered_by",
        "updated_since",
        "watermark",
        "pages",
        "created",
        "updated",
        "unchanged",
        "withdrawn",
        "failed",
        "accounts_created",
        "errors_display",
    )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if getattr(request.user, "region_scope", None) is None:
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_sync_permission(self, request: HttpRequest) -> bool:
        return getattr(request.user, "region_scope", None) == PROVINCE_CODE and self.has_view_permission(
            request
        )

    @admin.display(description="错误")
    def errors_display(self, obj: SyncRun) -> str:
        if not obj.errors:
            return "—"
        rows = []
        for error in obj.errors:
            where = error.get("record") or (f"第 {error['page']} 页" if error.get("page") else "")
            rows.append((where or "—", error.get("message", "")))
        return format_html(
            '<table class="sync-errors"><thead><tr><th>记录</th><th>原因</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows),
        )

    def get_urls(self) -> list:
        urls = super().get_urls()
        sync = path("sync/", self.admin_site.admin_view(self.sync_view), name="institutions_syncrun_sync")
        return [sync, *urls]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        state = SyncState.objects.filter(key="qualification").first()
        extra_context = {
            **(extra_context or {}),
            "can_sync": self.has_sync_permission(request),
            "sync_modes": self.sync_modes_labels,
            "sync_watermark": state.watermark if state else None,
        }
        return super().changelist_view(request, extra_context)

    def sync_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_sync_permission(request):
            raise PermissionDenied
        mode = request.POST.get("mode", SyncMode.INCREMENTAL)
        if mode not in (SyncMode.INCREMENTAL, SyncMode.FULL):
            mode = SyncMode.INCREMENTAL
        user_id = request.user.pk
        transaction.on_commit(lambda: sync_queue(mode=mode, user_id=user_id))
        changelist = reverse("admin:institutions_syncrun_changelist")
        self.message_user(
            request,
            format_html(
                '已提交{}，完成后结果见<a href="{}">资质认定同步记录</a>（刷新本页查看）。',
                dict(self.sync_modes_labels).get(mode, ""),
                changelist,
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(changelist)
