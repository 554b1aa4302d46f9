"""任务书 and 任务书变更申请 (the common review, one regulator step), and 筹建进展报告.

- The first task book is filled once construction is approved, while the center has none approved;
  approval makes it version 1 (the 任务书 deadline is then met).
- A change application starts from the current version: indicators kept keep their number (progress
  follows them), new ones get the next free number; a reason is required and a new construction
  deadline is optional. Approval makes it the next version; a new deadline moves the center's, and a
  center 筹建超期 whose new deadline lies ahead is 筹建中 again. Earlier versions stay as they were.
- A progress report gives, against the current version's indicators, the value reached and the share
  done (computed from the target when left blank), a narrative and files; a regulator reviews it.
"""

import datetime
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sujt.core.choices import ReviewStatus
from sujt.core.dates import format_date
from sujt.core.workflow import InvalidTransition, Side, transition

from ..choices import CenterStatus, TaskBookKind
from ..models import Center, ProgressEntry, ProgressReport, TaskBook, TaskIndicator
from .common import PROGRESS_RULE, files_update, locked, rows_checked, rows_replace

S = ReviewStatus
OPEN = (S.DRAFT, S.SUBMITTED, S.RETURNED)
INDICATOR_FIELDS = ("name", "target_value", "unit", "due_on")


# --- What may be started now ---------------------------------------------------------------------


def taskbook_refusal(center: Center, *, kind: str) -> str:
    """Why the institution cannot start a task book of `kind` for `center` now ("" when it can)."""
    if not center.under_construction:
        return f"中心当前状态为「{center.get_status_display()}」，只有筹建中的中心可以填报任务书或申请变更。"
    open_rows = TaskBook.objects.filter(center=center, status__in=OPEN)
    if kind == TaskBookKind.INITIAL:
        if center.task_book_id is not None:
            return "任务书已审核通过。如需调整指标或期限，请提交任务书变更申请。"
        if open_rows.exists():
            return "任务书已在填报或审核中，请在原任务书上继续。"
        return ""
    if center.task_book_id is None:
        return "任务书审核通过后才能申请变更。"
    if open_rows.exists():
        return "已有任务书变更申请在填报或审核中，请在原申请上继续。"
    return ""


def _numbered(
    rows: Sequence[Mapping[str, Any]], *, task_book: TaskBook, base: TaskBook | None
) -> list[tuple[int, Mapping[str, Any]]]:
    """Each row with its indicator number: a row naming a number of the base version keeps it, the
    others take the next numbers no other version of this center used."""
    kept = set(base.indicators.values_list("number", flat=True)) if base else set()
    others = TaskIndicator.objects.filter(task_book__center_id=task_book.center_id)
    if task_book.pk:
        others = others.exclude(task_book=task_book)
    used = others.aggregate(top=Max("number"))["top"] or 0
    numbered, seen = [], set()
    for row in rows:
        number = row.get("number")
        if number in kept and number not in seen:
            seen.add(number)
        else:
            used += 1
            number = used
        numbered.append((number, row))
    return numbered


def _check_indicators(
    rows: Sequence[Mapping[str, Any]], *, deadline: datetime.date | None, submit: bool
) -> None:
    if submit and not rows:
        raise ValidationError({"indicators": "请至少填写一项任务书指标。"})
    if deadline is None:
        return
    late = [row["name"] for row in rows if row["due_on"] > deadline]
    if late:
        names = "」「".join(late[:3])
        raise ValidationError(
            {"indicators": f"指标「{names}」的完成期限晚于筹建及验收期限 {format_date(deadline)}。"}
        )


def _same_as(base: TaskBook, rows: Sequence[tuple[int, Mapping[str, Any]]]) -> bool:
    current = {i.number: (i.name, i.target_value, i.unit, i.due_on) for i in base.indicators.all()}
    proposed = {number: tuple(row[f] for f in INDICATOR_FIELDS) for number, row in rows}
    return current == proposed


