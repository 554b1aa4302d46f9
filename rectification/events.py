"""The domain events 03 机构整改 records (sujt.core.events), for modules above it (credit) to subscribe to.

Each is recorded in the transaction of its cause, with `institution=` the institution concerned, `source=`
the record named below and an idempotency key naming that record, so each happens once per record
however often the service runs. docs/rectification-events.md describes them for the credit module.
"""

FINDING_RECORDED = "rectification.finding_recorded"
"""A finding of an inspection was recorded. Source: the Finding. Key `rectification.finding:<id>:recorded`.
Payload: finding_id, inspection_id, inspection_kind, inspected_on (ISO date), category, severity."""

PENALTY_RECORDED = "rectification.penalty_recorded"
"""A penalty was recorded. Source: the Penalty. Key `rectification.penalty:<id>:recorded`.
Payload: penalty_id, inspection_id, kind, amount (str 元 or null), decision_number, decided_on (ISO date)."""

ORDER_ISSUED = "rectification.order_issued"
"""A rectification order (责令限期整改) was issued. Source: the order. Key `rectification.order:<id>:issued`.
Payload: order_id, inspection_id, finding_ids, issued_on (ISO date), due_on (ISO date)."""

ORDER_OVERDUE = "rectification.order_overdue"
"""An order passed its deadline unanswered (逾期未完成整改). Source: the order.
Key `rectification.order:<id>:overdue:<due_on>`. Payload: order_id, due_on, overdue_on (ISO dates)."""

ORDER_ACCEPTED = "rectification.order_accepted"
"""An order was accepted (整改完成). Source: the order. Key `rectification.order:<id>:accepted`.
Payload: order_id, inspection_id, accepted_on (ISO date), was_overdue (bool), rounds (int)."""

KINDS = (FINDING_RECORDED, PENALTY_RECORDED, ORDER_ISSUED, ORDER_OVERDUE, ORDER_ACCEPTED)
