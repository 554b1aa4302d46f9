"""Domain events (sujt.core.events): recorded with their cause, each handler once after commit, retried,
visible to the province in admin."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from sujt.core import events
from sujt.core.choices import EventDeliveryStatus as S
from sujt.core.events import InvalidEvent, event_deliver, event_record, events_dispatch, events_sweep
from sujt.core.models import DomainEvent, EventDelivery, Notification
from sujt.core.workflow import InvalidTransition, Side, transition
from tests.core.workflow_app.events import REPORT_APPROVED, report_approved_credit, report_province_approve
from tests.core.workflow_app.models import Report
from tests.core.workflow_app.models import ReportStatus as R

KIND = "test.happened"

# The subscriptions the apps made at start-up (each test below works on a registry of its own).
APP_SUBSCRIPTIONS = {kind: list(handlers) for kind, handlers in events._subscribers.items()}

# What the handlers saw: (handler, event key), in order.
CALLS: list[tuple[str, str]] = []
FLAKY = {"fail": True}


def _echo(event: DomainEvent, by: str) -> None:
    """A handler's own write, to see it kept or rolled back."""
    CALLS.append((by, event.key))
    DomainEvent.objects.create(kind="test.echo", key=f"echo:{by}:{event.key}:{len(CALLS)}")


def steady(event: DomainEvent) -> None:
    _echo(event, "steady")


def flaky(event: DomainEvent) -> None:
    _echo(event, "flaky")
    if FLAKY["fail"]:
        raise RuntimeError("the other module is down")


def echoes(by: str) -> int:
    return DomainEvent.objects.filter(kind="test.echo", key__startswith=f"echo:{by}:").count()


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """A registry of this test's own; the apps' subscriptions come back afterwards."""
    monkeypatch.setattr(events, "_subscribers", {})
    CALLS.clear()
    FLAKY["fail"] = True
    events.subscribe(KIND, steady)
    events.subscribe(KIND, flaky)


@pytest.fixture
def t0():
    """A moment just after the events a test records are due (the clock is passed, never waited for)."""
    return timezone.now() + timedelta(seconds=1)


def record(key: str = "test:1", **kwargs) -> DomainEvent:
    kwargs.setdefault("kind", KIND)
    return event_record(key=key, **kwargs)


def delivery(event: DomainEvent, handler) -> EventDelivery:
    return EventDelivery.objects.get(event=event, handler=events.handler_name(handler))


# --- recording ---------------------------------------------------------------------------------------


def test_an_event_recorded_in_a_rolled_back_transaction_never_exists_and_never_runs(
    db, t0, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record()
        raise RuntimeError("the cause failed")
    assert callbacks == []
    assert not DomainEvent.objects.exists()
    assert not EventDelivery.objects.exists()
    assert events_sweep(now=t0 + timedelta(days=365)) == {}
    assert CALLS == []


def test_after_commit_each_subscribed_handler_runs_once_even_if_dispatch_and_sweep_run_again(
    db, django_capture_on_commit_callbacks
):
    FLAKY["fail"] = False
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = record()
        assert CALLS == []  # nothing runs before the cause commits
    assert CALLS == [("steady", "test:1"), ("flaky", "test:1")]

    assert events_dispatch(event_id=event.pk) == {}
    assert events_sweep(now=timezone.now() + timedelta(days=30)) == {}
    assert (
        event_deliver(delivery_id=delivery(event, steady).pk, now=timezone.now() + timedelta(days=30)) is None
    )
    assert len(CALLS) == 2
    assert (echoes("steady"), echoes("flaky")) == (1, 1)
    rows = EventDelivery.objects.filter(event=event)
    assert {(row.status, row.attempts) for row in rows} == {(S.DONE, 1)}
    assert all(row.done_at is not None for row in rows)


def test_recording_the_same_key_again_returns_the_first_event_and_queues_nothing(
    db, django_capture_on_commit_callbacks
):
    FLAKY["fail"] = False
    with django_capture_on_commit_callbacks(execute=True):
        first = record(payload={"n": 1})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = record(payload={"n": 2})
    assert again.pk == first.pk and again.payload == {"n": 1}
    assert callbacks == []
    assert DomainEvent.objects.filter(kind=KIND).count() == 1
    assert EventDelivery.objects.count() == 2
    assert len(CALLS) == 2


def test_a_key_taken_by_another_kind_is_refused(db):
    record()
    with pytest.raises(InvalidEvent, match=r"taken by an event of kind 'test\.happened'"):
        record(kind="test.other")


def test_the_event_keeps_institution_source_and_payload(db, institution):
    by_object = record("test:object", institution=institution, source=institution, payload={"a": [1, "二"]})
    by_id = record("test:id", institution=institution.pk)
    by_object.refresh_from_db()
    assert (by_object.institution_id, by_id.institution_id) == (institution.pk, institution.pk)
    assert by_object.source == institution
    assert by_object.payload == {"a": [1, "二"]}


def test_only_handlers_subscribed_when_the_event_is_recorded_get_it(db):
    events.unsubscribe(KIND, flaky)
    event = record()
    assert list(event.deliveries.values_list("handler", flat=True)) == [events.handler_name(steady)]
    assert not record("test:nobody", kind="test.unheard").deliveries.exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"when": timezone.now()}, "JSON-serialisable"),
        ({"n": float("nan")}, "JSON-serialisable"),
        ({"pair": (1, 2)}, "read back unchanged"),
        ({1: "one"}, "read back unchanged"),
        (["not", "a", "dict"], "must be a dict"),
        ({"body": "字" * 30000}, "at most 65536 bytes"),
    ],
)
def test_a_payload_that_is_not_small_json_is_refused_with_a_clear_error(db, payload, message):
    with pytest.raises(InvalidEvent, match=message):
        record(payload=payload)
    assert not DomainEvent.objects.exists()