def taskbook_save(
    *,
    center: Center,
    by: Any,
    indicators: Sequence[Mapping[str, Any]],
    kind: str = TaskBookKind.INITIAL,
    reason: str = "",
    construction_due_on: datetime.date | None = None,
    task_book: TaskBook | None = None,
    submit: bool = False,
    today: datetime.date | None = None,
) -> TaskBook:
    """Creates or changes a draft (or returned) task book or change application with its indicators
    (replaced as given: name, target_value, unit, due_on, and for a change the `number` of a kept
    indicator); with `submit`, hands it in. ValidationError keyed by field; nothing is kept then."""
    today = today or timezone.localdate()
    indicators = rows_checked(indicators, noun="任务书指标", field="indicators")
    with transaction.atomic():
        center = locked(center)
        if task_book is None:
            refusal = taskbook_refusal(center, kind=kind)
            if refusal:
                raise InvalidTransition(refusal)
            task_book = TaskBook(
                center=center,
                institution_id=center.institution_id,
                kind=kind,
                based_on_id=center.task_book_id if kind == TaskBookKind.CHANGE else None,
                applicant=by,
            )
        else:
            task_book = locked(task_book)
            if not task_book.is_editable_by_institution:
                raise InvalidTransition(
                    f"该{task_book.get_kind_display()}当前状态为「{task_book.get_status_display()}」，不能修改。"
                )
        change = task_book.kind == TaskBookKind.CHANGE
        task_book.reason = (reason or "").strip() if change else ""
        task_book.construction_due_on = construction_due_on if change else None
        if change and construction_due_on is not None and construction_due_on <= today:
            raise ValidationError({"construction_due_on": "变更后的筹建及验收期限应晚于今天。"})
        task_book.full_clean(exclude=["status"])
        deadline = (task_book.construction_due_on if change else None) or center.construction_due_on
        _check_indicators(indicators, deadline=deadline, submit=submit)
        base = task_book.based_on if change else None
        numbered = _numbered(indicators, task_book=task_book, base=base)
        if submit and change and construction_due_on is None and _same_as(base, numbered):
            raise ValidationError(
                {"indicators": "变更内容与现行任务书相同：请修改指标，或填写变更后的期限。"}
            )
        task_book.save()
        rows_replace(
            old=task_book.indicators.all(),
            model=TaskIndicator,
            by=by,
            new=(
                TaskIndicator(task_book=task_book, number=number, **{f: row[f] for f in INDICATOR_FIELDS})
                for number, row in numbered
            ),
        )
        if submit:
            taskbook_submit(task_book=task_book, by=by)
    task_book.refresh_from_db()
    return task_book


def taskbook_submit(*, task_book: TaskBook, by: Any) -> None:
    """Hands a draft (or returned) task book or change in: one indicator at least, a change's reason."""
    with transaction.atomic():
        task_book = locked(task_book)
        if not task_book.indicators.exists():
            raise ValidationError({"indicators": "请至少填写一项任务书指标。"})
        task_book.full_clean(exclude=["status"])
        name = "resubmit" if task_book.status == S.RETURNED else "submit"
        transition(obj=task_book, name=name, by=by, side=Side.INSTITUTION)


def taskbook_approve(
    *,
    task_book: TaskBook,
    by: Any,
    comment: str = "",
    side: str | None = None,
    today: datetime.date | None = None,
) -> None:
    """Approval makes the task book the center's current version (numbered next); a change's new deadline
    moves the center's, and takes a center 筹建超期 back to 筹建中 when it lies ahead."""
    today = today or timezone.localdate()
    with transaction.atomic():
        transition(obj=task_book, name="approve", by=by, comment=comment, side=side)
        center = locked(task_book.center)
        version = (TaskBook.objects.filter(center=center).aggregate(top=Max("version"))["top"] or 0) + 1
        TaskBook.objects.filter(pk=task_book.pk).update(version=version)
        changes: dict[str, Any] = {"task_book": task_book}
        if task_book.construction_due_on:
            changes["construction_due_on"] = task_book.construction_due_on
        Center.objects.filter(pk=center.pk).update(**changes)
        if (
            task_book.construction_due_on
            and task_book.construction_due_on >= today
            and center.status == CenterStatus.OVERDUE
        ):
            transition(obj=center, name="extend", by=by, side=Side.SYSTEM)
        task_book.refresh_from_db()


