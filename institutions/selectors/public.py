"""Reads about institutions.

The public directory lists institutions whose qualification is in force or suspended (正常, 暂停), each
labelled with its status; revoked and cancelled ones (撤销, 注销) are not public: they are left out of the
list and their public page is a 404. Public reads never touch members or any personal data.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sujt.core.choices import AttachmentKind, TestingField
from sujt.core.models import Attachment
from sujt.core.regions import CITIES
from sujt.core.scoping import in_scope

from ..choices import CertificateStatus, InstitutionStatus
from ..models import Capability, Certificate, Institution, InstitutionField

PUBLIC_STATUSES = (InstitutionStatus.NORMAL, InstitutionStatus.SUSPENDED)
LOGO_PURPOSE = "logo"

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


def public_institutions(*, q: str = "", city: str = "", field: str = "") -> QuerySet[Institution]:
    """Institutions the public may find, matching `q` (a name fragment or a 统一社会信用代码) in `city`,
    declaring the testing field `field`; the most complete profiles first, then by name.

    ("机构在基础信息中相关信息越完善，则在门户中越能被公众检索并关注": the ranking uses the stored
    completeness.) An unknown city code or field code is ignored, as if none were chosen.
    """
    queryset = _public()
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(uscc__startswith=q.upper()))
    if city in CITIES:
        queryset = in_scope(queryset, city, "region_code")
    if field in TestingField.values:
        # (institution, code) is unique: the join cannot repeat an institution.
        queryset = queryset.filter(fields__code=field)
    return (
        queryset.only(*LIST_COLUMNS)
        .prefetch_related(_fields_prefetch())
        .order_by("-completeness", "name", "pk")
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
