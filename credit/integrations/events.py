"""Credit consumes the domain events of 03 机构整改 (docs/rectification-events.md): each becomes at most
one credit event, keyed by the record it names, so a delivery run twice, or the same record reported
again, never counts twice.

- finding recorded → K07 出具不实报告 / K08 出具虚假报告 by its category, otherwise K02 (one per finding);
- penalty recorded → K10 资质认定证书被撤销 for a revocation, otherwise K09 行政处罚;
- order issued → K03 责令限期整改; order overdue → K04 逾期未完成整改, once per order whatever deadline;
- order accepted → the order's deductions (K03, K04, and those of the findings it named) are rectified:
  from then on the institution may apply to repair them.

the events of 07/08 运营数据填报 (reporting/events.py):

- assignment overdue → K05 未按期填报运营数据 for an institution in credit's scope, once per assignment
  (unless it was excused before the event was handled);
- assignment excused → that K05 is voided (已撤销) and the score recalculated;

and the event of 04 中心建设 (centers/events.py):

- center running → J05 国家级质检中心 / J06 省级质检中心 for a 质检中心 (once per center, from its
  acceptance date); the point table names quality-inspection centers only, so metrology centers earn none.
"""

import datetime

from centers import events as center_events
from rectification import events as rectification_events
from reporting import events as reporting_events
from sujt.core.events import subscribe
from sujt.core.models import DomainEvent

from ..choices import EventSource
from ..services import credit_institutions, event_record, events_rectified, events_void

FINDING_ITEMS = {"report_untrue": "K07", "report_false": "K08"}
FINDING_ITEM_DEFAULT = "K02"
PENALTY_ITEMS = {"revocation": "K10"}
PENALTY_ITEM_DEFAULT = "K09"


def _day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def finding_key(finding_id: int) -> str:
    return f"rectification.finding:{finding_id}"


def order_key(order_id: int) -> str:
    return f"rectification.order:{order_id}"


def order_overdue_key(order_id: int) -> str:
    return f"rectification.order:{order_id}:overdue"


def _record(event: DomainEvent, *, item_code: str, occurred_on: str, source: str, key: str) -> None:
    event_record(
        institution_id=event.institution_id,
        item_code=item_code,
        occurred_on=_day(occurred_on),
        source=source,
        source_key=key,
        source_object=event.source,
        details={"event": event.kind, **event.payload},
    )


def on_finding_recorded(event: DomainEvent) -> None:
    payload = event.payload
    _record(
        event,
        item_code=FINDING_ITEMS.get(payload["category"], FINDING_ITEM_DEFAULT),
        occurred_on=payload["inspected_on"],
        source=EventSource.FINDING,
        key=finding_key(payload["finding_id"]),
    )


def on_penalty_recorded(event: DomainEvent) -> None:
    payload = event.payload
    _record(
        event,
        item_code=PENALTY_ITEMS.get(payload["kind"], PENALTY_ITEM_DEFAULT),
        occurred_on=payload["decided_on"],
        source=EventSource.PENALTY,
        key=f"rectification.penalty:{payload['penalty_id']}",
    )


def on_order_issued(event: DomainEvent) -> None:
    payload = event.payload
    _record(
        event,
        item_code="K03",
        occurred_on=payload["issued_on"],
        source=EventSource.ORDER,
        key=order_key(payload["order_id"]),
    )


def on_order_overdue(event: DomainEvent) -> None:
    payload = event.payload
    _record(
        event,
        item_code="K04",
        occurred_on=payload["overdue_on"],
        source=EventSource.ORDER_OVERDUE,
        key=order_overdue_key(payload["order_id"]),
    )


def on_order_accepted(event: DomainEvent) -> None:
    payload = event.payload
    order_id = payload["order_id"]
    # The order's findings, from the event that issued it (recorded days before, in its own right).
    issued = (
        DomainEvent.objects.filter(key=f"rectification.order:{order_id}:issued")
        .values_list("payload", flat=True)
        .first()
    )
    finding_ids = (issued or {}).get("finding_ids", [])
    events_rectified(
        source_keys=[
            order_key(order_id),
            order_overdue_key(order_id),
            *(finding_key(pk) for pk in finding_ids),
        ],
        rectified_on=_day(payload["accepted_on"]),
    )


def report_overdue_key(assignment_id: int) -> str:
    return f"reporting.assignment:{assignment_id}:overdue"


def on_report_overdue(event: DomainEvent) -> None:
    payload = event.payload
    excused = DomainEvent.objects.filter(
        key=f"reporting.assignment:{payload['assignment_id']}:excused"
    ).exists()
    if excused or not credit_institutions().filter(pk=event.institution_id).exists():
        return
    _record(
        event,
        item_code="K05",
        occurred_on=payload["overdue_on"],
        source=EventSource.REPORT_OVERDUE,
        key=report_overdue_key(payload["assignment_id"]),
    )


def on_report_excused(event: DomainEvent) -> None:
    events_void(
        source_keys=[report_overdue_key(event.payload["assignment_id"])],
        reason="监管部门准予免于逾期，扣分撤销",
    )


CENTER_ITEMS = {("national", "quality"): "J05", ("provincial", "quality"): "J06"}


def on_center_running(event: DomainEvent) -> None:
    payload = event.payload
    item_code = CENTER_ITEMS.get((payload["level"], payload["kind"]))
    if item_code is None:
        return
    _record(
        event,
        item_code=item_code,
        occurred_on=payload["running_on"],
        source=EventSource.CENTER,
        key=f"centers.center:{payload['center_id']}",
    )


subscribe(rectification_events.FINDING_RECORDED, on_finding_recorded)
subscribe(rectification_events.PENALTY_RECORDED, on_penalty_recorded)
subscribe(rectification_events.ORDER_ISSUED, on_order_issued)
subscribe(rectification_events.ORDER_OVERDUE, on_order_overdue)
subscribe(rectification_events.ORDER_ACCEPTED, on_order_accepted)
subscribe(reporting_events.ASSIGNMENT_OVERDUE, on_report_overdue)
subscribe(reporting_events.ASSIGNMENT_EXCUSED, on_report_excused)
subscribe(center_events.CENTER_RUNNING, on_center_running)
