"""Reads of 07/08 运营数据填报, filtered by who asks: an institution's members see their own assignments
(those holding `fill_reports`), regulators the assignments of institutions in their jurisdiction and the
tasks issued there or above it."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from institutions.models import Institution
from sujt.accounts.permissions import institution_ids_for
from sujt.core.regions import CITIES, city_code_of
from sujt.core.scoping import in_scope, jurisdictions_over, regulator_scoped

from . import schema
from .choices import AssignmentStatus, TaskStatus
from .models import PERMISSION, REGION_FIELD, ReportAssignment, ReportTask

S = AssignmentStatus
# Handed in (the values are the institution's answer, a regulator may read them).
HANDED_IN = (S.SUBMITTED, S.ACCEPTED)
# Still owed by the institution.
WAITING = (S.PENDING, S.DRAFT, S.RETURNED, S.OVERDUE)


# --- The institution's side ----------------------------------------------------------------------------


def assignments_for(*, user: Any, target_kind: str | None = None) -> QuerySet[ReportAssignment]:
    """The published tasks' assignments of the institutions where the user fills reports."""
    queryset = ReportAssignment.objects.filter(
        institution_id__in=institution_ids_for(user=user, perm=PERMISSION),
        task__status=TaskStatus.PUBLISHED,
    ).select_related("task", "institution")
    if target_kind is not None:
        queryset = queryset.filter(task__target_kind=target_kind)
    return queryset


def assignments_of(*, institution_id: int, target_kind: str | None = None) -> QuerySet[ReportAssignment]:
    """The institution's assignments of published tasks (the workspace, behind its permission guard),
    latest deadline first; the workspace lists put what is still owed on top (lists.ORDERING)."""
    queryset = ReportAssignment.objects.filter(
        institution_id=institution_id, task__status=TaskStatus.PUBLISHED
    ).select_related("task")
    if target_kind is not None:
        queryset = queryset.filter(task__target_kind=target_kind)
    return queryset.order_by("-due_on", "subject_name", "-pk")


def assignment_get(*, institution_id: int, pk: int) -> ReportAssignment:
    """Another institution's assignment is a 404."""
    return get_object_or_404(
        assignments_of(institution_id=institution_id).select_related("institution"), pk=pk
    )


def has_center_reports(institution: Any) -> bool:
    """Whether module 08 applies to the institution: one a regulator enabled center construction for (a
    center report goes to a center's host, and centers exist only there). Read from the institution row,
    no query: the menu asks on every page."""
    return bool(getattr(institution, "centers_enabled", False))


def previous_assignment(*, assignment: ReportAssignment) -> ReportAssignment | None:
    """The same target's latest handed-in report of an earlier task of the same template: the previous
    period, whose answers pre-fill the form and against which large changes are explained."""
    earlier = ReportAssignment.objects.filter(
        task__template_id=assignment.task.template_id,
        task__status=TaskStatus.PUBLISHED,
        institution_id=assignment.institution_id,
        subject_type_id=assignment.subject_type_id,
        subject_id=assignment.subject_id,
        status__in=HANDED_IN,
        task__due_on__lt=assignment.task.due_on,
    ).exclude(pk=assignment.pk)
    return earlier.select_related("task").order_by("-task__due_on", "-pk").first()


def previous_values(*, assignment: ReportAssignment) -> dict[str, Any]:
    previous = previous_assignment(assignment=assignment)
    return dict(previous.submitted_values) if previous else {}


@dataclass(frozen=True)
class Answer:
    """One field of an assignment as a page shows it: its answer, last period's and the explanation."""

    spec: schema.FieldSpec
    value: str
    previous: str
    explanation: str
    changed: bool


