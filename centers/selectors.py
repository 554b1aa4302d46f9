"""Reads of module 04, filtered by the institution: another institution's center, application or file
does not exist here (404)."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from institutions.models import Institution
from sujt.accounts.permissions import institution_ids_for
from sujt.core.attachments import attachments_of
from sujt.core.choices import ReviewStatus
from sujt.core.models import Attachment

from .choices import CenterStatus
from .models import (
    PERMISSION,
    AcceptanceApplication,
    Center,
    CenterRegistration,
    ConstructionApplication,
    ProgressEntry,
    ProgressReport,
    TaskBook,
    TaskIndicator,
)

APPLICATION_MODELS = (
    ConstructionApplication,
    CenterRegistration,
    TaskBook,
    ProgressReport,
    AcceptanceApplication,
)


def centers_enabled(institution: Institution) -> bool:
    """Module 04 exists for an institution a regulator enabled it for (Institution.centers_enabled)."""
    return bool(getattr(institution, "centers_enabled", False))


def institution_ids_managing(*, user) -> QuerySet:
    """Ids of the enabled institutions where `user` may manage centers."""
    return Institution.objects.filter(
        pk__in=institution_ids_for(user=user, perm=PERMISSION), centers_enabled=True
    ).values("pk")


def centers_for(*, user) -> QuerySet[Center]:
    """The centers of every institution where `user` manages centers (the dashboard's to-dos)."""
    return Center.objects.filter(institution_id__in=institution_ids_managing(user=user)).select_related(
        "institution"
    )


# --- One institution's rows ----------------------------------------------------------------------


def centers_of(*, institution_id: int) -> QuerySet[Center]:
    return Center.objects.filter(institution_id=institution_id).select_related("task_book")


def center_get(*, institution_id: int, pk: int) -> Center:
    return get_object_or_404(centers_of(institution_id=institution_id), pk=pk)


def construction_applications_of(*, institution_id: int) -> QuerySet[ConstructionApplication]:
    return ConstructionApplication.objects.filter(institution_id=institution_id).select_related("center")


def construction_application_get(*, institution_id: int, pk: int) -> ConstructionApplication:
    return get_object_or_404(construction_applications_of(institution_id=institution_id), pk=pk)


def registrations_of(*, institution_id: int) -> QuerySet[CenterRegistration]:
    return CenterRegistration.objects.filter(institution_id=institution_id).select_related("center")


def registration_get(*, institution_id: int, pk: int) -> CenterRegistration:
    return get_object_or_404(registrations_of(institution_id=institution_id), pk=pk)


def task_books_of(*, institution_id: int) -> QuerySet[TaskBook]:
    return TaskBook.objects.filter(institution_id=institution_id).select_related("center", "based_on")


def task_book_get(*, institution_id: int, pk: int) -> TaskBook:
    return get_object_or_404(task_books_of(institution_id=institution_id), pk=pk)


def progress_reports_of(*, institution_id: int) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(institution_id=institution_id).select_related("center", "task_book")


def progress_report_get(*, institution_id: int, pk: int) -> ProgressReport:
    return get_object_or_404(progress_reports_of(institution_id=institution_id), pk=pk)


def acceptance_applications_of(*, institution_id: int) -> QuerySet[AcceptanceApplication]:
    return AcceptanceApplication.objects.filter(institution_id=institution_id).select_related(
        "center", "task_book"
    )


def acceptance_application_get(*, institution_id: int, pk: int) -> AcceptanceApplication:
    return get_object_or_404(acceptance_applications_of(institution_id=institution_id), pk=pk)


def file_get(*, institution_id: int, pk: int) -> Attachment:
    """A file of one of the institution's applications; anything else (another institution's, another
    module's) is a 404."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    model = attachment.content_type.model_class()
    if (
        model not in APPLICATION_MODELS
        or not model._default_manager.filter(pk=attachment.object_id, institution_id=institution_id).exists()
    ):
        raise Http404("not a file of this institution's centers")
    return attachment


def files_of(owner, purpose: str) -> QuerySet[Attachment]:
    return attachments_of(owner, purpose=purpose)


# --- A center's page --------------------------------------------------------------------------------


@dataclass
class IndicatorProgress:
    """An indicator of the current task book, with its latest approved figure (and a newer one under
    review, if any)."""

    indicator: TaskIndicator
    percent: int
    actual_value: Decimal | None
    reported_on: datetime.date | None
    pending_percent: int | None

    @property
    def days_left(self) -> int:
        return (self.indicator.due_on - timezone.localdate()).days


def indicator_progress(center: Center) -> list[IndicatorProgress]:
    """The current task book's indicators with their progress (two queries; none without a task book).
    Progress follows an indicator's number across task-book versions."""
    if center.task_book_id is None:
        return []
    indicators = list(TaskIndicator.objects.filter(task_book_id=center.task_book_id).order_by("number"))
    entries = (
        ProgressEntry.objects.filter(
            report__center=center,
            report__status__in=(ReviewStatus.APPROVED, ReviewStatus.SUBMITTED),
            indicator__number__in=[i.number for i in indicators],
        )
        .select_related("report", "indicator")
        .order_by("-report__submitted_at", "-report_id")
    )
    approved: dict[int, ProgressEntry] = {}
    pending: dict[int, ProgressEntry] = {}
    for entry in entries:
        bucket = approved if entry.report.status == ReviewStatus.APPROVED else pending
        bucket.setdefault(entry.indicator.number, entry)
    rows = []
    for indicator in indicators:
        done = approved.get(indicator.number)
        waiting = pending.get(indicator.number)
        rows.append(
            IndicatorProgress(
                indicator=indicator,
                percent=done.percent if done else 0,
                actual_value=done.actual_value if done else None,
                reported_on=timezone.localtime(done.report.submitted_at).date()
                if done and done.report.submitted_at
                else None,
                pending_percent=waiting.percent
                if waiting and (not done or waiting.report.submitted_at > done.report.submitted_at)
                else None,
            )
        )
    return rows


def overall_percent(rows: list[IndicatorProgress]) -> int:
    """The mean of the indicators' shares (0 without indicators)."""
    return mean_percent([row.percent for row in rows])


def mean_percent(shares: list[int]) -> int:
    """The mean of whole percentages, rounded half up (62.5 → 63, as people round)."""
    if not shares:
        return 0
    return int((Decimal(sum(shares)) / len(shares)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- The regulators' export ------------------------------------------------------------------------


def centers_for_export(queryset: QuerySet[Center]) -> QuerySet[Center]:
    return queryset.select_related("institution", "task_book")


LIVE = (CenterStatus.BUILDING, CenterStatus.ACCEPTANCE, CenterStatus.FAILED, CenterStatus.OVERDUE)


def overall_progress_of(centers: list[Center]) -> dict[int, int]:
    """{center id: mean share done of its current task book's indicators}, for lists and exports (two
    queries whatever the number of centers)."""
    book_ids = {center.task_book_id: center.pk for center in centers if center.task_book_id}
    if not book_ids:
        return {}
    indicators: dict[int, dict[int, int]] = {}  # center → {number: 0}
    for book_id, number in TaskIndicator.objects.filter(task_book_id__in=book_ids).values_list(
        "task_book_id", "number"
    ):
        indicators.setdefault(book_ids[book_id], {})[number] = 0
    seen: set[tuple[int, int]] = set()
    entries = (
        ProgressEntry.objects.filter(
            report__center_id__in=list(indicators), report__status=ReviewStatus.APPROVED
        )
        .order_by("-report__submitted_at", "-report_id")
        .values_list("report__center_id", "indicator__number", "percent")
    )
    for center_id, number, percent in entries:
        numbers = indicators[center_id]
        if number in numbers and (center_id, number) not in seen:
            seen.add((center_id, number))
            numbers[number] = percent
    return {center_id: mean_percent(list(n.values())) for center_id, n in indicators.items() if n}


def status_counts(*, institution_id: int) -> dict[str, int]:
    """How many of the institution's centers are in each state (the list's tabs)."""
    rows = (
        Center.objects.filter(institution_id=institution_id)
        .order_by()
        .values("status")
        .annotate(total=Count("pk"))
    )
    return {row["status"]: row["total"] for row in rows}
