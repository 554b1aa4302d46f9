"""Reads of the current institution's qualification data (资质证书, 场所, 能力, 设备, 签字人, 人员).

Every function takes the institution id the member works under (`request.institution`), never one from the
request, so another institution's rows cannot be reached: fetching one of them by id is a 404. Lists are
querysets of the visible rows (`*_of`), with the related rows they show joined in; the workspace lists
(institutions/lists.py) filter them with the conditions kept here beside their one-row rules.

Rows the sync marked withdrawn (`withdrawn_at`: withdrawn in the approval system) are kept but hidden here.
"""

import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sujt.core.dates import add_months
from sujt.core.validators import JIANGSU_AUTHORITY  # CMA number digits 3–4 (DESIGN §7)

from ..choices import CertificateStatus
from ..models import Capability, Certificate, Equipment, Personnel, Signatory, Site

# Renewal of a CMA certificate must be applied for at least 3 months before it expires (DESIGN §7).
RENEWAL_MONTHS = 3
CALIBRATION_SOON_DAYS = 30


# --- Certificates --------------------------------------------------------------------------------

CERTIFICATE_EXPIRY_FILTERS = {
    "expiring": f"{RENEWAL_MONTHS}个月内到期",
    "expired": "已过期",
}


# 已过期 and 即将到期 are one rule, written twice side by side: as a filter (the workspace list, the admin
# lists and their filters) and for one row already loaded (the flags on each row). Keep them together;
# tests/institutions/test_qualification_selectors.py checks that they agree for every status.


def certificate_expired_q(*, today: datetime.date, prefix: str = "") -> Q:
    """已过期: marked 过期, or past its date whatever its status (a suspended or revoked certificate past
    its date has expired too; the nightly job marks only valid ones 过期). `prefix` reaches the
    certificate from another model ("certificates__")."""
    return Q(**{f"{prefix}status": CertificateStatus.EXPIRED}) | Q(**{f"{prefix}expires_on__lt": today})


def certificate_expiring_q(*, today: datetime.date, months: int = RENEWAL_MONTHS, prefix: str = "") -> Q:
    """A valid certificate not yet past its date that expires within `months`."""
    return Q(
        **{
            f"{prefix}status": CertificateStatus.VALID,
            f"{prefix}expires_on__gte": today,
            f"{prefix}expires_on__lte": add_months(today, months),
        }
    )


def certificate_expiry_state(
    certificate: Certificate, *, today: datetime.date | None = None, months: int = RENEWAL_MONTHS
) -> str:
    """ "expired" (certificate_expired_q), "expiring" (certificate_expiring_q) or "", for one row."""
    today = today or timezone.localdate()
    if certificate.status == CertificateStatus.EXPIRED or certificate.expires_on < today:
        return "expired"
    if certificate.status == CertificateStatus.VALID and certificate.expires_on <= add_months(today, months):
        return "expiring"
    return ""


def certificate_expiry_q(expiry: str, *, today: datetime.date | None = None) -> Q | None:
    """The filter of one of CERTIFICATE_EXPIRY_FILTERS; None for any other value."""
    today = today or timezone.localdate()
    if expiry == "expiring":
        return certificate_expiring_q(today=today)
    if expiry == "expired":
        return certificate_expired_q(today=today)
    return None


def certificates_of(*, institution_id: int) -> QuerySet[Certificate]:
    """The institution's certificates (the workspace list filters and orders them)."""
    return (
        Certificate.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .select_related("scan")
        .order_by("-issued_on", "number", "pk")
    )


def certificate_get(*, institution_id: int, pk: int) -> Certificate:
    """One of the institution's certificates with its capability count; another institution's is a 404."""
    return get_object_or_404(
        Certificate.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .select_related("scan")
        .annotate(capability_count=Count("capabilities", filter=Q(capabilities__withdrawn_at__isnull=True))),
        pk=pk,
    )