def answers_of(assignment: ReportAssignment, *, previous: dict[str, Any] | None = None) -> list[Answer]:
    """What was handed in (the read-only page and the regulators' view), never the working copy."""
    previous = previous_values(assignment=assignment) if previous is None else previous
    values = assignment.submitted_values or {}
    explanations = assignment.submitted_explanations or {}
    return [
        Answer(
            spec=spec,
            value=schema.display(spec, values.get(spec.key)),
            previous=schema.display(spec, previous.get(spec.key)) if spec.key in previous else "",
            explanation=explanations.get(spec.key, ""),
            changed=schema.needs_explanation(spec, values.get(spec.key), previous.get(spec.key)),
        )
        for spec in schema.specs_of(assignment.task.schema)
    ]


# --- The regulators' side ---------------------------------------------------------------------------


def tasks_visible_to(queryset: QuerySet[ReportTask], *, user: Any) -> QuerySet[ReportTask]:
    """Tasks issued in the regulator's jurisdiction, and those issued above it (a city bureau follows the
    province's tasks for its city)."""
    scope = getattr(user, "region_scope", None)
    if not scope or not user.is_active:
        return queryset.none()
    return queryset.filter(
        Q(pk__in=in_scope(ReportTask.objects.all(), scope, "region_code").values("pk"))
        | Q(region_code__in=jurisdictions_over(scope))
    )


def may_manage_task(task: ReportTask, *, user: Any) -> bool:
    """Whether the regulator may edit or publish the task: it was issued within their jurisdiction."""
    scope = getattr(user, "region_scope", None)
    return bool(scope) and in_scope(ReportTask.objects.filter(pk=task.pk), scope, "region_code").exists()


def task_assignments(*, task: ReportTask, user: Any) -> QuerySet[ReportAssignment]:
    """The task's assignments in the regulator's jurisdiction."""
    return regulator_scoped(task.assignments.all(), user=user, region_field=REGION_FIELD)


def scoped_assignments(*, user: Any) -> QuerySet[ReportAssignment]:
    """Every assignment in the regulator's jurisdiction (for counts beside a list of tasks)."""
    return regulator_scoped(ReportAssignment.objects.all(), user=user, region_field=REGION_FIELD).values("pk")


def target_names(chosen: list[Any]) -> list[str]:
    """The names of a few targets (reporting.targets.Target) for a preview, in their order (one query)."""
    names = dict(
        Institution.objects.filter(pk__in={t.institution_id for t in chosen}).values_list("pk", "name")
    )
    return [t.subject_name or names.get(t.institution_id, "") for t in chosen]


@dataclass
class CompletionRow:
    """One line of a task's completion table (a city, or the total)."""

    code: str
    name: str
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def handed_in(self) -> int:
        return self.counts[S.SUBMITTED] + self.counts[S.ACCEPTED]

    @property
    def rate(self) -> str:
        return f"{self.handed_in * 100 / self.total:.1f}%" if self.total else "—"

    def count(self, status: str) -> int:
        return self.counts[status]


def task_completion(*, task: ReportTask, user: Any) -> tuple[list[CompletionRow], CompletionRow]:
    """Per city of the regulator's jurisdiction, the task's assignments by state (one query), and the
    total."""
    rows: dict[str, CompletionRow] = {}
    total = CompletionRow("", "合计")
    counted = (
        task_assignments(task=task, user=user)
        .order_by()
        .values_list("institution__region_code", "status")
        .annotate(n=Count("pk"))
    )
    for region_code, status, n in counted:
        city = city_code_of(region_code)
        row = rows.setdefault(city, CompletionRow(city, CITIES.get(city, "省直属")))
        row.counts[status] += n
        total.counts[status] += n
    ordered = sorted(rows.values(), key=lambda row: row.code)
    return ordered, total


def export_assignments(*, task: ReportTask, user: Any) -> QuerySet[ReportAssignment]:
    return (
        task_assignments(task=task, user=user)
        .select_related("institution")
        # The working copy is the institution's own; the export reads what was handed in.
        .defer("values", "explanations")
        .order_by("institution__region_code", "institution__name", "subject_name", "pk")
    )
