"""中心管理 › one center: its facts and clock, the current task book's indicators with their progress, what
the institution may do next, and every application about it. And the download of an application's file.
Everything comes through the institution's selectors: another institution's center or file is a 404."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from sujt.core.charts import progress_bars_svg
from sujt.core.choices import ReviewStatus
from sujt.core.views import private_file_response
from sujt.core.workflow import transitions_of

from .. import selectors, services
from ..access import centers_member_required
from ..choices import TaskBookKind
from ..models import Center
from .common import Action


def next_actions(center: Center) -> list[Action]:
    """What the institution may start for the center now; each refusal rule lives in its service."""
    actions = []
    if not services.taskbook_refusal(center, kind=TaskBookKind.INITIAL):
        actions.append(
            Action("填写任务书", reverse("centers:taskbook_create", args=[center.pk]), primary=True)
        )
    if not services.progress_refusal(center):
        actions.append(
            Action("上报筹建进展", reverse("centers:progress_create", args=[center.pk]), primary=True)
        )
    if not services.taskbook_refusal(center, kind=TaskBookKind.CHANGE):
        actions.append(Action("申请变更任务书", reverse("centers:taskbook_change", args=[center.pk])))
    if not services.acceptance_refusal(center):
        actions.append(Action("申请验收", reverse("centers:acceptance_create", args=[center.pk])))
    return actions


OPEN_STATES = {ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.RETURNED}


def _days(day):
    return (day - timezone.localdate()).days if day else None


@require_safe
@centers_member_required
def center_detail(request: HttpRequest, pk: int) -> HttpResponse:
    center = selectors.center_get(institution_id=request.institution.pk, pk=pk)
    progress = selectors.indicator_progress(center)
    chart = (
        progress_bars_svg(
            [
                (
                    row.indicator.name,
                    row.percent,
                    "" if row.pending_percent is None else f"另有待审核的进展：{row.pending_percent}%",
                )
                for row in progress
            ],
            title="各指标完成比例（已审核通过的进展）",
            id_prefix=f"center-{center.pk}-progress",
            label_chars=22,
        )
        if progress
        else ""
    )
    institution_id = request.institution.pk
    task_books = list(selectors.task_books_of(institution_id=institution_id).filter(center=center))
    context = {
        "center": center,
        "progress": progress,
        "overall": selectors.overall_percent(progress),
        "chart": chart,
        # 任务书提交期限 runs until a task book is approved, while the center is being built.
        "task_book_days": _days(center.task_book_due_on)
        if center.task_book_id is None and center.under_construction
        else None,
        "construction_days": _days(center.construction_due_on) if center.under_construction else None,
        "actions": next_actions(center),
        "task_books": task_books,
        # The first task book on its way (draft, returned or under review): the page points to it.
        "open_task_book": next(
            (book for book in task_books if book.kind == TaskBookKind.INITIAL and book.status in OPEN_STATES),
            None,
        ),
        "progress_reports": selectors.progress_reports_of(institution_id=institution_id).filter(
            center=center
        ),
        "acceptances": selectors.acceptance_applications_of(institution_id=institution_id).filter(
            center=center
        ),
        "constructions": selectors.construction_applications_of(institution_id=institution_id).filter(
            center=center
        ),
        "registrations": selectors.registrations_of(institution_id=institution_id).filter(center=center),
        "transitions": transitions_of(center),
    }
    return render(request, "centers/center_detail.html", context)


@require_safe
@centers_member_required
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    return private_file_response(selectors.file_get(institution_id=request.institution.pk, pk=pk))
