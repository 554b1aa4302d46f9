"""Figures about the institutions of a regulator's jurisdiction, for the regulators' dashboard.

Each figure carries the admin list query that shows exactly its rows (the institution admin's filters
`status__exact`, `completeness`, `confirmed`, `expiry`, `city`; the certificate admin's `expiry`), so
the dashboard links every number to the list it counts. The region rule is `in_scope`, the one admin
lists apply, so a figure and its list agree.

Aggregates only: `region_figures` is two queries, `city_breakdown` two and `district_breakdown` one,
whatever the number of institutions.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from sujt.core.regions import CITY_CHOICES, districts_of
from sujt.core.scoping import in_scope

from ..choices import InstitutionStatus
from ..models import Certificate, Institution
from .qualification import RENEWAL_MONTHS, certificate_expired_q, certificate_expiring_q

# The institution admin's completeness buckets (?completeness=), same bounds.
COMPLETENESS_BUCKETS: dict[str, tuple[str, Q]] = {
    "lt60": ("低于60", Q(completeness__lt=60)),
    "60-79": ("60–79", Q(completeness__gte=60, completeness__lte=79)),
    "80-99": ("80–99", Q(completeness__gte=80, completeness__lte=99)),
    "100": ("100（已完善）", Q(completeness=100)),
}
# The admin's certificate expiry bucket for "within RENEWAL_MONTHS" (?expiry=3m).
EXPIRING_BUCKET = f"{RENEWAL_MONTHS}m"


@dataclass(frozen=True)
class Figure:
    """One number and the admin list query (`model`'s changelist) that lists what it counts."""

    label: str
    count: int
    model: str  # "institution" or "certificate"; "" when no admin list shows exactly these rows
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RegionFigures:
    total: Figure
    by_status: list[Figure]
    by_completeness: list[Figure]
    confirmed: Figure
    unconfirmed: Figure
    certificates_expiring: Figure
    certificates_expired: Figure


@dataclass(frozen=True)
class CityRow:
    """One city of the province's breakdown; each figure's query includes `city=`."""

    code: str
    name: str
    institutions: Figure
    certificates_expiring: Figure
    incomplete: Figure  # completeness below 60


@dataclass(frozen=True)
class DistrictRow:
    """One county-level region of a city's breakdown; each figure's query includes `district=`. The row
    of institutions whose region is the city itself (no district recorded) has code "" and no links: the
    admin's district filter cannot select them."""

    code: str
    name: str
    institutions: Figure
    incomplete: Figure  # completeness below 60
    unconfirmed: Figure


def _institution_counts() -> dict[str, Count]:
    counts = {f"status_{value}": Count("pk", filter=Q(status=value)) for value in InstitutionStatus.values}
    counts |= {
        f"completeness_{key}": Count("pk", filter=q) for key, (_label, q) in COMPLETENESS_BUCKETS.items()
    }
    counts["confirmed"] = Count("pk", filter=Q(info_confirmed_at__isnull=False))
    counts["total"] = Count("pk")
    return counts


def region_figures(*, scope: str | None, today: datetime.date | None = None) -> RegionFigures:
    """The institutions in the jurisdiction `scope` (a region code; None sees nothing) by status, by
    completeness bucket, confirmed or not, and their certificates expiring within RENEWAL_MONTHS months
    or expired: one aggregate query on institutions, one on certificates."""
    today = today or timezone.localdate()
    counts = in_scope(Institution.objects.all(), scope, "region_code").aggregate(**_institution_counts())
    certificates = in_scope(Certificate.objects.all(), scope, "institution__region_code").aggregate(
        expiring=Count("pk", filter=certificate_expiring_q(today=today, months=RENEWAL_MONTHS)),
        expired=Count("pk", filter=certificate_expired_q(today=today)),
    )
    return RegionFigures(
        total=Figure("机构总数", counts["total"], "institution"),
        by_status=[
            Figure(label, counts[f"status_{value}"], "institution", {"status__exact": value})
            for value, label in InstitutionStatus.choices
        ],
        by_completeness=[
            Figure(label, counts[f"completeness_{key}"], "institution", {"completeness": key})
            for key, (label, _q) in COMPLETENESS_BUCKETS.items()
        ],
        confirmed=Figure("已确认信息", counts["confirmed"], "institution", {"confirmed": "yes"}),
        unconfirmed=Figure(
            "未确认信息", counts["total"] - counts["confirmed"], "institution", {"confirmed": "no"}
        ),
        certificates_expiring=Figure(
            f"{RENEWAL_MONTHS}个月内到期证书",
            certificates["expiring"],
            "certificate",
            {"expiry": EXPIRING_BUCKET},
        ),
        certificates_expired=Figure(
            "已过期证书", certificates["expired"], "certificate", {"expiry": "expired"}
        ),
    )


def city_breakdown(*, today: datetime.date | None = None) -> list[CityRow]:
    """The province's 13 cities in code order, each with its institutions, certificates expiring within
    RENEWAL_MONTHS months and institutions whose completeness is below 60: two grouped queries."""
    today = today or timezone.localdate()
    # A region code's first four digits name its city (320102 → 3201 → 320100).
    institutions = {
        f"{row['city']}00": row
        for row in Institution.objects.annotate(city=Substr("region_code", 1, 4))
        .order_by()
        .values("city")
        .annotate(total=Count("pk"), incomplete=Count("pk", filter=COMPLETENESS_BUCKETS["lt60"][1]))
    }
    expiring = {
        f"{row['city']}00": row["total"]
        for row in Certificate.objects.filter(certificate_expiring_q(today=today, months=RENEWAL_MONTHS))
        .annotate(city=Substr("institution__region_code", 1, 4))
        .order_by()
        .values("city")
        .annotate(total=Count("pk"))
    }
    rows = []
    for code, name in CITY_CHOICES:
        counted = institutions.get(code, {})
        rows.append(
            CityRow(
                code=code,
                name=name,
                institutions=Figure("机构数", counted.get("total", 0), "institution", {"city": code}),
                certificates_expiring=Figure(
                    f"{RENEWAL_MONTHS}个月内到期证书",
                    expiring.get(code, 0),
                    "certificate",
                    {"expiry": EXPIRING_BUCKET, "city": code},
                ),
                incomplete=Figure(
                    "完整度低于60",
                    counted.get("incomplete", 0),
                    "institution",
                    {"completeness": "lt60", "city": code},
                ),
            )
        )
    return rows


# The city's own code on an institution: its district was never recorded.
UNKNOWN_DISTRICT_LABEL = "未填写区县"


def district_breakdown(*, city_code: str) -> list[DistrictRow]:
    """The districts of `city_code` in code order, each with its institutions, those whose completeness is
    below 60 and those not confirmed, then (when there are any) the institutions recorded at the city
    itself: one grouped query."""
    counted = {
        row["region_code"]: row
        for row in in_scope(Institution.objects.all(), city_code, "region_code")
        .order_by()
        .values("region_code")
        .annotate(
            total=Count("pk"),
            incomplete=Count("pk", filter=COMPLETENESS_BUCKETS["lt60"][1]),
            unconfirmed=Count("pk", filter=Q(info_confirmed_at__isnull=True)),
        )
    }

    def row(code: str, name: str, *, linked: bool) -> DistrictRow:
        numbers = counted.get(code, {})
        model = "institution" if linked else ""
        where = {"district": code} if linked else {}
        return DistrictRow(
            code=code if linked else "",
            name=name,
            institutions=Figure("机构数", numbers.get("total", 0), model, where),
            incomplete=Figure(
                "完整度低于60",
                numbers.get("incomplete", 0),
                model,
                {**where, "completeness": "lt60"} if linked else {},
            ),
            unconfirmed=Figure(
                "未确认信息",
                numbers.get("unconfirmed", 0),
                model,
                {**where, "confirmed": "no"} if linked else {},
            ),
        )

    rows = [row(code, name, linked=True) for code, name in districts_of(city_code).items()]
    if counted.get(city_code, {}).get("total"):
        rows.append(row(city_code, UNKNOWN_DISTRICT_LABEL, linked=False))
    return rows
