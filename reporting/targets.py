"""Who a task goes to: institutions chosen by city, testing field, legal-person type and credit scope,
or listed by 统一社会信用代码; centers (or any report subject another module declares in core's
registry) chosen by city and the subject's own filters, or listed one by one. Always inside the issuing
regulator's jurisdiction (the task's `region_code`), and only institutions in business (正常).

`criteria` is the task's record of the choice (ReportTask.criteria):
    {"cities": ["320100"], "fields": ["13"], "legal_person_types": ["enterprise"], "credit_scope": "in",
     "usccs": [...]}                                   # institutions
    {"cities": [...], "level": [...], "kind": [...], "subject_ids": [...]}   # centers
An explicit list (usccs / subject_ids) replaces the filters.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from institutions.choices import InstitutionStatus
from institutions.models import Institution, InstitutionField
from institutions.selectors.qualification import jiangsu_certificates
from sujt.core.registries import ReportSubject, report_subject
from sujt.core.scoping import in_scope

from .choices import CreditScope, TargetKind

# One task reaches at most this many targets (every institution of the province is a few thousand).
MAX_TARGETS = 20_000
USCC_LIST_MAX = 5000


@dataclass(frozen=True)
class Target:
    institution_id: int
    subject_id: int | None = None
    subject_name: str = ""


def subject_of(target_kind: str) -> ReportSubject | None:
    """The registered subject kind behind a non-institution target kind (None: unavailable)."""
    return None if target_kind == TargetKind.INSTITUTION else report_subject(target_kind)


def _cities_q(cities: Iterable[str], field: str) -> Q:
    q = Q()
    for city in cities:
        q |= Q(**{f"{field}__startswith": city[:4]})
    return q


def institutions_matching(*, criteria: Mapping[str, Any], region_code: str) -> QuerySet[Institution]:
    queryset = in_scope(
        Institution.objects.filter(status=InstitutionStatus.NORMAL), region_code, "region_code"
    )
    usccs = criteria.get("usccs") or []
    if usccs:
        return queryset.filter(uscc__in=usccs)
    if criteria.get("cities"):
        queryset = queryset.filter(_cities_q(criteria["cities"], "region_code"))
    if criteria.get("fields"):
        queryset = queryset.filter(
            Exists(InstitutionField.objects.filter(institution=OuterRef("pk"), code__in=criteria["fields"]))
        )
    if criteria.get("legal_person_types"):
        queryset = queryset.filter(legal_person_type__in=criteria["legal_person_types"])
    scope = criteria.get("credit_scope") or ""
    if scope:
        certified = Exists(jiangsu_certificates().filter(institution_id=OuterRef("pk")))
        queryset = queryset.filter(certified) if scope == CreditScope.IN else queryset.exclude(certified)
    return queryset


def subjects_matching(*, subject: ReportSubject, criteria: Mapping[str, Any], region_code: str) -> QuerySet:
    field = subject.institution_field
    queryset = in_scope(subject.queryset(), region_code, f"{field}__region_code").filter(
        **{f"{field}__status": InstitutionStatus.NORMAL}
    )
    chosen = criteria.get("subject_ids") or []
    if chosen:
        return queryset.filter(pk__in=chosen)
    if criteria.get("cities"):
        queryset = queryset.filter(_cities_q(criteria["cities"], f"{field}__region_code"))
    for spec in subject.filters:
        values = criteria.get(spec.key) or []
        if values:
            queryset = queryset.filter(**{f"{spec.key}__in": values})
    return queryset


def targets_of(*, target_kind: str, criteria: Mapping[str, Any], region_code: str) -> list[Target]:
    """The task's targets, in a stable order; ValidationError beyond MAX_TARGETS or for an unavailable
    kind."""
    if target_kind == TargetKind.INSTITUTION:
        rows = institutions_matching(criteria=criteria, region_code=region_code).order_by("pk")
        ids = list(rows.values_list("pk", flat=True)[: MAX_TARGETS + 1])
        found = [Target(institution_id=pk) for pk in ids]
    else:
        subject = subject_of(target_kind)
        if subject is None:
            raise ValidationError({"target_kind": "该填报对象类型暂不可用。"})
        rows = subjects_matching(subject=subject, criteria=criteria, region_code=region_code).order_by("pk")
        found = [
            Target(
                institution_id=getattr(obj, f"{subject.institution_field}_id"),
                subject_id=obj.pk,
                subject_name=subject.name(obj)[:150],
            )
            for obj in rows[: MAX_TARGETS + 1]
        ]
    if len(found) > MAX_TARGETS:
        raise ValidationError(f"一次任务最多发给 {MAX_TARGETS} 个对象，请缩小范围。")
    return found


def target_count(*, target_kind: str, criteria: Mapping[str, Any], region_code: str) -> int:
    if target_kind == TargetKind.INSTITUTION:
        return institutions_matching(criteria=criteria, region_code=region_code).count()
    subject = subject_of(target_kind)
    if subject is None:
        return 0
    return subjects_matching(subject=subject, criteria=criteria, region_code=region_code).count()


def usccs_unknown(*, usccs: list[str], region_code: str) -> list[str]:
    """The listed codes that name no institution in business within the jurisdiction."""
    found = set(
        institutions_matching(criteria={"usccs": usccs}, region_code=region_code).values_list(
            "uscc", flat=True
        )
    )
    return [code for code in usccs if code not in found]