def test_an_empty_key_an_unsaved_source_and_a_lambda_handler_are_refused(db):
    with pytest.raises(InvalidEvent, match="key"):
        record(key="")
    with pytest.raises(InvalidEvent, match="saved first"):
        record(source=DomainEvent(kind="x", key="y"))
    with pytest.raises(InvalidEvent, match="module-level function"):
        events.subscribe(KIND, lambda event: None)


# --- failures and retries ----------------------------------------------------------------------------


def test_a_failing_handler_is_rolled_back_and_retried_while_the_others_are_done(
    db, t0, django_capture_on_commit_callbacks
):
    event = record()
    assert events_dispatch(event_id=event.pk, now=t0) == {"done": 1, "pending": 1}

    failing = delivery(event, flaky)
    assert (failing.status, failing.attempts) == (S.PENDING, 1)
    assert "RuntimeError: the other module is down" in failing.last_error
    assert failing.next_attempt_at == t0 + timedelta(minutes=1)
    assert echoes("flaky") == 0  # its write went with the failure
    assert (delivery(event, steady).status, echoes("steady")) == (S.DONE, 1)

    assert events_sweep(now=t0 + timedelta(seconds=30)) == {}  # not due yet
    FLAKY["fail"] = False
    assert events_sweep(now=t0 + timedelta(minutes=2)) == {"done": 1}
    failing.refresh_from_db()
    assert (failing.status, failing.attempts, failing.last_error) == (S.DONE, 2, "")
    assert (echoes("flaky"), echoes("steady")) == (1, 1)
    assert [by for by, _key in CALLS] == ["steady", "flaky", "flaky"]


