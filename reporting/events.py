"""The domain events 07/08 运营数据填报 records (sujt.core.events), for credit to subscribe to.

Each is recorded in the transaction of its cause, with `institution=` the institution that owed the
report (for a center's report, its host), `source=` the assignment, and a key naming the assignment.
"""

ASSIGNMENT_OVERDUE = "reporting.assignment_overdue"
"""An assignment was not submitted by its deadline (未按期填报运营数据). Source: the assignment.
Key `reporting.assignment:<id>:overdue`. Payload: assignment_id, task_id, due_on, overdue_on (ISO dates)."""

ASSIGNMENT_EXCUSED = "reporting.assignment_excused"
"""A regulator excused an overdue assignment (免于逾期): its lateness no longer counts. Source: the
assignment. Key `reporting.assignment:<id>:excused`. Payload: assignment_id, task_id, excused_on, reason."""

KINDS = (ASSIGNMENT_OVERDUE, ASSIGNMENT_EXCUSED)
