"""Two reviewers deciding the same submission at the same moment: exactly one wins.

Needs real concurrent transactions (two threads, two database connections), so it runs on PostgreSQL;
SQLite serialises every write on one file and would prove nothing.
"""

import threading

import pytest
from django.db import connection, connections

from sujt.core.choices import ReviewStatus
from sujt.core.models import ReviewTransition
from sujt.core.workflow import InvalidTransition, review_approve, review_reject

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL for truly concurrent transactions (set DATABASE_URL=postgres://…); "
        "SQLite serialises every write",
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(3))
def test_two_concurrent_decisions_on_one_submission_exactly_one_wins(
    rounds, make_submission, city_regulator, province_regulator
):
    submission = make_submission(status=ReviewStatus.SUBMITTED)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(name, service, user, comment):
        try:
            obj = type(submission).objects.get(pk=submission.pk)  # each thread its own copy
            start.wait(timeout=10)
            service(obj=obj, by=user, comment=comment)
            outcomes[name] = "won"
        except InvalidTransition as exc:
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=("approve", review_approve, city_regulator, "同意")),
        threading.Thread(target=decide, args=("reject", review_reject, province_regulator, "不同意")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(type(o).__name__ for o in outcomes.values()) == ["InvalidTransition", "str"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    logs = list(ReviewTransition.objects.filter(object_id=submission.pk))
    assert len(logs) == 1
    assert logs[0].from_status == ReviewStatus.SUBMITTED
    submission.refresh_from_db()
    expected = ReviewStatus.APPROVED if winner == "approve" else ReviewStatus.REJECTED
    assert submission.status == expected == logs[0].to_status
