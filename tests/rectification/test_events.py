"""The domain events of 03 机构整改 (rectification/events.py, docs/rectification-events.md): each kind is
recorded once per record however often its cause runs, in the transaction of its cause, with the payload
the credit module will read; the deadline job reminds 7 days and 1 day before (in-site and SMS, once each)
and marks an unanswered order 逾期 once, recording ORDER_OVERDUE once."""

import datetime
import importlib
import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rectification import events, services
from rectification.choices import FindingCategory, InspectionKind, OrderStatus, PenaltyKind, Severity
from rectification.models import Finding, Penalty, RectificationOrder
from sujt.core import notifications
from sujt.core.deadlines import deadlines_run, registered_deadlines, unregister_deadline
from sujt.core.models import DeadlineNotice, DomainEvent, Notification

DEADLINES_MODULE = "rectification.integrations.deadlines"
ORDER_DEADLINE = "rectification.order_due"
DUE_IN_DAYS = 10


def days_from_today(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    notifications.sms_outbox.clear()
    yield
    notifications.sms_outbox.clear()


@pytest.fixture
def order_deadline():
    """The order deadline as rectification declares it. RectificationConfig.ready() imports the declaration;
    should it not (yet), the test registers it through the kit itself and removes it again afterwards, so
    no other test sees a deadline the app does not declare."""
    if ORDER_DEADLINE in {deadline.key for deadline in registered_deadlines()}:
        yield ORDER_DEADLINE
        return
    module = sys.modules.get(DEADLINES_MODULE)
    if module is None:
        importlib.import_module(DEADLINES_MODULE)
    else:
        importlib.reload(module)
    yield ORDER_DEADLINE
    unregister_deadline(ORDER_DEADLINE)


def record_inspection(institution, regulator, *, findings: int = 2, penalties: int = 1):
    return services.inspection_record(
        institution=institution,
        kind=InspectionKind.SPECIAL,
        inspected_on=days_from_today(-5),
        inspectors="王检查、赵检查",
        by=regulator,
        findings=[
            {
                "category": FindingCategory.REPORT_UNTRUE if n == 0 else FindingCategory.EQUIPMENT,
                "severity": Severity.SERIOUS if n == 0 else Severity.GENERAL,
                "description": f"检查发现的问题{n}。",
            }
            for n in range(findings)
        ],
        penalties=[
            {
                "kind": PenaltyKind.FINE,
                "amount": Decimal("30000.50"),
                "decision_number": f"宁市监罚〔2026〕{30 + n}号",
                "decided_on": days_from_today(-2),
                "description": "出具不实检验检测报告。",
            }
            for n in range(penalties)
        ],
    )


def issue(inspection, regulator, *, due_in: int = DUE_IN_DAYS) -> RectificationOrder:
    return services.order_issue(
        inspection=inspection,
        findings=inspection.findings.all(),
        by=regulator,
        due_on=days_from_today(due_in),
    )


def of_kind(kind: str):
    return DomainEvent.objects.filter(kind=kind)


@pytest.fixture
def inspection(institution, city_regulator, inst_admin):
    return record_inspection(institution, city_regulator)


@pytest.fixture
def order(inspection, city_regulator):
    return issue(inspection, city_regulator)


def submit(order, by) -> None:
    services.answer_save(
        order=order,
        by=by,
        measures={finding.pk: "已整改并完成内部审核。" for finding in order.findings.all()},
        submit=True,
    )


# --- Findings and penalties ----------------------------------------------------------------------------


def test_recording_an_inspection_records_one_event_per_finding_and_penalty(inspection, institution):
    findings = list(inspection.findings.order_by("pk"))
    penalty = inspection.penalties.get()
    recorded = of_kind(events.FINDING_RECORDED).order_by("pk")
    assert [event.key for event in recorded] == [
        f"rectification.finding:{finding.pk}:recorded" for finding in findings
    ]
    first = recorded[0]
    assert first.institution_id == institution.pk and first.source == findings[0]
    assert first.payload == {
        "finding_id": findings[0].pk,
        "inspection_id": inspection.pk,
        "inspection_kind": "special",
        "inspected_on": days_from_today(-5).isoformat(),
        "category": "report_untrue",
        "severity": "serious",
    }
    penalty_event = of_kind(events.PENALTY_RECORDED).get()
    assert penalty_event.source == penalty and penalty_event.institution_id == institution.pk
    assert penalty_event.payload == {
        "penalty_id": penalty.pk,
        "inspection_id": inspection.pk,
        "kind": "fine",
        "amount": "30000.50",
        "decision_number": "宁市监罚〔2026〕30号",
        "decided_on": days_from_today(-2).isoformat(),
    }


def test_recording_the_inspections_events_again_adds_none(inspection):
    before = DomainEvent.objects.count()
    services.inspection_events_record(inspection=inspection)
    services.inspection_events_record(inspection=inspection)
    assert DomainEvent.objects.count() == before
    assert of_kind(events.FINDING_RECORDED).count() == 2 and of_kind(events.PENALTY_RECORDED).count() == 1


def test_a_finding_added_later_gets_its_own_event_once(inspection):
    """Admin adds findings in inlines and then calls inspection_events_record: only the new one is new."""
    added = Finding.objects.create(inspection=inspection, category=FindingCategory.OTHER, description="补充")
    services.inspection_events_record(inspection=inspection)
    services.inspection_events_record(inspection=inspection)
    assert of_kind(events.FINDING_RECORDED).count() == 3
    assert of_kind(events.FINDING_RECORDED).filter(source_id=added.pk).count() == 1


def test_an_inspection_that_fails_validation_records_nothing(institution, city_regulator):
    with pytest.raises(ValidationError):  # a fine without its amount (Penalty.clean)
        services.inspection_record(
            institution=institution,
            kind=InspectionKind.RANDOM,
            inspected_on=days_from_today(-1),
            inspectors="王检查",
            by=city_regulator,
            findings=[{"category": FindingCategory.OTHER, "description": "问题"}],
            penalties=[
                {"kind": PenaltyKind.FINE, "decision_number": "无金额", "decided_on": days_from_today(-1)}
            ],
        )
    assert not DomainEvent.objects.exists() and not Penalty.objects.exists()


# --- Orders -----------------------------------------------------------------------------------------


def test_issuing_an_order_records_one_order_issued(order, inspection, institution):
    issued = of_kind(events.ORDER_ISSUED).get()
    assert issued.key == f"rectification.order:{order.pk}:issued"
    assert issued.institution_id == institution.pk and issued.source == order
    assert issued.payload == {
        "order_id": order.pk,
        "inspection_id": inspection.pk,
        "finding_ids": sorted(inspection.findings.values_list("pk", flat=True)),
        "issued_on": timezone.localdate().isoformat(),
        "due_on": days_from_today(DUE_IN_DAYS).isoformat(),
    }


def test_an_order_refused_by_validation_records_nothing(inspection, city_regulator):
    with pytest.raises(ValidationError):  # a due date that is not in the future
        issue(inspection, city_regulator, due_in=0)
    assert not of_kind(events.ORDER_ISSUED).exists()


def test_the_deadline_reminds_7_and_1_days_before_once_each_with_sms(
    order, order_deadline, inst_admin, django_capture_on_commit_callbacks
):
    notifications.sms_outbox.clear()  # the order's own SMS (整改通知) is not a reminder
    Notification.objects.all().delete()
    due = order.due_on
    with django_capture_on_commit_callbacks(execute=True):
        for offset in (7, 7, 1, 1):
            deadlines_run(today=due - datetime.timedelta(days=offset), keys=[order_deadline])
    notices = DeadlineNotice.objects.filter(deadline=order_deadline, object_id=order.pk)
    assert sorted(notices.values_list("step", flat=True)) == ["remind-1d", "remind-7d"]
    assert set(notices.values_list("recipients", flat=True)) == {1}
    reminders = Notification.objects.filter(recipient=inst_admin, title__startswith="整改期限提醒")
    assert reminders.count() == 2
    assert [sms.phone for sms in notifications.sms_outbox] == [inst_admin.phone, inst_admin.phone]
    assert all("整改期限提醒" in sms.message for sms in notifications.sms_outbox)
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN and not of_kind(events.ORDER_OVERDUE).exists()


def test_the_deadline_marks_the_order_overdue_once_and_records_order_overdue_once(
    order, order_deadline, inst_admin, city_regulator
):
    after = order.due_on + datetime.timedelta(days=1)
    first = deadlines_run(today=after, keys=[order_deadline])
    second = deadlines_run(today=after + datetime.timedelta(days=1), keys=[order_deadline])
    assert (first.count(order_deadline), second.count(order_deadline)) == (1, 0)
    order.refresh_from_db()
    assert order.status == OrderStatus.OVERDUE and order.overdue_at is not None and order.was_overdue
    overdue = of_kind(events.ORDER_OVERDUE).get()
    assert overdue.key == f"rectification.order:{order.pk}:overdue:{order.due_on.isoformat()}"
    assert overdue.source == order and overdue.institution_id == order.institution_id
    assert overdue.payload == {
        "order_id": order.pk,
        "due_on": order.due_on.isoformat(),
        "overdue_on": timezone.localdate().isoformat(),
    }
    marks = DeadlineNotice.objects.filter(deadline=order_deadline, object_id=order.pk, step="overdue")
    assert marks.count() == 1
    # The institution and the regulator who issued the order are told, once each.
    assert Notification.objects.filter(recipient=inst_admin, title__startswith="整改已逾期").count() == 1
    assert Notification.objects.filter(recipient=city_regulator, title__startswith="整改逾期").count() == 1


def test_an_answered_order_is_not_marked_overdue(order, order_deadline, inst_admin):
    submit(order, inst_admin)
    deadlines_run(today=order.due_on + datetime.timedelta(days=1), keys=[order_deadline])
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED and not of_kind(events.ORDER_OVERDUE).exists()


def test_accepting_an_order_that_went_overdue_records_was_overdue(
    order, order_deadline, inst_admin, city_regulator
):
    deadlines_run(today=order.due_on + datetime.timedelta(days=1), keys=[order_deadline])
    order.refresh_from_db()
    submit(order, inst_admin)
    services.order_accept(order=order, by=city_regulator, comment="整改材料齐全。")
    accepted = of_kind(events.ORDER_ACCEPTED).get()
    assert accepted.key == f"rectification.order:{order.pk}:accepted" and accepted.source == order
    assert accepted.payload == {
        "order_id": order.pk,
        "inspection_id": order.inspection_id,
        "accepted_on": timezone.localdate().isoformat(),
        "was_overdue": True,
        "rounds": 1,
    }
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.was_overdue


def test_an_order_accepted_on_time_after_a_return_records_its_rounds(order, inst_admin, city_regulator):
    submit(order, inst_admin)
    services.order_return(order=order, by=city_regulator, comment="证明材料不全，请补充。")
    submit(order, inst_admin)
    services.order_accept(order=order, by=city_regulator)
    payload = of_kind(events.ORDER_ACCEPTED).get().payload
    assert (payload["was_overdue"], payload["rounds"]) == (False, 2)
    # Neither a return nor a submission is an event of its own (the credit items do not count them).
    assert set(DomainEvent.objects.values_list("kind", flat=True)) == {
        events.FINDING_RECORDED,
        events.PENALTY_RECORDED,
        events.ORDER_ISSUED,
        events.ORDER_ACCEPTED,
    }


def test_an_event_of_a_rolled_back_issue_never_exists(inspection, city_regulator):
    with pytest.raises(RuntimeError), transaction.atomic():
        issue(inspection, city_regulator)
        raise RuntimeError("回滚")
    assert not of_kind(events.ORDER_ISSUED).exists() and not RectificationOrder.objects.exists()


def test_every_kind_is_listed():
    assert set(events.KINDS) == {
        events.FINDING_RECORDED,
        events.PENALTY_RECORDED,
        events.ORDER_ISSUED,
        events.ORDER_OVERDUE,
        events.ORDER_ACCEPTED,
    }
