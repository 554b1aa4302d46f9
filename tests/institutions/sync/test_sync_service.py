"""One sync run end to end against the fake approval system over HTTP: the run's bookkeeping, the
watermark, retries through the Celery task, failures that lose nothing."""

import contextlib
import json
from datetime import datetime

import pytest

from institutions.choices import SyncMode, SyncStatus
from institutions.models import Capability, Certificate, Institution, SyncRun, SyncState
from institutions.sync.client import TransientSyncError
from institutions.sync.services import sync_qualifications
from institutions.tasks import sync_qualifications_task
from sujt.accounts.models import Membership
from sujt.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def retries_chained():
    """Eager tasks whose failures are results, not exceptions: a retry then runs the next attempt in
    place (Celery's eager retry), as a worker would after the backoff."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        celery_app.conf.task_eager_propagates = propagates


def watermark() -> datetime | None:
    state = SyncState.objects.filter(key="qualification").first()
    return state.watermark if state else None


def history_rows() -> int:
    return Institution.history.count() + Capability.history.count() + Certificate.history.count()


def test_first_run_fills_an_empty_database_and_advances_the_watermark(fake_api, province_regulator):
    run = sync_qualifications(mode=SyncMode.INCREMENTAL, triggered_by=province_regulator)

    assert run.status == SyncStatus.SUCCEEDED, run.errors
    assert (run.pages, run.failed, run.errors) == (3, 0, [])
    assert run.updated_since is None
    assert run.triggered_by == province_regulator
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert run.source == f"{fake_api.url}/api/v1/institutions"
    assert Institution.objects.filter(source_id__startswith="INS-").count() == 12
    assert Capability.objects.count() == 12 * 5
    assert run.created == 12  # institutions
    assert run.accounts_created == 12
    assert Membership.objects.filter(institution__source_id__startswith="INS-").count() == 12
    assert run.watermark is not None
    assert watermark() == run.watermark
    state = SyncState.objects.get()
    assert state.last_success == run


def test_a_second_run_changes_nothing(fake_api):
    sync_qualifications(mode=SyncMode.INCREMENTAL)
    rows = history_rows()

    again = sync_qualifications(mode=SyncMode.INCREMENTAL)
    assert again.updated_since is not None
    assert (again.status, again.created, again.updated, again.withdrawn) == (SyncStatus.SUCCEEDED, 0, 0, 0)
    full = sync_qualifications(mode=SyncMode.FULL)
    assert (full.status, full.created, full.updated, full.withdrawn, full.failed) == (
        SyncStatus.SUCCEEDED, 0, 0, 0, 0,
    )  # fmt: skip
    assert full.unchanged == 12
    assert history_rows() == rows


def test_incremental_run_fetches_only_what_changed_since_the_watermark(fake_api):
    first = sync_qualifications(mode=SyncMode.INCREMENTAL)
    fake_api.mutate("INS-000003", lambda record: record["capabilities"][0].update(item="新参数"))
    fake_api.requests.clear()

    run = sync_qualifications(mode=SyncMode.INCREMENTAL)

    assert run.updated_since == first.watermark
    assert "updated_since=" in fake_api.requests[0]
    assert (run.status, run.created, run.updated) == (SyncStatus.SUCCEEDED, 0, 1)
    assert Capability.objects.get(source_id="INS-000003-CAP-0001").item == "新参数"
    assert watermark() == run.watermark > first.watermark


def test_full_snapshot_marks_what_it_does_not_mention_withdrawn(fake_api):
    sync_qualifications(mode=SyncMode.INCREMENTAL)
    fake_api.drop("INS-000004")

    run = sync_qualifications(mode=SyncMode.FULL)

    assert run.status == SyncStatus.SUCCEEDED
    assert run.withdrawn >= 1
    assert Institution.objects.get(source_id="INS-000004").withdrawn_at is not None
    assert Institution.objects.filter(withdrawn_at__isnull=True).count() == 11


def test_a_failure_on_a_later_page_keeps_the_applied_pages_and_the_watermark(fake_api):
    fake_api.script(None, 503)  # page 1 served, page 2 fails

    with pytest.raises(TransientSyncError):
        sync_qualifications(mode=SyncMode.INCREMENTAL)

    run = SyncRun.objects.get()
    assert run.status == SyncStatus.FAILED
    assert run.pages == 1 and run.finished_at is not None
    assert run.errors == [{"page": 2, "message": "资质认定审批系统暂时不可用（HTTP 503），稍后将自动重试。"}]
    assert Institution.objects.count() == 5  # the first page (page_size 5) is kept
    assert watermark() is None

    retried = sync_qualifications(mode=SyncMode.INCREMENTAL)
    assert retried.status == SyncStatus.SUCCEEDED
    assert (retried.created, retried.unchanged) == (7, 5)
    assert Institution.objects.count() == 12
    assert watermark() == retried.watermark


def test_watermark_unchanged_after_a_failed_run(fake_api):
    first = sync_qualifications(mode=SyncMode.INCREMENTAL)
    fake_api.always(401)

    failed = sync_qualifications(mode=SyncMode.INCREMENTAL)

    assert failed.status == SyncStatus.FAILED
    assert watermark() == first.watermark
    assert SyncState.objects.get().last_success == first


def test_a_bad_record_makes_the_run_partial_and_the_watermark_still_advances(fake_api):
    fake_api.mutate("INS-000005", lambda record: record.update(uscc="91320102MA0073476X"))

    run = sync_qualifications(mode=SyncMode.INCREMENTAL)

    assert run.status == SyncStatus.PARTIAL
    assert run.failed == 1
    assert [error["record"] for error in run.errors if "record" in error] == ["INS-000005"]
    assert Institution.objects.count() == 11
    assert watermark() == run.watermark


def test_the_task_retries_after_a_503_and_applies_the_data(fake_api, retries_chained):
    fake_api.script(503)

    result = sync_qualifications_task.apply()

    runs = list(SyncRun.objects.order_by("pk"))
    assert [run.status for run in runs] == [SyncStatus.FAILED, SyncStatus.SUCCEEDED]
    assert "HTTP 503" in runs[0].errors[0]["message"]
    assert result.get() == runs[1].pk
    assert Institution.objects.count() == 12
    assert watermark() == runs[1].watermark


def test_the_task_does_not_retry_a_refused_token(fake_api, retries_chained):
    fake_api.always(401)

    result = sync_qualifications_task.apply()

    run = SyncRun.objects.get()
    assert result.get() == run.pk
    assert run.status == SyncStatus.FAILED
    assert run.errors == [
        {"page": 1, "message": "资质认定审批系统拒绝了访问令牌（HTTP 401），请检查 QUALIFICATION_API_TOKEN。"}
    ]
    assert len(fake_api.requests) == 1
    assert watermark() is None
    assert Institution.objects.count() == 0


def test_the_task_gives_up_after_its_retries(fake_api, retries_chained):
    fake_api.always(503)

    result = sync_qualifications_task.apply(kwargs={"mode": SyncMode.FULL})

    with pytest.raises(TransientSyncError):
        result.get()

    assert SyncRun.objects.filter(status=SyncStatus.FAILED, mode=SyncMode.FULL).count() == 6  # 1 + 5 retries
    assert watermark() is None


def test_file_import_applies_the_records_and_leaves_the_watermark(fake_api, tmp_path):
    pages = [fake_api.respond(f"/api/v1/institutions?page={n}&page_size=6", {
        "Authorization": "Bearer test-token"})[1] for n in (1, 2)]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")

    run = sync_qualifications(mode=SyncMode.INCREMENTAL, file=str(path))

    assert (run.mode, run.status, run.pages, run.source) == (
        SyncMode.FILE,
        SyncStatus.SUCCEEDED,
        2,
        "export.json",
    )
    assert Institution.objects.count() == 12
    assert watermark() is None


def test_an_unreadable_file_is_a_failed_run(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("[{", encoding="utf-8")

    run = sync_qualifications(mode=SyncMode.FILE, file=str(path))

    assert run.status == SyncStatus.FAILED
    assert "不是有效的 UTF-8 JSON" in run.errors[0]["message"]


def test_an_unexpected_error_fails_the_run_keeps_the_applied_pages_and_is_raised(fake_api, monkeypatch):
    from institutions.sync import services

    real_apply = services.apply_page
    calls = []

    def apply_then_break(**kwargs):
        calls.append(1)
        real_apply(**kwargs)
        if len(calls) == 2:
            raise RuntimeError("磁盘已满")

    monkeypatch.setattr(services, "apply_page", apply_then_break)
    with pytest.raises(RuntimeError):
        sync_qualifications(mode=SyncMode.INCREMENTAL)

    run = SyncRun.objects.get()
    assert (run.status, run.pages, run.created) == (SyncStatus.FAILED, 1, 5)
    assert run.errors == [{"page": 2, "message": "同步意外中断：RuntimeError: 磁盘已满"}]
    assert Institution.objects.count() == 5
    assert watermark() is None


# --- One run at a time ----------------------------------------------------------------------------------


def _lock_held_by_another_run(*, minutes_left: int) -> SyncRun:
    from datetime import timedelta

    from django.utils import timezone

    holder = SyncRun.objects.create(mode=SyncMode.FULL, source="nightly")
    SyncState.objects.update_or_create(
        key="qualification",
        defaults={"locked_by": holder, "locked_until": timezone.now() + timedelta(minutes=minutes_left)},
    )
    return holder


def test_a_run_started_while_another_is_running_is_refused_and_reads_nothing(fake_api):
    holder = _lock_held_by_another_run(minutes_left=20)

    refused = sync_qualifications(mode=SyncMode.INCREMENTAL)

    assert refused.status == SyncStatus.FAILED and refused.pages == 0
    assert refused.errors[0]["message"].startswith("另一次同步正在进行（开始于 ")
    assert fake_api.requests == []
    assert Institution.objects.count() == 0 and watermark() is None
    assert SyncState.objects.get().locked_by == holder  # the other run keeps its lock


def test_a_lock_left_by_a_run_that_died_expires(fake_api):
    _lock_held_by_another_run(minutes_left=-1)

    run = sync_qualifications(mode=SyncMode.INCREMENTAL)

    assert run.status == SyncStatus.SUCCEEDED
    state = SyncState.objects.get()
    assert (state.locked_by, state.locked_until) == (None, None)


@pytest.mark.parametrize("outcome", ["succeeded", "refused token", "transient", "unexpected"])
def test_every_run_releases_the_lock(fake_api, monkeypatch, tmp_path, outcome):
    from institutions.sync import services

    if outcome == "refused token":
        fake_api.always(401)
    elif outcome == "transient":
        fake_api.always(503)
    elif outcome == "unexpected":
        monkeypatch.setattr(services, "apply_page", lambda **kwargs: 1 / 0)
    held = []
    real_take = services._lock_take
    monkeypatch.setattr(services, "_lock_take", lambda **kw: held.append(kw["run"].pk) or real_take(**kw))

    with contextlib.suppress(TransientSyncError, ZeroDivisionError):
        sync_qualifications(mode=SyncMode.INCREMENTAL)

    assert held, "the run took the lock"
    state = SyncState.objects.get()
    assert (state.locked_by, state.locked_until) == (None, None)
    monkeypatch.undo()  # the next run is a plain one: it gets the lock
    empty_export = tmp_path / "empty.json"
    empty_export.write_text("[]", encoding="utf-8")
    assert sync_qualifications(mode=SyncMode.FILE, file=str(empty_export)).status == SyncStatus.SUCCEEDED