def test_retries_wait_longer_each_time_up_to_a_cap():
    assert [events.retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert events.retry_delay(30) == timedelta(hours=6)


def test_after_the_last_attempt_the_delivery_is_failed_and_runs_no_more(db, t0, settings):
    settings.EVENT_MAX_ATTEMPTS = 3
    event = record()
    now = t0
    for _attempt in range(3):
        events_sweep(now=now)
        now += timedelta(hours=7)
    failing = delivery(event, flaky)
    assert (failing.status, failing.attempts) == (S.FAILED, 3)
    assert events_sweep(now=now + timedelta(days=30)) == {}
    assert echoes("flaky") == 0 and len([call for call in CALLS if call[0] == "flaky"]) == 3


def test_runs_that_die_with_their_worker_give_up_after_the_last_attempt(db, t0, settings):
    """A worker killed mid-run records no error; the lease lets the delivery run again, but only until
    its attempts are used up."""
    settings.EVENT_MAX_ATTEMPTS = 2
    event = record()
    dying = delivery(event, flaky)
    # Two runs that were claimed and never came back (the claim is all a dead worker leaves).
    EventDelivery.objects.filter(pk=dying.pk).update(attempts=2, next_attempt_at=t0)
    assert event_deliver(delivery_id=dying.pk, now=t0 + timedelta(minutes=1)) == S.FAILED
    dying.refresh_from_db()
    assert (dying.status, dying.attempts) == (S.FAILED, 2)
    assert "中断" in dying.last_error
    assert echoes("flaky") == 0 and not [call for call in CALLS if call[0] == "flaky"]


def test_a_run_that_cannot_even_find_its_handler_is_kept_as_an_error(db):
    event = record("test:gone", kind="test.gone")
    gone = EventDelivery.objects.create(event=event, handler="tests.core.test_events.no_such_handler")
    assert event_deliver(delivery_id=gone.pk) == S.PENDING
    gone.refresh_from_db()
    assert "no_such_handler" in gone.last_error


def test_a_broker_down_at_commit_loses_nothing_the_sweep_runs_it(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    from sujt.core import tasks

    def broker_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(tasks.events_dispatch_task, "delay", broker_down)
    FLAKY["fail"] = False
    with django_capture_on_commit_callbacks(execute=True):
        event = record()  # the commit succeeds all the same
    assert CALLS == []
    assert events_sweep(now=timezone.now() + timedelta(minutes=1)) == {"done": 2}
    assert event.deliveries.filter(status=S.DONE).count() == 2


def test_the_sweep_runs_as_a_beat_job(db, settings):
    from sujt.core.tasks import events_sweep_task

    entry = settings.CELERY_BEAT_SCHEDULE["events-sweep"]
    assert entry["task"] == events_sweep_task.name
    FLAKY["fail"] = False
    record()
    assert events_sweep_task() == {"done": 2}


# A handler that holds its transaction open until the test lets it go.
HOLD = {"started": threading.Event(), "go": threading.Event()}


def slow(event: DomainEvent) -> None:
    HOLD["started"].set()
    assert HOLD["go"].wait(timeout=30)
    _echo(event, "slow")


def _waiting_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for truly concurrent transactions"
)
@pytest.mark.django_db(transaction=True)
def test_a_second_run_after_the_lease_waits_for_the_first_and_does_not_run_the_handler_again(t0, monkeypatch):
    monkeypatch.setattr(events, "_dispatch_queue", lambda event_id: None)  # the test runs it
    events._subscribers.clear()
    events.subscribe(KIND, slow)
    HOLD["started"].clear()
    HOLD["go"].clear()
    target = delivery(record(), slow)
    outcomes: dict[str, object] = {}

    def run(name, now):
        try:
            outcomes[name] = event_deliver(delivery_id=target.pk, now=now)
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=("first", t0))
    first.start()
    assert HOLD["started"].wait(timeout=30)
    # The first run is inside its handler, past its lease: a second run would claim the delivery, but
    # the row is locked by the first run's done mark until it commits, and then it is done.
    second = threading.Thread(target=run, args=("second", t0 + events.RUN_LEASE + timedelta(minutes=1)))
    second.start()
    for _poll in range(3000):
        if _waiting_locks() or not second.is_alive():
            break
        threading.Event().wait(0.01)
    HOLD["go"].set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert outcomes == {"first": S.DONE, "second": None}
    assert echoes("slow") == 1
    target.refresh_from_db()
    assert (target.status, target.attempts) == (S.DONE, 1)


# --- the throwaway app: a workflow transition's service records an event, a subscriber handles it --


@pytest.fixture
def report_in_province_review(institution, inst_admin, city_regulator):
    events.subscribe(REPORT_APPROVED, report_approved_credit)
    report = Report.objects.create(institution=institution, title="2025年度运营数据报表")
    transition(obj=report, name="submit", by=inst_admin, side=Side.INSTITUTION)
    transition(obj=report, name="city_approve", by=city_regulator, side=Side.CITY)
    return report


def credit_notices() -> list[tuple[str, str]]:
    rows = Notification.objects.filter(title__startswith="信用加分")
    return list(rows.values_list("recipient__name", "title"))


def test_the_test_app_subscribes_at_start_up():
    assert events.handler_name(report_approved_credit) in APP_SUBSCRIPTIONS[REPORT_APPROVED]


def test_a_transition_records_its_event_and_the_subscriber_handles_it_once_after_commit(
    report_in_province_review, institution, province_regulator, django_capture_on_commit_callbacks
):
    report = report_in_province_review
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        report_province_approve(report=report, by=province_regulator)
        assert credit_notices() == []  # the subscriber waits for the commit
    assert credit_notices() == [("机构管理员甲", "信用加分已登记：2025年度运营数据报表")]
    event = DomainEvent.objects.get(kind=REPORT_APPROVED)
    assert (event.source, event.institution_id) == (report, institution.pk)

    with pytest.raises(InvalidTransition):  # approved already: no second event, no second effect
        report_province_approve(report=report, by=province_regulator)
    assert events_sweep(now=timezone.now() + timedelta(days=1)) == {}
    assert DomainEvent.objects.filter(kind=REPORT_APPROVED).count() == 1
    assert len(credit_notices()) == 1


