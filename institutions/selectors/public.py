"""Reads about institutions.

The public directory lists institutions whose qualification is in force or suspended (正常, 暂停), each
labelled with its status; revoked and cancelled ones (撤销, 注销) are not public: they are left out of the
list and their public page is a 404. Public reads never touch members or any personal data.
"""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from sujt.core.regions import CITIES

from ..choices import InstitutionStatus
from ..models import Institution

PUBLIC_STATUSES = (InstitutionStatus.NORMAL, InstitutionStatus.SUSPENDED)


def _city_range(city: str) -> Q:
    # Codes of a city's districts share its first four digits; a range keeps the region index usable on
    # every collation, where LIKE 'xxxx%' would not.
    return Q(region_code__gte=city[:4] + "00", region_code__lte=city[:4] + "99")


def public_institutions(*, q: str = "", city: str = "") -> QuerySet[Institution]:
    """Institutions the public may find, matching `q` (a name fragment or a 统一社会信用代码) in `city`.

    An unknown city code is ignored, as if no city were chosen.
    """
    queryset = Institution.objects.filter(status__in=PUBLIC_STATUSES)
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(uscc__startswith=q.upper()))
    if city in CITIES:
        queryset = queryset.filter(_city_range(city))
    return queryset.only("id", "name", "uscc", "region_code", "status").order_by("name", "pk")


def public_institution_get(*, pk: int) -> Institution:
    return get_object_or_404(public_institutions(), pk=pk)


def public_counts_by_city() -> list[tuple[str, str, int]]:
    """(city code, city name, number of public institutions) for every city, in DESIGN §7 order."""
    counts = dict(
        Institution.objects.filter(status__in=PUBLIC_STATUSES)
        .annotate(city_prefix=Substr("region_code", 1, 4))
        .order_by()
        .values("city_prefix")
        .annotate(total=Count("pk"))
        .values_list("city_prefix", "total")
    )
    return [(code, name, counts.get(code[:4], 0)) for code, name in CITIES.items()]
