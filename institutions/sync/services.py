"""One run of the sync with the qualification-approval system, from the first page to the watermark.

Each page is applied in its own transaction, so a failure on page 7 keeps pages 1–6; the incremental
watermark (SyncState) advances to the first page's generated_at only after a run that reached its end
(succeeded, or partial: some records skipped). A failed run leaves the watermark where it was, so the
next run asks again for everything the failed one may have missed.
"""

from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sujt.core.dates import format_datetime

from ..choices import SyncMode, SyncStatus
from ..models import SyncRun, SyncState
from ..tasks import search_index_update_task
from .client import PermanentSyncError, QualificationClient, SyncError, TransientSyncError, read_file
from .engine import SeenIds, apply_page, withdraw_unseen

STATE_KEY = "qualification"
# How long a run's lock outlives its last sign of life: far longer than one page takes.
SYNC_LOCK_SECONDS = 30 * 60
COUNTERS = ("pages", "created", "updated", "unchanged", "withdrawn", "failed", "accounts_created")


def _generated_at(page: dict) -> datetime | None:
    value = page.get("generated_at")
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise PermanentSyncError(f"第一页的 generated_at（{value}）不是有效的 ISO-8601 时间。") from error
    if timezone.is_naive(moment):
        raise PermanentSyncError(f"第一页的 generated_at（{value}）缺少时区。")
    return moment


def _run_fail(run: SyncRun, *, message: str, page: int | None) -> None:
    # Counters and errors as committed: a page rolled back by the failure must not be counted.
    run.refresh_from_db(fields=[*COUNTERS, "errors"])
    run.errors = [*run.errors, {"page": page, "message": message} if page else {"message": message}]
    run.status = SyncStatus.FAILED
    run.finished_at = timezone.now()
    run.save(update_fields=["errors", "status", "finished_at"])


def _lock_take(*, state: SyncState, run: SyncRun) -> bool:
    """Takes (or renews) the one-run-at-a-time lock for `run`; False while another run holds it."""
    now = timezone.now()
    free = Q(locked_by__isnull=True) | Q(locked_until__lt=now) | Q(locked_by=run)
    return bool(
        SyncState.objects.filter(pk=state.pk)
        .filter(free)
        .update(locked_by=run, locked_until=now + timedelta(seconds=SYNC_LOCK_SECONDS))
    )


def _lock_release(*, state: SyncState, run: SyncRun) -> None:
    SyncState.objects.filter(pk=state.pk, locked_by=run).update(locked_by=None, locked_until=None)


def _run_refuse(run: SyncRun, *, state: SyncState) -> SyncRun:
    holder = SyncState.objects.select_related("locked_by").get(pk=state.pk).locked_by
    since = f"（开始于 {format_datetime(holder.started_at)}）" if holder else ""
    run.errors = [{"message": f"另一次同步正在进行{since}，本次未执行；请在它结束后再同步。"}]
    run.status = SyncStatus.FAILED
    run.finished_at = timezone.now()
    run.save(update_fields=["errors", "status", "finished_at"])
    return run


def _watermark_advance(*, run: SyncRun) -> None:
    """Moves the watermark forward to the run's (never backwards, e.g. past a slower concurrent run)."""
    state = SyncState.objects.get(key=STATE_KEY)
    if run.watermark is not None:
        SyncState.objects.filter(pk=state.pk).filter(
            Q(watermark__isnull=True) | Q(watermark__lt=run.watermark)
        ).update(watermark=run.watermark)
    SyncState.objects.filter(pk=state.pk).update(last_success=run)


def sync_qualifications(*, mode: str, file: str | None = None, triggered_by=None) -> SyncRun:
    """Runs one sync and returns its finished SyncRun.

    mode: "incremental" (changes since the watermark), "full" (a snapshot: what it does not mention is
    marked withdrawn) or "file" (an offline import of the same JSON, applied like an incremental run;
    it does not move the watermark). Runs do not overlap: while one holds the lock, another is recorded
    as failed without reading anything. Raises TransientSyncError after recording the failed run, so the
    Celery task retries (each attempt is a run of its own); a PermanentSyncError is recorded, not raised.
    """
    if file is not None:
        mode = SyncMode.FILE
    if mode not in SyncMode.values:
        raise ValueError(f"unknown sync mode {mode!r}")
    if mode == SyncMode.FILE and file is None:
        raise ValueError("the file mode needs a file")
    full = mode == SyncMode.FULL
    state, _created = SyncState.objects.get_or_create(key=STATE_KEY)
    client = None if file is not None else QualificationClient()
    run = SyncRun.objects.create(
        mode=mode,
        source=Path(file).name if file is not None else client.endpoint,
        updated_since=state.watermark if mode == SyncMode.INCREMENTAL else None,
        triggered_by=triggered_by,
    )
    if not _lock_take(state=state, run=run):
        return _run_refuse(run, state=state)
    try:
        _run(run, state=state, client=client, file=file, full=full)
    finally:
        _lock_release(state=state, run=run)
    if mode != SyncMode.FILE and run.status != SyncStatus.FAILED:
        _watermark_advance(run=run)
    return run


SEARCH_INDEX_TASK_INSTITUTIONS = 100


def _batches(values: list[int], size: int) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def _run(
    run: SyncRun, *, state: SyncState, client: QualificationClient | None, file: str | None, full: bool
) -> None:
    """Reads and applies every page of `run` (holding the lock), then finishes the run's record."""
    seen = SeenIds() if full else None
    touched: set[int] = set()  # institutions whose data changed: their search rows are rebuilt at the end
    try:
        _pages_apply(run, state=state, client=client, file=file, full=full, seen=seen, touched=touched)
    finally:
        # After the pages' commits, also when a later page failed: what was committed becomes searchable.
        # On the worker, a batch of institutions per task: rebuilding 200,000 capabilities' search rows
        # takes longer than applying them, and the sync's own time must not grow with it (eager Celery
        # without a broker runs them here, one after the other).
        for chunk in _batches(sorted(touched), SEARCH_INDEX_TASK_INSTITUTIONS):
            search_index_update_task.delay(chunk)


def _pages_apply(
    run: SyncRun,
    *,
    state: SyncState,
    client: QualificationClient | None,
    file: str | None,
    full: bool,
    seen: SeenIds | None,
    touched: set[int],
) -> None:
    failing_page: int | None = 1  # the page being read or applied; None while withdrawing
    try:
        pages = (
            read_file(file) if file is not None else client.pages(full=full, updated_since=run.updated_since)
        )
        for number, page in enumerate(pages, 1):
            if number == 1 and file is None:
                run.watermark = _generated_at(page)
            with transaction.atomic():
                apply_page(run=run, records=page["results"], full=full, seen=seen, touched=touched)
                run.pages += 1
                run.save()
            _lock_take(state=state, run=run)
            failing_page = number + 1
        if full:
            failing_page = None
            with transaction.atomic():
                withdraw_unseen(run=run, seen=seen, touched=touched)
                run.save()
    except TransientSyncError as error:
        _run_fail(run, message=str(error), page=failing_page)
        error.run = run  # for callers that report the failed run (the command)
        raise
    except SyncError as error:
        _run_fail(run, message=str(error), page=failing_page)
        return
    except Exception as error:
        _run_fail(run, message=f"同步意外中断：{type(error).__name__}: {error}", page=failing_page)
        raise
    run.status = SyncStatus.PARTIAL if run.failed else SyncStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