def test_a_rolled_back_transition_leaves_no_event_and_no_effect(
    report_in_province_review, province_regulator, django_capture_on_commit_callbacks
):
    report = report_in_province_review
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report_province_approve(report=report, by=province_regulator)
        raise RuntimeError("the rest of the approval failed")
    report.refresh_from_db()
    assert report.status == R.PROVINCE_REVIEW
    assert not DomainEvent.objects.filter(kind=REPORT_APPROVED).exists()
    assert events_sweep(now=timezone.now() + timedelta(days=1)) == {}
    assert credit_notices() == []


# --- admin -------------------------------------------------------------------------------------------

EVENTS_URL = reverse("admin:core_domainevent_changelist")
DELIVERIES_URL = reverse("admin:core_eventdelivery_changelist")


@pytest.fixture
def failed_event(db, settings):
    settings.EVENT_MAX_ATTEMPTS = 1
    event = record("test:failed")
    events_dispatch(event_id=event.pk)
    assert delivery(event, flaky).status == S.FAILED
    return event


def test_a_failed_delivery_is_visible_in_the_admin_lists(client_for, failed_event):
    client = client_for("province_regulator")
    response = client.get(DELIVERIES_URL, {"status__exact": S.FAILED})
    assert [row.handler for row in response.context["cl"].result_list] == [events.handler_name(flaky)]
    assert "失败（不再重试）" in response.content.decode()

    page = client.get(EVENTS_URL, {"delivery": S.FAILED}).content.decode()
    assert "test:failed" in page and "失败 1" in page and "已处理 1" in page
    detail = client.get(reverse("admin:core_domainevent_change", args=[failed_event.pk])).content.decode()
    assert "RuntimeError" in detail and events.handler_name(flaky) in detail
    assert client.get(EVENTS_URL, {"delivery": S.PENDING}).context["cl"].result_count == 0
    found = client.get(EVENTS_URL, {"q": "echo:"}).context["cl"].result_list
    assert [event.key for event in found] == ["echo:steady:test:failed:1"]  # flaky's went with its failure


def test_retry_now_reruns_a_failed_delivery(client_for, failed_event, django_capture_on_commit_callbacks):
    failing = delivery(failed_event, flaky)
    FLAKY["fail"] = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("superuser").post(
            DELIVERIES_URL, {"action": "retry_selected", "_selected_action": [failing.pk]}, follow=True
        )
    assert "已重新排队 1 项" in response.content.decode()
    failing.refresh_from_db()
    assert (failing.status, failing.attempts) == (S.DONE, 1)
    assert echoes("flaky") == 1 and echoes("steady") == 1


def test_retry_leaves_done_deliveries_alone(failed_event, superuser):
    done = delivery(failed_event, steady)
    assert events.event_delivery_retry(delivery_ids=[done.pk], by=superuser) == 0
    done.refresh_from_db()
    assert done.status == S.DONE


@pytest.mark.parametrize("who", ["city_regulator", "inst_admin"])
def test_city_regulators_and_institutions_cannot_reach_the_event_admin(client_for, failed_event, who):
    client = client_for(who)
    failing = delivery(failed_event, flaky)
    for url in (
        EVENTS_URL,
        DELIVERIES_URL,
        reverse("admin:core_domainevent_change", args=[failed_event.pk]),
        reverse("admin:core_eventdelivery_change", args=[failing.pk]),
    ):
        assert client.get(url).status_code in (302, 403), url
    response = client.post(DELIVERIES_URL, {"action": "retry_selected", "_selected_action": [failing.pk]})
    assert response.status_code in (302, 403)
    failing.refresh_from_db()
    assert failing.status == S.FAILED
    if who == "city_regulator":
        assert "领域事件" not in client.get(reverse("admin:index")).content.decode()


def test_events_cannot_be_added_changed_or_deleted_by_hand(client_for, failed_event):
    client = client_for("superuser")
    assert client.get(reverse("admin:core_domainevent_add")).status_code == 403
    assert client.get(reverse("admin:core_eventdelivery_add")).status_code == 403
    url = reverse("admin:core_domainevent_change", args=[failed_event.pk])
    assert client.post(url, {"kind": "changed", "key": "changed"}).status_code == 403
    assert client.get(reverse("admin:core_domainevent_delete", args=[failed_event.pk])).status_code == 403
    failed_event.refresh_from_db()
    assert failed_event.kind == KIND
    assert "领域事件" in client_for("province_regulator").get(reverse("admin:index")).content.decode()
