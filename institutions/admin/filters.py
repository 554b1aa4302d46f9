"""List filters and small helpers shared by the module-02 admins.

Parameter names are part of the admin's URLs: the regulators' dashboard links to ?city=, ?district=,
?field=, ?status__exact=, ?completeness=, ?confirmed=, ?expiry= on the institution list and ?expiry= on
the certificate list. Renaming one breaks those links.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from sujt.core.admin_tools import city_filter
from sujt.core.choices import TestingField
from sujt.core.scoping import in_scope, regulator_scoped

from ..models import Certificate, Institution, InstitutionField
from ..selectors.qualification import RENEWAL_MONTHS, certificate_expired_q, certificate_expiring_q
from ..services.certificates import TO_DO_HORIZON_MONTHS

# For the admins of institution-owned data in other apps: list_filter = [InstitutionCityFilter].
InstitutionCityFilter = city_filter("institution__region_code")


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


class ConfirmedFilter(admin.SimpleListFilter):
    """信息确认: whether the institution's admin has confirmed its information (info_confirmed_at)."""

    title = "信息确认"
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "已确认"), ("no", "未确认")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(info_confirmed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(info_confirmed_at__isnull=True)
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


def attachment_link(attachment: Any) -> str:
    """A link to a private file through the permission-checked download view ("—" without one)."""
    if attachment is None:
        return "—"
    return format_html(
        '<a href="{}">{}</a>', reverse("core:attachment_download", args=[attachment.pk]), attachment
    )


class InstitutionInJurisdictionMixin:
    """For the admin of a record a regulator creates about one institution (an inspection, a credit
    entry): its `institution` field offers, and accepts, only institutions in their jurisdiction."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "institution":
            kwargs["queryset"] = regulator_scoped(
                Institution.objects.all(), user=request.user, region_field="region_code"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
