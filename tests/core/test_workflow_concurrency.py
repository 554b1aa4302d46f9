"""Two reviewers deciding the same submission at the same moment: exactly one wins.

Needs real concurrent transactions (two threads, two database connections), so it runs on PostgreSQL;
SQLite serialises every write on one file and would prove nothing.
"""

import threading

import pytest
from django.db import connection, connections

from sujt.core.choices import ReviewStatus
from sujt.core.models import ReviewTransition
from sujt.core.workflow import InvalidTransition, Side, review_approve, review_reject, transition
from tests.core.workflow_app.models import Report, ReportStatus

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL for truly concurrent transactions (set DATABASE_URL=postgres://…); "
        "SQLite serialises every write",
    ),
]


def race(*deciders) -> dict[str, object]:
    """Runs each (name, decide) at the same moment, each in its own thread and database connection;
    returns name -> "won" or the InvalidTransition it raised."""
    start = threading.Barrier(len(deciders))
    outcomes: dict[str, object] = {}

    def run(name, decide):
        try:
            start.wait(timeout=10)
            decide()
            outcomes[name] = "won"
        except InvalidTransition as exc:
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=decider) for decider in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes.values()) == ["InvalidTransition", "str"]
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(3))
def test_two_concurrent_decisions_on_one_submission_exactly_one_wins(
    rounds, make_submission, city_regulator, province_regulator
):
    submission = make_submission(status=ReviewStatus.SUBMITTED)
    model = type(submission)
    # Each thread decides on its own copy, loaded before the race.
    first, second = model.objects.get(pk=submission.pk), model.objects.get(pk=submission.pk)

    outcomes = race(
        ("approve", lambda: review_approve(obj=first, by=city_regulator, comment="同意")),
        ("reject", lambda: review_reject(obj=second, by=province_regulator, comment="不同意")),
    )

    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    logs = list(ReviewTransition.objects.filter(object_id=submission.pk))
    assert len(logs) == 1
    assert logs[0].from_status == ReviewStatus.SUBMITTED
    submission.refresh_from_db()
    expected = ReviewStatus.APPROVED if winner == "approve" else ReviewStatus.REJECTED
    assert submission.status == expected == logs[0].to_status


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(3))
def test_a_declared_two_step_workflow_lets_one_of_two_concurrent_city_decisions_win(
    rounds, institution, city_regulator, province_regulator
):
    report = Report.objects.create(institution=institution, title="报表", status=ReportStatus.CITY_REVIEW)
    first, second = Report.objects.get(pk=report.pk), Report.objects.get(pk=report.pk)

    outcomes = race(
        ("approve", lambda: transition(obj=first, name="city_approve", by=city_regulator, side=Side.CITY)),
        (
            "return",
            lambda: transition(
                obj=second, name="city_return", by=province_regulator, comment="退回", side=Side.PROVINCE
            ),
        ),
    )

    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    logs = list(
        ReviewTransition.objects.filter(object_id=report.pk, action__in=["city_approve", "city_return"])
    )
    assert [log.action for log in logs] == [f"city_{winner}"]
    report.refresh_from_db()
    assert report.status == logs[0].to_status
    assert report.history.count() == 2  # the creation and the one winning transition
