"""The credit ledger (credit.services, credit.integrations.events): rectification's events become credit
events once per source, scores are recalculated set by set with a dated snapshot, the calendar returns
repaired points and expires bonuses, and module 05 applies only to Jiangsu-certified institutions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from credit.choices import EventSource, EventState
from credit.models import CreditEvent, CreditItem, CreditPolicy, CreditScore, CreditSnapshot
from credit.services import (
    calendar_states_update,
    credit_applies,
    credit_institutions,
    event_manual_record,
    event_record,
    item_save,
    policy_save,
    scores_recalculate,
)
from rectification import services as rectification
from rectification.choices import FindingCategory, InspectionKind, PenaltyKind, Severity
from sujt.core.events import events_sweep
from sujt.core.models import DomainEvent
from tests.factories import CertificateFactory, InstitutionFactory, make_cma_number


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def jiangsu(institution):
    CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    return institution


def record(institution, code: str, *, key: str, occurred_on=None) -> CreditEvent:
    return event_record(
        institution_id=institution.pk,
        item_code=code,
        occurred_on=occurred_on or days(-10),
        source=EventSource.MANUAL,
        source_key=key,
    )


def score_of(institution) -> tuple[Decimal, str]:
    score = CreditScore.objects.get(institution=institution)
    return score.score, score.level


# --- Scope ---------------------------------------------------------------------------------------------


def test_only_a_valid_jiangsu_certificate_brings_module_05(db):
    jiangsu = InstitutionFactory()
    CertificateFactory(institution=jiangsu, number=make_cma_number(authority="10"))
    national = InstitutionFactory()
    CertificateFactory(institution=national, number=make_cma_number(authority="00"))
    expired = InstitutionFactory()
    CertificateFactory(institution=expired, number=make_cma_number(authority="10"), expires_on=days(-1))
    assert credit_applies(jiangsu) and not credit_applies(national) and not credit_applies(expired)
    assert list(credit_institutions()) == [jiangsu]
    assert scores_recalculate() == 1
    assert list(CreditScore.objects.values_list("institution_id", flat=True)) == [jiangsu.pk]


def test_an_institution_that_loses_its_jiangsu_certificate_loses_its_current_score(jiangsu):
    scores_recalculate(institution_ids=[jiangsu.pk])
    jiangsu.certificates.update(withdrawn_at=timezone.now())
    scores_recalculate(institution_ids=[jiangsu.pk])
    assert not CreditScore.objects.filter(institution=jiangsu).exists()
    assert CreditSnapshot.objects.filter(institution=jiangsu).exists()  # the history stays


# --- Recording -------------------------------------------------------------------------------------------


def test_an_event_copies_its_items_points_and_validity(jiangsu):
    event = record(jiangsu, "K04", key="test:1", occurred_on=datetime.date(2026, 3, 15))
    assert (event.points, event.direction, event.state) == (Decimal("10"), "deduction", EventState.COUNTING)
    assert event.valid_until == datetime.date(2028, 3, 14)  # 24 months


def test_the_same_source_never_counts_twice(jiangsu):
    first = record(jiangsu, "K02", key="test:same")
    again = record(jiangsu, "K09", key="test:same")
    assert again.pk == first.pk and again.item.code == "K02"
    assert CreditEvent.objects.count() == 1


def test_an_inactive_item_records_nothing(jiangsu):
    CreditItem.objects.filter(code="K05").update(active=False)
    assert record(jiangsu, "K05", key="test:inactive") is None


def test_recording_queues_the_recalculation_after_the_commit(jiangsu, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(jiangsu, "K03", key="test:queued")
    assert score_of(jiangsu) == (Decimal("95"), "A")
    assert CreditSnapshot.objects.get(institution=jiangsu, day=timezone.localdate()).score == Decimal("95")


def test_a_manual_entry_needs_a_reason_and_a_past_date(jiangsu, province_regulator):
    item = CreditItem.objects.get(code="K06")
    with pytest.raises(ValidationError) as error:
        event_manual_record(
            institution=jiangsu, item=item, occurred_on=days(-1), reason=" ", by=province_regulator
        )
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        event_manual_record(
            institution=jiangsu, item=item, occurred_on=days(1), reason="能力验证", by=province_regulator
        )
    event = event_manual_record(
        institution=jiangsu,
        item=item,
        occurred_on=days(-1),
        reason="2026 年能力验证不满意",
        by=province_regulator,
    )
    assert (event.source, event.recorded_by, event.points) == (
        EventSource.MANUAL,
        province_regulator,
        Decimal("5"),
    )


# --- Rectification's events ------------------------------------------------------------------------


def inspect(institution, regulator):
    return rectification.inspection_record(
        institution=institution,
        kind=InspectionKind.SPECIAL,
        inspected_on=days(-20),
        inspectors="王检查、赵检查",
        by=regulator,
        findings=[
            {
                "category": FindingCategory.REPORT_UNTRUE,
                "severity": Severity.SERIOUS,
                "description": "报告不实。",
            },
            {
                "category": FindingCategory.EQUIPMENT,
                "severity": Severity.GENERAL,
                "description": "设备未检定。",
            },
        ],
        penalties=[
            {
                "kind": PenaltyKind.WARNING,
                "decision_number": "宁市监罚〔2026〕88号",
                "decided_on": days(-15),
                "description": "警告。",
            }
        ],
    )


def deliver() -> None:
    """Runs every pending delivery, as the worker would (twice: a handler run again changes nothing)."""
    events_sweep(now=timezone.now() + datetime.timedelta(days=1))


def test_findings_penalties_and_orders_become_deductions_once(jiangsu, city_regulator, inst_admin):
    inspection = inspect(jiangsu, city_regulator)
    order = rectification.order_issue(
        inspection=inspection, findings=inspection.findings.all(), by=city_regulator, due_on=days(10)
    )
    deliver()
    deliver()
    codes = sorted(CreditEvent.objects.filter(institution=jiangsu).values_list("item__code", flat=True))
    assert codes == ["K02", "K03", "K07", "K09"]
    k07 = CreditEvent.objects.get(item__code="K07")
    assert (k07.source, k07.occurred_on, k07.source_object) == (
        EventSource.FINDING,
        days(-20),
        inspection.findings.get(category=FindingCategory.REPORT_UNTRUE),
    )
    assert CreditEvent.objects.get(item__code="K03").source_object == order
    # Recorded again by the service (as admin's save does), nothing new is counted.
    rectification.inspection_events_record(inspection=inspection)
    deliver()
    assert CreditEvent.objects.count() == 4
    scores_recalculate(institution_ids=[jiangsu.pk])
    assert score_of(jiangsu) == (Decimal("63"), "C")  # 100 − 20 − 2 − 10 − 5


def test_a_false_report_is_a_veto_and_a_revocation_too(jiangsu, city_regulator):
    rectification.inspection_record(
        institution=jiangsu,
        kind=InspectionKind.COMPLAINT,
        inspected_on=days(-3),
        inspectors="李检查",
        by=city_regulator,
        findings=[
            {"category": FindingCategory.REPORT_FALSE, "severity": Severity.SERIOUS, "description": "虚假。"}
        ],
        penalties=[
            {
                "kind": PenaltyKind.REVOCATION,
                "decision_number": "苏市监罚〔2026〕3号",
                "decided_on": days(-1),
                "description": "撤销资质认定。",
            }
        ],
    )
    deliver()
    assert sorted(CreditEvent.objects.values_list("item__code", flat=True)) == ["K08", "K10"]
    scores_recalculate(institution_ids=[jiangsu.pk])
    assert score_of(jiangsu) == (Decimal("60"), "D")


def test_an_overdue_order_counts_once_and_acceptance_marks_the_orders_deductions_rectified(
    jiangsu, city_regulator, inst_admin
):
    inspection = inspect(jiangsu, city_regulator)
    order = rectification.order_issue(
        inspection=inspection, findings=inspection.findings.all(), by=city_regulator, due_on=days(10)
    )
    rectification.order_mark_overdue(order=order)
    deliver()
    assert CreditEvent.objects.filter(item__code="K04").count() == 1
    rectification.answer_save(
        order=order,
        by=inst_admin,
        measures={f.pk: "已整改。" for f in inspection.findings.all()},
        submit=True,
    )
    order.refresh_from_db()
    rectification.order_accept(order=order, by=city_regulator)
    deliver()
    rectified = dict(CreditEvent.objects.values_list("item__code", "rectified_on"))
    assert (
        rectified["K03"] == rectified["K04"] == rectified["K02"] == rectified["K07"] == timezone.localdate()
    )
    assert rectified["K09"] is None  # a penalty is not what the order rectified
    assert DomainEvent.objects.filter(kind="rectification.order_accepted").count() == 1


# --- The calendar and the rules ----------------------------------------------------------------------


def test_the_calendar_returns_repaired_points_and_expires_bonuses(jiangsu):
    repaired = record(jiangsu, "K03", key="test:repaired", occurred_on=days(-400))
    CreditEvent.objects.filter(pk=repaired.pk).update(state=EventState.REPAIRED)
    kept = record(jiangsu, "K02", key="test:kept", occurred_on=days(-400))
    bonus = record(jiangsu, "J02", key="test:bonus", occurred_on=days(-400))
    assert calendar_states_update() == {jiangsu.pk}
    states = dict(CreditEvent.objects.values_list("pk", "state"))
    assert states == {
        repaired.pk: EventState.RETURNED,
        kept.pk: EventState.COUNTING,
        bonus.pk: EventState.EXPIRED,
    }
    assert CreditEvent.history.filter(id=repaired.pk, state=EventState.RETURNED).exists()
    assert calendar_states_update() == set()  # once
    scores_recalculate(institution_ids=[jiangsu.pk])
    assert score_of(jiangsu) == (Decimal("98"), "A")


def test_a_changed_item_or_policy_recalculates(
    jiangsu, province_regulator, django_capture_on_commit_callbacks
):
    record(jiangsu, "K06", key="test:k06")
    scores_recalculate()
    item = CreditItem.objects.get(code="K06")
    item.veto = True
    with django_capture_on_commit_callbacks(execute=True):
        item_save(item=item, by=province_regulator)
    assert score_of(jiangsu) == (Decimal("95"), "D")
    policy = CreditPolicy.current()
    policy.base_score = Decimal("90")
    with django_capture_on_commit_callbacks(execute=True):
        policy_save(policy=policy, by=province_regulator)
    assert score_of(jiangsu)[0] == Decimal("85")


def test_thresholds_must_stay_in_order(province_regulator, db):
    policy = CreditPolicy.current()
    policy.level_b_min = Decimal("95")
    with pytest.raises(ValidationError):
        policy_save(policy=policy, by=province_regulator)


def test_one_snapshot_a_day_holds_the_last_score(jiangsu):
    scores_recalculate(institution_ids=[jiangsu.pk])
    record(jiangsu, "K02", key="test:later")
    scores_recalculate(institution_ids=[jiangsu.pk])
    scores_recalculate(institution_ids=[jiangsu.pk], day=days(1))
    assert list(
        CreditSnapshot.objects.filter(institution=jiangsu).order_by("day").values_list("score", flat=True)
    ) == [
        Decimal("98"),
        Decimal("98"),
    ]


def test_recalculating_everyone_reads_the_ledger_set_by_set(db, django_assert_max_num_queries):
    for n in range(30):
        institution = InstitutionFactory()
        CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
        record(institution, "K02", key=f"test:bulk:{n}")
    # eligibility, stale scores, ids, the events, two upserts (and the savepoint pair).
    with django_assert_max_num_queries(9):
        assert scores_recalculate() == 30
    assert set(CreditScore.objects.values_list("score", flat=True)) == {Decimal("98")}


def test_a_deleted_finding_voids_its_deduction_at_night(jiangsu, city_regulator):
    from credit.services import events_of_removed_sources_void

    inspection = inspect(jiangsu, city_regulator)
    deliver()
    finding = inspection.findings.get(category=FindingCategory.EQUIPMENT)
    event = CreditEvent.objects.get(source_key=f"rectification.finding:{finding.pk}")
    finding.delete()
    assert events_of_removed_sources_void() == {jiangsu.pk}
    event.refresh_from_db()
    assert event.state == EventState.VOIDED
    assert CreditEvent.objects.filter(state=EventState.COUNTING).count() == 2  # K07 and K09 stay
    assert events_of_removed_sources_void() == set()
