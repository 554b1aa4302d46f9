"""Admin of the qualification data synced from the approval system and of the institutions' IP.

Regulators correct qualification data (certificates, sites, capabilities, equipment, signatories,
personnel); each save or delete recomputes the institution's completeness. Intellectual property is the
institution's own entry: the regulator group holds only the view permission on it
(institutions/integrations/regulators.py), so those pages are read-only for regulators.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from sujt.core.admin import RegionScopedAdmin
from sujt.core.admin_tools import HistoryAdmin
from sujt.core.dates import format_datetime
from sujt.core.deadlines import notice_label, notices_of

from ..models import (
    Capability,
    Certificate,
    Equipment,
    Patent,
    Personnel,
    Signatory,
    Site,
    SoftwareCopyright,
    Trademark,
)
from ..selectors.qualification import CERTIFICATE_EXPIRY_FILTERS, certificate_expiry_state
from ..services.completeness import completeness_recalculate
from .filters import (
    CalibrationFilter,
    CertificateExpiryFilter,
    InstitutionCityFilter,
    InstitutionFilter,
    attachment_link,
)


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