def taskbook_withdraw(*, task_book: TaskBook, by: Any) -> None:
    transition(obj=task_book, name="withdraw", by=by, side=Side.INSTITUTION)


# --- 筹建进展报告 ----------------------------------------------------------------------------------


def progress_refusal(center: Center) -> str:
    if not center.under_construction:
        return f"中心当前状态为「{center.get_status_display()}」，只有筹建中的中心可以上报筹建进展。"
    if center.task_book_id is None:
        return "任务书审核通过后才能上报筹建进展。"
    return ""


def share_done(actual: Decimal, target: Decimal) -> int:
    """完成比例 (0–100) of `actual` against `target`."""
    if target <= 0:
        return 100 if actual >= target else 0
    share = (Decimal(actual) / Decimal(target) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return int(min(max(share, Decimal(0)), Decimal(100)))


def progress_save(
    *,
    center: Center,
    by: Any,
    narrative: str,
    entries: Sequence[Mapping[str, Any]],
    files: Sequence[UploadedFile] = (),
    remove_files: Sequence[int] = (),
    report: ProgressReport | None = None,
    submit: bool = False,
) -> ProgressReport:
    """Creates or changes a draft (or returned) progress report against the center's current task book:
    `entries` are {indicator_id, actual_value, percent (None: computed), note}; rows for indicators of
    another version are refused. With `submit`, hands it in (one indicator's figure at least)."""
    entries = rows_checked(entries, noun="指标进展", field="entries")
    with transaction.atomic():
        center = locked(center)
        if report is None:
            refusal = progress_refusal(center)
            if refusal:
                raise InvalidTransition(refusal)
            report = ProgressReport(center=center, institution_id=center.institution_id, applicant=by)
        else:
            report = locked(report)
            if not report.is_editable_by_institution:
                raise InvalidTransition(f"该进展报告当前状态为「{report.get_status_display()}」，不能修改。")
            if center.task_book_id is None:
                raise InvalidTransition(progress_refusal(center))
        report.task_book_id = center.task_book_id
        report.narrative = (narrative or "").strip()
        report.full_clean(exclude=["status"])
        indicators = {i.pk: i for i in TaskIndicator.objects.filter(task_book_id=center.task_book_id)}
        if any(row["indicator_id"] not in indicators for row in entries):
            raise ValidationError({"entries": "任务书已变更，请按现行任务书的指标重新填写。"})
        if submit and not entries:
            raise ValidationError({"entries": "请至少填写一项指标的完成情况。"})
        report.save()
        rows_replace(
            old=report.entries.all(),
            model=ProgressEntry,
            by=by,
            new=(
                ProgressEntry(
                    report=report,
                    indicator_id=row["indicator_id"],
                    actual_value=row["actual_value"],
                    percent=row["percent"]
                    if row.get("percent") is not None
                    else share_done(row["actual_value"], indicators[row["indicator_id"]].target_value),
                    note=(row.get("note") or "").strip(),
                )
                for row in entries
            ),
        )
        files_update(owner=report, rule=PROGRESS_RULE, files=files, remove=remove_files, by=by, field="files")
        if submit:
            progress_submit(report=report, by=by)
    report.refresh_from_db()
    return report


def progress_submit(*, report: ProgressReport, by: Any) -> None:
    """Hands a draft (or returned) progress report in: figures of the current task book, one at least."""
    with transaction.atomic():
        report = locked(report)
        if report.task_book_id != Center.objects.get(pk=report.center_id).task_book_id:
            raise ValidationError({"entries": "任务书已变更，请按现行任务书的指标修改后再提交。"})
        if not report.entries.exists():
            raise ValidationError({"entries": "请至少填写一项指标的完成情况。"})
        name = "resubmit" if report.status == S.RETURNED else "submit"
        transition(obj=report, name=name, by=by, side=Side.INSTITUTION)


def progress_withdraw(*, report: ProgressReport, by: Any) -> None:
    transition(obj=report, name="withdraw", by=by, side=Side.INSTITUTION)
