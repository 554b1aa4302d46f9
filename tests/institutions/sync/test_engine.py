"""The upsert engine: create, idempotency, changes attributed to 资质认定同步, matching, bad records."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutions.choices import SyncMode, UnitType
from institutions.models import (
    Capability,
    Certificate,
    Equipment,
    Institution,
    Personnel,
    Signatory,
    Site,
    SyncRun,
)
from institutions.sync.engine import SYNC_ACTOR, apply_page
from tests.factories import InstitutionFactory
from tests.institutions.sync.builders import certificate_number, changed, make_record, make_records

pytestmark = pytest.mark.django_db

HISTORY_MODELS = (Institution, Certificate, Site, Capability, Equipment, Signatory, Personnel)
WRITES = ("INSERT", "UPDATE", "DELETE")


def history_count() -> int:
    return sum(model.history.count() for model in HISTORY_MODELS)


def new_run(mode: str = SyncMode.INCREMENTAL) -> SyncRun:
    return SyncRun.objects.create(mode=mode)


def apply(records: list[dict], *, full: bool = False, seen=None) -> SyncRun:
    run = new_run(SyncMode.FULL if full else SyncMode.INCREMENTAL)
    apply_page(run=run, records=records, full=full, seen=seen)
    return run


def test_an_empty_database_is_filled_from_a_page():
    run = apply(make_records(3, capabilities=4))
    assert (run.created, run.updated, run.unchanged, run.failed, run.errors) == (3, 0, 0, 0, [])
    assert Institution.objects.count() == 3
    assert Capability.objects.count() == 12
    assert (Site.objects.count(), Equipment.objects.count(), Signatory.objects.count()) == (3, 3, 3)
    inst = Institution.objects.get(source_id="INS-0001")
    assert inst.name == "澄衡第1检测技术有限公司"
    assert inst.established_on.isoformat() == "2010-10-09"
    cap = inst.capabilities.get(source_id="INS-0001-CAP-2")
    assert (cap.seq, cap.item) == (2, "检测参数2")
    assert cap.certificate.source_id == "INS-0001-CERT-1"
    assert cap.site.source_id == "INS-0001-SITE-1"
    certificate = inst.certificates.get()
    assert (certificate.authority_code, certificate.field_code, certificate.department_code) == (
        "10",
        "00",
        "01",
    )
    assert str(inst.sites.get().area) == "1200.00"
    assert inst.personnel.get().birth_year == 1985
    assert inst.completeness > 0
    created = inst.history.get()
    assert (created.history_type, created.history_user.name) == ("+", SYNC_ACTOR)
    assert {row.history_user.name for row in Capability.history.all()} == {SYNC_ACTOR}
    # The "+" rows hold the created row as it was stored, like simple-history's own rows.
    for model in HISTORY_MODELS:
        for obj in model.objects.all():
            [row] = obj.history.all()
            assert row.history_type == "+"
            for tracked in model.history.model.tracked_fields:
                if tracked.name == "completeness":
                    continue  # derived afterwards by a plain UPDATE, not audited
                assert getattr(row, tracked.attname) == getattr(obj, tracked.attname), tracked.attname


def test_a_second_identical_run_writes_nothing_and_adds_no_history():
    apply(make_records(3))
    before = history_count()
    run = new_run()
    with CaptureQueriesContext(connection) as ctx:
        apply_page(run=run, records=make_records(3), full=False, seen=None)
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().split()[0].upper() in WRITES]
    assert writes == []
    assert history_count() == before
    assert (run.created, run.updated, run.unchanged, run.withdrawn, run.failed) == (0, 0, 3, 0, 0)


def test_a_changed_capability_updates_one_institution_with_one_history_row():
    records = make_records(3)
    apply(records)
    before = history_count()
    second = copy.deepcopy(records)
    second[1]["capabilities"][0]["standard"] = "GB 5009.3-2016 食品安全国家标准 食品中水分的测定"
    run = apply(second)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 2)
    assert history_count() == before + 1
    cap = Capability.objects.get(source_id="INS-0002-CAP-1")
    assert cap.standard == "GB 5009.3-2016 食品安全国家标准 食品中水分的测定"
    row = cap.history.order_by("-history_id").first()
    assert (row.history_type, row.history_user.name) == ("~", SYNC_ACTOR)
    assert row.standard == cap.standard


def test_a_changed_institution_field_is_written_with_history():
    record = make_record(1)
    apply([record])
    run = apply([changed(record, address="南京市鼓楼区新址路1号", withdrawn=False)])
    assert run.updated == 1
    inst = Institution.objects.get(source_id="INS-0001")
    assert inst.address == "南京市鼓楼区新址路1号"
    assert inst.history.count() == 2


def test_items_move_to_the_site_and_certificate_of_their_record():
    record = make_record(1)
    record["sites"].append({**record["sites"][0], "id": "INS-0001-SITE-2", "name": "第二实验室"})
    apply([record])
    second = copy.deepcopy(record)
    second["capabilities"][0]["site_id"] = "INS-0001-SITE-2"
    second["equipment"][0]["site_id"] = None
    run = apply([second])
    assert run.updated == 1
    assert Capability.objects.get(source_id="INS-0001-CAP-1").site.name == "第二实验室"
    assert Equipment.objects.get(source_id="INS-0001-EQ-1").site is None


def test_an_institution_without_known_source_id_is_matched_by_uscc():
    record = make_record(1)
    existing = InstitutionFactory(uscc=record["uscc"], name="旧名称检测有限公司")
    run = apply([record])
    assert (run.created, run.updated) == (0, 1)
    existing.refresh_from_db()
    assert (existing.source_id, existing.name) == ("INS-0001", record["name"])
    assert Institution.objects.count() == 1


def test_a_certificate_without_known_source_id_is_matched_by_number():
    record = make_record(1)
    institution = InstitutionFactory(uscc=record["uscc"])
    old = Certificate.objects.create(
        institution=institution, number=certificate_number(1), issued_on="2021-02-08", expires_on="2027-02-07"
    )
    apply([record])
    old.refresh_from_db()
    assert old.source_id == "INS-0001-CERT-1"
    assert Certificate.objects.count() == 1
    assert Capability.objects.filter(certificate=old).count() == 3


def test_fields_the_institution_maintains_are_never_overwritten():
    record = make_record(1)
    institution = InstitutionFactory(
        uscc=record["uscc"],
        unit_type=UnitType.THIRD_PARTY,
        business_scope="<p>食品检验</p>",
        is_high_tech=False,
        centers_enabled=True,
    )
    Institution.objects.filter(pk=institution.pk).update(info_confirmed_at="2026-01-01T00:00:00Z")
    apply([record])
    apply([changed(record, name="改名后的检测有限公司")])
    institution.refresh_from_db()
    assert institution.name == "改名后的检测有限公司"
    assert institution.unit_type == UnitType.THIRD_PARTY
    assert institution.business_scope == "<p>食品检验</p>"
    assert institution.is_high_tech is False
    assert institution.centers_enabled is True
    assert institution.info_confirmed_at is not None


def test_bad_records_are_skipped_and_reported_while_the_rest_of_the_page_is_applied():
    good = make_record(1)
    bad_uscc = changed(make_record(2), uscc=make_record(2)["uscc"][:-1] + "0")
    bad_number = make_record(3)
    bad_number["certificates"][0]["number"] = "21100099000X"
    missing_name = make_record(4)
    del missing_name["name"]
    bad_choice = make_record(5)
    bad_choice["sites"][0]["site_type"] = "floating"
    run = apply([bad_uscc, good, bad_number, missing_name, bad_choice])
    assert (run.created, run.failed) == (1, 4)
    assert list(Institution.objects.values_list("source_id", flat=True)) == ["INS-0001"]
    errors = {error["record"]: error["message"] for error in run.errors}
    assert set(errors) == {"INS-0002", "INS-0003", "INS-0004", "INS-0005"}
    assert "统一社会信用代码" in errors["INS-0002"]
    assert "证书编号" in errors["INS-0003"]
    assert "机构名称" in errors["INS-0004"]
    assert "场所类型" in errors["INS-0005"]


def test_a_record_that_is_not_an_object_is_reported_by_position():
    run = apply(["nonsense", make_record(1)])
    assert (run.created, run.failed) == (1, 1)
    assert run.errors[0]["record"] == "第1条"


def test_an_item_referring_to_a_certificate_outside_its_record_is_rejected():
    record = make_record(1)
    record["capabilities"][0]["certificate_id"] = "NOT-HERE"
    run = apply([record])
    assert run.failed == 1
    assert "NOT-HERE" in run.errors[0]["message"]
    assert not Institution.objects.exists()


def test_a_uscc_held_by_another_institution_is_reported_not_applied():
    apply(make_records(2))
    other_uscc = Institution.objects.get(source_id="INS-0002").uscc
    run = apply([changed(make_record(1), uscc=other_uscc)])
    assert (run.failed, run.updated) == (1, 0)
    assert "统一社会信用代码" in run.errors[0]["message"]
    assert Institution.objects.get(source_id="INS-0001").uscc != other_uscc


def test_a_certificate_number_held_by_another_institution_is_reported_not_applied():
    apply(make_records(2))
    record = make_record(1)
    record["certificates"][0]["number"] = certificate_number(2)
    run = apply([record])
    assert run.failed == 1
    assert "证书编号" in run.errors[0]["message"]
    assert Certificate.objects.get(source_id="INS-0001-CERT-1").number == certificate_number(1)


def test_a_record_repeated_in_a_page_is_applied_once():
    record = make_record(1)
    run = apply([record, copy.deepcopy(record)])
    assert (run.created, run.failed) == (1, 1)
    assert Institution.objects.count() == 1


@pytest.mark.parametrize("capabilities", [5, 50])
def test_queries_of_a_page_do_not_grow_with_its_rows(capabilities, django_assert_max_num_queries):
    apply(make_records(2, capabilities=capabilities))
    records = make_records(2, capabilities=capabilities)
    for record in records:
        for row in record["capabilities"]:
            row["note"] = "已更新"
    # Matching, one bulk update with its history rows and completeness: the same for 5 or 50 rows.
    with django_assert_max_num_queries(40):
        run = apply(records)
    assert run.updated == 2


def test_the_benchmark_fills_then_leaves_the_database_unchanged():
    from institutions.sync.bench import bench_run

    options = {"institutions": 4, "capabilities": 3, "page_size": 3, "seed": 5}
    queued: list = []
    first = bench_run(**options, queued=queued)
    assert (first["run"].created, first["run"].failed, first["run"].pages) == (4, 0, 2)
    assert first["run"].accounts_created == 4
    second = bench_run(**options, queued=[])
    assert (second["run"].unchanged, second["run"].updated, second["run"].withdrawn) == (4, 0, 0)
    # Only the bookkeeping of the run itself is written: its creation and a save per page and at the end.
    assert second["writes"] == 4


def test_a_record_the_database_refuses_is_reported_and_the_others_are_applied(monkeypatch):
    from django.db import IntegrityError

    from institutions.sync import engine

    write = engine._PagePlan.write

    def refuse_second(plan):
        if any(record.source_id == "INS-0002" for record in plan.records):
            Institution.objects.create(name="占位", uscc="x" * 18, region_code="320102")
            raise IntegrityError("simulated")
        return write(plan)

    monkeypatch.setattr(engine._PagePlan, "write", refuse_second)
    run = apply(make_records(3))
    assert (run.created, run.failed) == (2, 1)
    assert run.errors[0]["record"] == "INS-0002"
    assert "数据库" in run.errors[0]["message"]
    assert sorted(Institution.objects.values_list("source_id", flat=True)) == ["INS-0001", "INS-0003"]
