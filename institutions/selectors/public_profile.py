"""Reads for the public profile of one institution (/institutions/<id>/): no login, no personal data.

Which institutions are public is decided once, in `selectors.public` (`_public`, the same rule as the
directory); this module only reads what the profile shows of one of them. Of people it reads the
authorised signatories' names and authorised scope (授权签字领域), nothing else: no ID number, phone,
title, personnel row or member account.
"""

import datetime

from django.db.models import DateTimeField, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..choices import CertificateStatus
from ..models import (
    Capability,
    Certificate,
    Institution,
    Patent,
    Signatory,
    Site,
    SoftwareCopyright,
    Trademark,
)
from .public import DETAIL_COLUMNS, _fields_prefetch, _public

# Rows the profile lists per section (sites, signatories, each kind of IP): enough for any real
# institution; the page says so when one has more. The capability schedule has its own paginated page.
SECTION_LIMIT = 200
# The capability schedule's Excel download is public: at most this many rows per file (search to narrow).
CAPABILITY_EXPORT_MAX_ROWS = 20_000
CAPABILITY_PAGE_SIZE = 50
# Where the schedule's search box looks (icontains; the portal's global search is elsewhere).
CAPABILITY_SEARCH_FIELDS = ("item", "standard", "category")

# Everything whose change changes the profile, for "信息更新于".
_DATED_MODELS = (Certificate, Site, Capability, Signatory, SoftwareCopyright, Patent, Trademark)


def _latest_updated_at(model: type) -> Subquery:
    return Subquery(
        model.objects.filter(institution_id=OuterRef("pk"))
        .order_by()
        .values("institution_id")
        .annotate(latest=Max("updated_at"))
        .values("latest")[:1],
        output_field=DateTimeField(),
    )


def _public_certificates() -> QuerySet[Certificate]:
    return Certificate.objects.filter(withdrawn_at__isnull=True)


def public_profile_get(*, pk: int) -> Institution:
    """The public institution `pk` with its testing fields and certificates, and `info_updated_at`: the
    latest updated_at of the institution and of every row its profile shows (one query with the
    institution's own); else 404."""
    certificates = _public_certificates().only(
        "id", "institution_id", "number", "field_code", "issued_on", "expires_on", "status"
    )
    latest = [Coalesce(_latest_updated_at(model), F("updated_at")) for model in _DATED_MODELS]
    return get_object_or_404(
        _public()
        .only(*DETAIL_COLUMNS, "updated_at")
        .annotate(info_updated_at=Greatest(F("updated_at"), *latest))
        .prefetch_related(
            _fields_prefetch(),
            Prefetch("certificates", queryset=certificates.order_by("-issued_on", "number")),
        ),
        pk=pk,
    )


def public_institution_brief_get(*, pk: int) -> Institution:
    """The name and status of public institution `pk` (the capability schedule's heading); else 404."""
    return get_object_or_404(_public().only("id", "name", "status", "region_code"), pk=pk)


def certificate_is_valid(certificate: Certificate, *, today: datetime.date | None = None) -> bool:
    """In force: status 有效 and not past its expiry date."""
    today = today or timezone.localdate()
    return certificate.status == CertificateStatus.VALID and certificate.expires_on >= today


def public_sites(*, institution_id: int) -> QuerySet[Site]:
    """The institution's testing sites (检验检测场所): name and address."""
    return (
        Site.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .only("id", "institution_id", "name", "address")
        .order_by("name", "pk")
    )


def public_signatories(*, institution_id: int) -> QuerySet[Signatory]:
    """The institution's authorised signatories (授权签字人): their name and authorised scope only."""
    return (
        Signatory.objects.filter(institution_id=institution_id, withdrawn_at__isnull=True)
        .only("id", "institution_id", "name", "authorised_fields")
        .order_by("name", "pk")
    )


def public_ip(*, institution_id: int) -> dict[str, QuerySet]:
    """The institution's software copyrights, patents and trademarks ("将展示在机构的公开信息中"). Of a
    patent, not its inventors (people)."""
    return {
        "copyright": SoftwareCopyright.objects.filter(institution_id=institution_id)
        .only("id", "institution_id", "name", "registration_number", "version", "registered_on")
        .order_by("-registered_on", "name", "pk"),
        "patent": Patent.objects.filter(institution_id=institution_id)
        .only("id", "institution_id", "name", "patent_type", "patent_number", "applied_on", "granted_on")
        .order_by("-applied_on", "name", "pk"),
        "trademark": Trademark.objects.filter(institution_id=institution_id)
        .only(
            "id", "institution_id", "name", "registration_number", "nice_class", "valid_from", "valid_until"
        )
        .order_by("name", "nice_class", "pk"),
    }


def public_capabilities(*, institution_id: int, q: str = "") -> QuerySet[Capability]:
    """The institution's capability schedule (能力附表) in schedule order (certificate, 序号), rows of
    withdrawn certificates left out; `q` matches 产品/项目/参数, the standard or the category."""
    queryset = Capability.objects.filter(
        institution_id=institution_id,
        withdrawn_at__isnull=True,
        certificate__withdrawn_at__isnull=True,
    )
    q = (q or "").strip()
    if q:
        condition = Q()
        for field in CAPABILITY_SEARCH_FIELDS:
            condition |= Q(**{f"{field}__icontains": q})
        queryset = queryset.filter(condition)
    return (
        queryset.select_related("certificate", "site")
        .only(
            "id",
            "institution_id",
            "certificate_id",
            "certificate__number",
            "seq",
            "category",
            "item",
            "standard",
            "limitation",
            "note",
            "site_id",
            "site__name",
        )
        .order_by("certificate_id", "seq", "pk")
    )
