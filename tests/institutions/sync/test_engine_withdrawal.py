"""Withdrawals: marked, never deleted; a full snapshot withdraws what it does not mention."""

import copy

import pytest

from institutions.choices import SyncMode
from institutions.models import Capability, Equipment, Institution, SyncRun
from institutions.sync.engine import SYNC_ACTOR, SeenIds, apply_page, withdraw_unseen
from tests.institutions.sync.builders import make_record, make_records

pytestmark = pytest.mark.django_db


def full_sync(records: list[dict]) -> SyncRun:
    run = SyncRun.objects.create(mode=SyncMode.FULL)
    seen = SeenIds()
    apply_page(run=run, records=records, full=True, seen=seen)
    withdraw_unseen(run=run, seen=seen)
    return run


def test_a_full_snapshot_withdraws_unmentioned_institutions_and_items_without_deleting():
    records = make_records(3)
    full_sync(records)
    second = copy.deepcopy(records[:2])
    del second[0]["capabilities"][2]
    run = full_sync(second)
    # The institution, its 8 items (none is mentioned either) and one capability of INS-0001.
    assert run.withdrawn == 10
    assert (run.updated, run.unchanged) == (0, 2)
    gone = Institution.objects.get(source_id="INS-0003")
    assert gone.withdrawn_at is not None
    cap = Capability.objects.get(source_id="INS-0001-CAP-3")
    assert cap.withdrawn_at is not None
    assert Capability.objects.count() == 9
    assert Capability.objects.filter(withdrawn_at__isnull=False).count() == 4
    row = cap.history.order_by("-history_id").first()
    assert (row.history_type, row.history_user.name) == ("~", SYNC_ACTOR)
    assert row.withdrawn_at is not None
    assert not Capability.objects.filter(institution=gone, withdrawn_at__isnull=True).exists()
    assert (
        Capability.objects.filter(institution__source_id="INS-0002", withdrawn_at__isnull=True).count() == 3
    )


def test_a_repeated_full_snapshot_withdraws_nothing_more():
    records = make_records(2)
    full_sync(records)
    full_sync(records[:1])
    run = full_sync(records[:1])
    assert run.withdrawn == 0
    assert run.unchanged == 1


def test_rows_not_from_the_sync_are_never_withdrawn(institution):
    full_sync(make_records(1))
    institution.refresh_from_db()
    assert institution.source_id is None
    assert institution.withdrawn_at is None


def test_a_withdrawn_item_reappears_when_the_source_lists_it_again():
    records = make_records(2)
    full_sync(records)
    full_sync(records[:1])
    assert Institution.objects.get(source_id="INS-0002").withdrawn_at is not None
    run = full_sync(records)
    assert run.updated == 1
    assert Institution.objects.get(source_id="INS-0002").withdrawn_at is None
    assert not Capability.objects.filter(withdrawn_at__isnull=False).exists()


def test_withdrawn_true_in_a_record_marks_the_item_and_false_clears_it():
    record = make_record(1)
    apply_page(run=SyncRun(mode=SyncMode.INCREMENTAL), records=[record], full=False, seen=None)
    withdrawn = copy.deepcopy(record)
    withdrawn["equipment"][0]["withdrawn"] = True
    run = SyncRun(mode=SyncMode.INCREMENTAL)
    apply_page(run=run, records=[withdrawn], full=False, seen=None)
    assert (run.updated, run.withdrawn) == (1, 1)
    first_mark = Equipment.objects.get(source_id="INS-0001-EQ-1").withdrawn_at
    assert first_mark is not None
    again = SyncRun(mode=SyncMode.INCREMENTAL)
    apply_page(run=again, records=[withdrawn], full=False, seen=None)
    assert (again.unchanged, again.withdrawn) == (1, 0)
    assert Equipment.objects.get(source_id="INS-0001-EQ-1").withdrawn_at == first_mark
    apply_page(run=SyncRun(mode=SyncMode.INCREMENTAL), records=[record], full=False, seen=None)
    assert Equipment.objects.get(source_id="INS-0001-EQ-1").withdrawn_at is None


def test_a_withdrawn_institution_record_marks_the_institution():
    record = make_record(1)
    apply_page(run=SyncRun(mode=SyncMode.INCREMENTAL), records=[record], full=False, seen=None)
    run = SyncRun(mode=SyncMode.INCREMENTAL)
    apply_page(run=run, records=[{**record, "withdrawn": True}], full=False, seen=None)
    assert run.withdrawn == 1
    assert Institution.objects.get(source_id="INS-0001").withdrawn_at is not None


def test_an_incremental_record_leaves_missing_items_alone():
    record = make_record(1)
    apply_page(run=SyncRun(mode=SyncMode.INCREMENTAL), records=[record], full=False, seen=None)
    shorter = copy.deepcopy(record)
    shorter["capabilities"] = shorter["capabilities"][:1]
    run = SyncRun(mode=SyncMode.INCREMENTAL)
    apply_page(run=run, records=[shorter], full=False, seen=None)
    assert run.unchanged == 1
    assert not Capability.objects.filter(withdrawn_at__isnull=False).exists()


def test_a_record_skipped_in_a_full_snapshot_loses_nothing():
    records = make_records(2)
    full_sync(records)
    broken = copy.deepcopy(records[1])
    broken["certificates"][0]["number"] = "bad"
    del broken["capabilities"][0]
    run = full_sync([records[0], broken])
    assert (run.failed, run.withdrawn) == (1, 0)
    assert not Institution.objects.filter(withdrawn_at__isnull=False).exists()
    assert not Capability.objects.filter(withdrawn_at__isnull=False).exists()