def certificate_choices(*, institution_id: int) -> list[tuple[int, str]]:
    """(pk, number) of the institution's certificates, for filters."""
    return list(
        Certificate.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .order_by("-issued_on", "number")
        .values_list("pk", "number")
    )


# --- Sites ---------------------------------------------------------------------------------------


def sites_of(*, institution_id: int) -> QuerySet[Site]:
    return Site.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True).order_by(
        "name", "pk"
    )


def site_choices(*, institution_id: int) -> list[tuple[int, str]]:
    return list(
        Site.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


# --- Capabilities --------------------------------------------------------------------------------

# Where the capability search looks: both columns, or one of them.
CAPABILITY_SEARCH_SCOPES = {
    "": "产品/项目/参数或标准",
    "item": "产品/项目/参数",
    "standard": "依据的标准（方法）",
}


def capability_search_fields(scope: str) -> tuple[str, ...]:
    """The columns a capability search looks in, for one of CAPABILITY_SEARCH_SCOPES (both otherwise)."""
    return (scope,) if scope in ("item", "standard") else ("item", "standard")


def capabilities_of(*, institution_id: int) -> QuerySet[Capability]:
    """The institution's capability rows, in schedule order."""
    return (
        Capability.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .select_related("certificate", "site")
        # The (institution, certificate, seq) index serves this order: no sort of 20,000 rows per page.
        .order_by("certificate_id", "seq", "pk")
    )


def capability_categories(*, institution_id: int) -> list[str]:
    """The distinct non-empty categories (类别) of the institution's capability rows, for the filter."""
    return list(
        Capability.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


# --- Equipment -----------------------------------------------------------------------------------

CALIBRATION_FILTERS = {
    "expired": "已过期",
    "soon": f"{CALIBRATION_SOON_DAYS}天内到期",
    "valid": "有效",
    "none": "未填写有效期",
}


def calibration_state(equipment: Equipment, *, today: datetime.date | None = None) -> str:
    """ "expired" (valid_until < today), "soon" (within 30 days), "valid", or "none" (no date)."""
    today = today or timezone.localdate()
    if equipment.valid_until is None:
        return "none"
    if equipment.valid_until < today:
        return "expired"
    if equipment.valid_until <= today + datetime.timedelta(days=CALIBRATION_SOON_DAYS):
        return "soon"
    return "valid"


def calibration_q(state: str, *, today: datetime.date | None = None) -> Q | None:
    """The filter of one of CALIBRATION_FILTERS (calibration_state for many rows); None for any other
    value. 有效 means valid for more than 30 days, so the three dated filters do not overlap."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=CALIBRATION_SOON_DAYS)
    return {
        "expired": Q(valid_until__lt=today),
        "soon": Q(valid_until__gte=today, valid_until__lte=soon),
        "valid": Q(valid_until__gt=soon),
        "none": Q(valid_until__isnull=True),
    }.get(state)


def equipment_of(*, institution_id: int) -> QuerySet[Equipment]:
    return (
        Equipment.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .select_related("site")
        .order_by("name", "pk")
    )


# --- Signatories and personnel -------------------------------------------------------------------


def signatories_of(*, institution_id: int) -> QuerySet[Signatory]:
    return (
        Signatory.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .select_related("site")
        .order_by("name", "pk")
    )


def personnel_of(*, institution_id: int) -> QuerySet[Personnel]:
    return Personnel.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True).order_by(
        "department", "name", "pk"
    )


def personnel_departments(*, institution_id: int) -> list[str]:
    return list(
        Personnel.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def jiangsu_certificates(*, today: datetime.date | None = None) -> QuerySet[Certificate]:
    """Valid CMA certificates issued by Jiangsu (number digits 3–4, DESIGN §7) on `today`: holding one
    puts an institution in the scope of credit evaluation (05), which reporting's target filters offer
    too."""
    return Certificate.objects.filter(
        status=CertificateStatus.VALID,
        withdrawn_at__isnull=True,
        expires_on__gte=today or timezone.localdate(),
        number__regex=rf"^[0-9]{{2}}{JIANGSU_AUTHORITY}",
    )
