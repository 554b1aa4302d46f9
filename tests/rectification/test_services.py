"""The rules of 03 机构整改's services: issuing, answering, deciding, overdue, disclosure."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rectification import services
from rectification.choices import OrderStatus, PenaltyKind, RoundDecision
from rectification.models import Penalty, RectificationOrder
from sujt.core.events import DISCLOSURE_REQUESTED
from sujt.core.models import DomainEvent
from sujt.core.validators import redact_personal_numbers
from sujt.core.workflow import InvalidTransition, Side
from tests.factories import make_id_card

TODAY = timezone.localdate()


def record(institution, regulator, *, findings: int = 1, penalties=()):
    return services.inspection_record(
        institution=institution,
        kind="risk",
        inspected_on=TODAY - datetime.timedelta(days=1),
        inspectors="检查员",
        by=regulator,
        findings=[
            {"category": "management", "severity": "general", "description": f"内审记录缺失{n}。"}
            for n in range(findings)
        ],
        penalties=list(penalties),
    )


@pytest.fixture
def inspection(institution, city_regulator):
    return record(institution, city_regulator, findings=2)


def issue(inspection, regulator, **kwargs) -> RectificationOrder:
    return services.order_issue(
        inspection=inspection, findings=inspection.findings.all(), by=regulator, **kwargs
    )


def answer(order, by, *, submit=True):
    return services.answer_save(
        order=order, by=by, measures={f.pk: "已整改。" for f in order.findings.all()}, submit=submit
    )


def test_an_order_is_due_in_the_configured_number_of_days_by_default(inspection, city_regulator, settings):
    settings.RECTIFICATION_DUE_DAYS = 45
    order = issue(inspection, city_regulator)
    assert order.due_on == TODAY + datetime.timedelta(days=45) and order.status == OrderStatus.OPEN


def test_issuing_needs_findings_of_this_inspection_and_a_future_date(inspection, institution, city_regulator):
    with pytest.raises(ValidationError) as error:
        services.order_issue(inspection=inspection, findings=[], by=city_regulator)
    assert "请至少选择一项" in str(error.value)
    other = record(institution, city_regulator)
    with pytest.raises(ValidationError) as error:
        services.order_issue(inspection=inspection, findings=other.findings.all(), by=city_regulator)
    assert "只能选择本次检查发现的问题" in str(error.value)
    with pytest.raises(ValidationError) as error:
        issue(inspection, city_regulator, due_on=TODAY)
    assert "整改期限须晚于今天" in str(error.value)
    assert not RectificationOrder.objects.exists()


def test_a_fine_needs_its_amount_and_a_warning_has_none(institution, city_regulator):
    fine = {"kind": PenaltyKind.FINE, "decision_number": "宁市监罚〔2026〕1号", "decided_on": TODAY}
    with pytest.raises(ValidationError) as error:
        record(institution, city_regulator, penalties=[fine])
    assert "罚款须填写金额" in str(error.value)
    warning = {**fine, "kind": PenaltyKind.WARNING, "amount": 100}
    with pytest.raises(ValidationError):
        record(institution, city_regulator, penalties=[warning])
    assert not Penalty.objects.exists()


def test_a_return_needs_a_comment_and_changes_nothing_without_one(inspection, city_regulator, inst_admin):
    order = issue(inspection, city_regulator)
    answer(order, inst_admin)
    with pytest.raises(ValidationError):
        services.order_return(order=order, by=city_regulator, comment="  ")
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED and order.rounds.get().decision == ""


def test_only_a_submitted_answer_can_be_decided(inspection, city_regulator):
    order = issue(inspection, city_regulator)
    with pytest.raises(InvalidTransition):
        services.order_accept(order=order, by=city_regulator)


def test_an_institution_cannot_take_the_regulators_step(inspection, city_regulator, inst_admin):
    order = issue(inspection, city_regulator)
    answer(order, inst_admin)
    with pytest.raises(InvalidTransition):
        services.order_accept(order=order, by=inst_admin, side=Side.INSTITUTION)


def test_an_overdue_order_can_still_be_answered_and_accepted_and_stays_marked(
    inspection, city_regulator, inst_admin
):
    order = issue(inspection, city_regulator)
    services.order_mark_overdue(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.OVERDUE and order.was_overdue
    answer(order, inst_admin)
    services.order_accept(order=order, by=city_regulator)
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.was_overdue
    assert order.rounds.get().decision == RoundDecision.ACCEPTED


def test_an_accepted_order_cannot_be_answered_again(inspection, city_regulator, inst_admin):
    order = issue(inspection, city_regulator)
    answer(order, inst_admin)
    services.order_accept(order=order, by=city_regulator)
    with pytest.raises(InvalidTransition):
        answer(order, inst_admin, submit=False)


def test_a_penalty_disclosure_carries_no_persons_numbers(institution, city_regulator):
    id_card = make_id_card(7)
    inspection = record(
        institution,
        city_regulator,
        penalties=[
            {
                "kind": PenaltyKind.FINE,
                "amount": 30000,
                "decision_number": "宁市监罚〔2026〕8号",
                "decided_on": TODAY,
                "description": f"出具不实报告，当事人（身份证 {id_card}，电话 13912345678）。",
            }
        ],
    )
    penalty = inspection.penalties.get()
    services.penalty_disclose(penalty=penalty, by=city_regulator, note="联系人手机 13698765432。")
    event = DomainEvent.objects.get(kind=DISCLOSURE_REQUESTED)
    text = str(event.payload)
    assert id_card not in text and "13912345678" not in text and "13698765432" not in text
    assert "30,000.00 元" in event.payload["body"] and "宁市监罚〔2026〕8号" in event.payload["title"]
    assert event.payload["kind"] == "penalty" and event.payload["region_code"] == institution.region_code
    penalty.refresh_from_db()
    assert penalty.disclosed_at is not None


def test_redaction_masks_id_cards_and_mobiles_but_not_other_numbers():
    id_card = make_id_card(7)
    text = f"证书 231013050214，身份证{id_card}，电话13912345678，座机 025-83456789。"
    redacted = redact_personal_numbers(text)
    assert id_card not in redacted and "13912345678" not in redacted
    assert "231013050214" in redacted and "025-83456789" in redacted and "139****5678" in redacted


def test_marking_overdue_twice_or_after_an_answer_changes_nothing(inspection, city_regulator, inst_admin):
    order = issue(inspection, city_regulator)
    services.order_mark_overdue(order=order)
    services.order_mark_overdue(order=order)
    assert DomainEvent.objects.filter(kind="rectification.order_overdue").count() == 1
    other = issue(record(inspection.institution, city_regulator), city_regulator)
    answer(other, inst_admin)
    services.order_mark_overdue(order=other)
    other.refresh_from_db()
    assert other.status == OrderStatus.SUBMITTED and other.overdue_at is None
