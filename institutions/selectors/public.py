"""Reads about institutions.

The public directory lists institutions whose qualification is in force or suspended (正常, 暂停), each
labelled with its status; revoked and cancelled ones (撤销, 注销) are not public: they are left out of the
list and their public page is a 404. Public reads never touch members or any personal data.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, Substr
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sujt.core.choices import AttachmentKind, TestingField
from sujt.core.expressions import InIds
from sujt.core.models import Attachment
from sujt.core.regions import CITIES, districts_of
from sujt.core.registries import institution_facets
from sujt.core.scoping import in_scope

from ..choices import CertificateStatus, InstitutionStatus
from ..models import Capability, CapabilitySearch, Certificate, Institution, InstitutionField
from ..search.match import CapabilityMatch, capability_match
from ..search.query import highlight

PUBLIC_STATUSES = (InstitutionStatus.NORMAL, InstitutionStatus.SUSPENDED)
LOGO_PURPOSE = "logo"
CERTIFICATE_PREFIX_MIN = 6
MATCHED_PER_INSTITUTION = 3

# What the public profile shows. Never the contact person or their phone, the legal representative, the
# members: only the institution's own public data.
LIST_COLUMNS = ("id", "name", "uscc", "region_code", "status", "completeness", "logo_id")
DETAIL_COLUMNS = (
    *LIST_COLUMNS,
    "address",
    "postcode",
    "phone",
    "email",
    "website",
    "established_on",
    "legal_person_type",
    "business_scope",
    "introduction",
)


def _public() -> QuerySet[Institution]:
    # An institution withdrawn in the approval system (marked by the sync) is not public either.
    return Institution.objects.filter(status__in=PUBLIC_STATUSES, withdrawn_at__isnull=True)


def _fields_prefetch() -> Prefetch:
    return Prefetch(
        "fields", queryset=InstitutionField.objects.only("id", "institution_id", "code").order_by("code")
    )


def _own_match(q: str) -> Q:
    """The institution itself: its name, the leading part of its 统一社会信用代码, a CMA certificate
    number (whole or its leading part, six characters at least)."""
    condition = Q(name__icontains=q) | Q(uscc__startswith=q.upper())
    if len(q) >= CERTIFICATE_PREFIX_MIN and q.isalnum():
        condition |= Q(
            Exists(
                Certificate.objects.filter(
                    institution=OuterRef("pk"), number__startswith=q.upper(), withdrawn_at__isnull=True
                )
            )
        )
    return condition


def _relevance(counts: dict[int, int]) -> Case | Value:
    """The institution's count from `counts` as an SQL expression (0 for the rest): one branch per
    distinct count, so its size follows the number of matching institutions, not of capabilities."""
    by_count: dict[int, list[int]] = {}
    for pk, total in counts.items():
        by_count.setdefault(total, []).append(pk)
    if not by_count:
        return Value(0)
    return Case(
        *(When(InIds("pk", pks), then=Value(total)) for total, pks in sorted(by_count.items())),
        default=Value(0),
        output_field=IntegerField(),
    )


def _search(queryset: QuerySet[Institution], q: str, match: CapabilityMatch) -> QuerySet[Institution]:
    """Institutions matching `q` itself (_own_match), or every piece of `q` (AND) in their name or in
    one of their capabilities (`match`, institutions.search.match); annotated with `name_hit` and
    `relevance` (capabilities matching, summed over the pieces).

    The capability side enters the institutions' query as id lists read from the index beforehand: a
    correlated EXISTS and COUNT per institution scanned each institution's rows once per piece,
    seconds at a million capabilities."""
    condition = _own_match(q)
    relevance: Case | Value = Value(0)
    if match:
        every = Q()
        for piece_match in match.pieces:
            holders = Q(InIds("pk", piece_match.counts))
            text = piece_match.piece.text
            every &= (Q(name__icontains=text) | holders) if text else holders
        condition |= every
        relevance = _relevance(match.relevance())
    return queryset.filter(condition).annotate(
        name_hit=Case(When(name__icontains=q, then=Value(1)), default=Value(0)),
        relevance=relevance,
    )


def _latest_certificate() -> QuerySet[Certificate]:
    return Certificate.objects.filter(institution=OuterRef("pk"), withdrawn_at__isnull=True).order_by(
        "-expires_on", "-pk"
    )


def public_institutions(
    *,
    q: str = "",
    city: str = "",
    field: str = "",
    district: str = "",
    certificate_status: str = "",
    high_tech: bool = False,
    facets: dict[str, str] | None = None,
    match: CapabilityMatch | None = None,
) -> QuerySet[Institution]:
    """Institutions the public may find, matching `q` in `city` (or its `district`), declaring the
    testing field `field`, holding a certificate in `certificate_status`, 高新技术企业 (`high_tech`).

    `q` finds an institution by its name, 统一社会信用代码 or CMA certificate number, or by its
    capabilities (检测对象/项目/参数, standard name and number): every word of `q` must match the
    institution (AND). Order: institutions whose name contains `q`, then by how many capabilities
    match, then the most complete profiles ("机构在基础信息中相关信息越完善，则在门户中越能被公众检索
    并关注": the stored completeness), then by name. An unknown code of any filter is ignored, as if
    none were chosen. Each row carries its latest certificate's number, status and expiry date.
    `facets` ({facet key: value}) filters by the facets upper modules declare (the credit level; see
    sujt.core.registries.register_institution_facet); an unknown key or value is ignored. `match` is
    `q` already resolved (capability_match), for a caller that reads the matches as well.
    """
    queryset = _public()
    q = (q or "").strip()
    order = ["-completeness", "name", "pk"]
    if q:
        queryset = _search(queryset, q, match if match is not None else capability_match(q=q))
        order = ["-name_hit", "-relevance", *order]
    if district and city in CITIES and district in districts_of(city):
        queryset = in_scope(queryset, district, "region_code")
    elif city in CITIES:
        queryset = in_scope(queryset, city, "region_code")
    if field in TestingField.values:
        # (institution, code) is unique: the join cannot repeat an institution.
        queryset = queryset.filter(fields__code=field)
    if certificate_status in CertificateStatus.values:
        queryset = queryset.filter(
            Exists(
                Certificate.objects.filter(
                    institution=OuterRef("pk"), status=certificate_status, withdrawn_at__isnull=True
                )
            )
        )
    if high_tech:
        queryset = queryset.filter(is_high_tech=True)
    for facet in institution_facets():
        value = (facets or {}).get(facet.key)
        if value in dict(facet.choices):
            queryset = queryset.filter(pk__in=facet.matching(value))
    latest = _latest_certificate()
    return (
        queryset.only(*LIST_COLUMNS)
        .annotate(
            certificate_number=Subquery(latest.values("number")[:1]),
            certificate_status=Subquery(latest.values("status")[:1]),
            certificate_expires_on=Subquery(latest.values("expires_on")[:1]),
        )
        .prefetch_related(_fields_prefetch())
        .order_by(*order)
    )


@dataclass
class MatchedCapabilities:
    total: int  # capabilities of the institution matching a piece of the query
    first: list[dict]  # the first few, in schedule order, highlighted


def public_matched_capabilities(
    *, institution_ids: list[int], match: CapabilityMatch, per_institution: int = MATCHED_PER_INSTITUTION
) -> dict[int, MatchedCapabilities]:
    """{institution id: its capabilities matching any piece of `match`: how many, and the first
    `per_institution` in schedule order, each a dict with `category`, `item` and `standard`
    highlighted (escaped, matches in <mark>)} in one query."""
    if not match or not institution_ids:
        return {}
    tokens = match.highlight
    partition = [F("institution_id")]
    rows = (
        CapabilitySearch.objects.filter(institution_id__in=institution_ids)
        .filter(match.any_condition())
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("capability__certificate_id").asc(), F("capability__seq").asc(), F("pk").asc()],
            ),
            total=Window(Count("pk"), partition_by=partition),
        )
        .filter(place__lte=per_institution)
        .order_by("institution_id", "place")
        .values_list(
            "institution_id", "total", "capability__category", "capability__item", "capability__standard"
        )
    )
    matched: dict[int, MatchedCapabilities] = {}
    for institution_id, total, category, item, standard in rows:
        matched.setdefault(institution_id, MatchedCapabilities(total, [])).first.append(
            {
                "category": highlight(category, tokens),
                "item": highlight(item, tokens),
                "standard": highlight(standard, tokens),
            }
        )
    return matched


def public_matched_counts(*, institution_ids: list[int], match: CapabilityMatch) -> dict[int, int]:
    """{institution id: how many of its capabilities match any piece of `match`} (the downloads)."""
    if not match or not institution_ids:
        return {}
    return dict(
        CapabilitySearch.objects.filter(InIds("institution_id", institution_ids))
        .filter(match.any_condition())
        .order_by()
        .values_list("institution_id")
        .annotate(total=Count("pk"))
    )


def public_institution_get(*, pk: int) -> Institution:
    """The public profile of a public institution, with its testing fields and certificates; else 404."""
    certificates = (
        Certificate.objects.filter(withdrawn_at__isnull=True)
        .only("id", "institution_id", "number", "field_code", "issued_on", "expires_on", "status")
        .order_by("-issued_on", "number")
    )
    return get_object_or_404(
        _public()
        .only(*DETAIL_COLUMNS)
        .prefetch_related(_fields_prefetch(), Prefetch("certificates", queryset=certificates)),
        pk=pk,
    )


def public_logo_get(*, pk: int) -> Attachment:
    """The logo of public institution `pk`: only the image attachment it owns for that purpose; else 404."""
    return get_object_or_404(
        Attachment.objects.filter(
            pk__in=_public().filter(pk=pk).values("logo_id"),
            content_type=ContentType.objects.get_for_model(Institution),
            object_id=pk,
            purpose=LOGO_PURPOSE,
            kind=AttachmentKind.IMAGE,
        )
    )


def public_counts_by_city() -> list[tuple[str, str, int]]:
    """(city code, city name, number of public institutions) for every city, in DESIGN §7 order."""
    counts = dict(
        _public()
        .annotate(city_prefix=Substr("region_code", 1, 4))
        .order_by()
        .values("city_prefix")
        .annotate(total=Count("pk"))
        .values_list("city_prefix", "total")
    )
    return [(code, name, counts.get(code[:4], 0)) for code, name in CITIES.items()]


def public_counts_by_field() -> list[tuple[str, str, int]]:
    """(field code, field name, number of public institutions declaring it) for every testing field, in
    code order. Counted on the declared fields (InstitutionField), which is what the directory's `field`
    filter matches, so a figure here is the number of rows the directory shows for that field."""
    counts = dict(
        InstitutionField.objects.filter(institution__in=_public())
        .order_by()
        .values("code")
        .annotate(total=Count("pk"))
        .values_list("code", "total")
    )
    return [(code, label, counts.get(code, 0)) for code, label in TestingField.choices]


def public_totals() -> dict[str, int]:
    """How many public institutions there are, how many valid certificates (in force, not past their
    expiry date, not withdrawn) and capability rows (not withdrawn) they hold."""
    today = timezone.localdate()
    public = _public()
    return {
        "institutions": public.count(),
        "certificates": Certificate.objects.filter(
            institution__in=public,
            status=CertificateStatus.VALID,
            withdrawn_at__isnull=True,
            expires_on__gte=today,
        ).count(),
        "capabilities": Capability.objects.filter(institution__in=public, withdrawn_at__isnull=True).count(),
    }
