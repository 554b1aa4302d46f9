"""Domain events: how one module affects another without importing it (an outbox table).

A module records an event in the same transaction as the change that causes it; modules higher up
subscribe to its kind at start-up; after commit the worker runs every subscribed handler once.

    # rectification/services.py — inside the service's transaction
    event_record(
        kind=DISCLOSURE_REQUESTED,
        key=f"rectification.inspection:{inspection.pk}:disclosure",
        institution=inspection.institution,
        source=inspection,
        payload={"key": f"rectification.inspection:{inspection.pk}", "kind": "inspection", ...},
    )

    # news/integrations/events.py — imported by NewsConfig.ready()
    def disclosure_on_request(event: DomainEvent) -> None: ...
    subscribe(DISCLOSURE_REQUESTED, disclosure_on_request)

The guarantees, and what gives them:

- An event recorded in a transaction that rolls back never existed: it is a row of that transaction,
  and its dispatch is queued with `transaction.on_commit`.
- `key` makes recording idempotent: recording the same key again returns the first event.
- Each handler of an event has one EventDelivery row, created with the event for the handlers
  subscribed at that moment. A handler runs in a transaction that also marks its delivery done, with a
  conditional UPDATE on "still pending": a handler's writes and its done mark commit together or not at
  all, and two runs racing for one delivery cannot both commit, so each handler takes effect once.
- A handler that raises is rolled back, its error is kept, and it is retried with a growing delay, up to
  settings.EVENT_MAX_ATTEMPTS runs, then marked failed (admin: 事件处理, 立即重试). One failing handler
  never stops the others.
- The dispatch task queued on commit is only the fast path: the beat job `events_sweep` runs every
  delivery that is due, so a stopped worker or a lost task delays effects and loses none.

Handlers therefore run at least once until one run commits; a handler's effects outside the database
(an SMS, a file) are not rolled back with it and should be queued with `transaction.on_commit`.
"""

import json
import logging
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string

from .choices import EventDeliveryStatus
from .models import DomainEvent, EventDelivery

logger = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], None]

# --- Kinds defined in core (a kind that two levels of apps share must live below both) ----------------

DISCLOSURE_REQUESTED = "disclosure.requested"
"""A module asks for an inspection result or a penalty to be published on the portal (news subscribes).

Record it with `institution=` the institution concerned (it becomes the article's 涉及机构; may be
None) and `source=` the record disclosed. The payload (the parameters of news.services.disclosure_publish):

- "key" (str, required): names the disclosed record, e.g. "rectification.inspection:42". A later event
  with the same "key" (and its own event key, e.g. with a revision) updates that article instead of
  adding another.
- "kind" (str, required): "inspection" (监督检查) or "penalty" (行政处罚).
- "title", "body" (str, required): the article; body is HTML, sanitised on save. Public as given: no
  personal data (ID numbers, personal phones).
- "region_code" (str, required): the Jiangsu region code the article belongs to (e.g. "320100").
- "by_id" (int, required): the user who asks; the article's author.
- "summary", "source" (str, optional, default "").
- "published_at" (str, optional): ISO 8601 with its offset; default: when it is first published.
"""

# --- Limits ------------------------------------------------------------------------------------------

# The encoded payload, in bytes. An event carries what handlers need to decide, not documents: a
# handler reads anything larger from the source record.
PAYLOAD_MAX_BYTES = 64 * 1024
# What of a handler's traceback is kept on its delivery (the end of it, where the cause is).
ERROR_MAX_CHARS = 4000
# A claimed delivery is not claimed again for this long: a run killed midway is retried after it.
RUN_LEASE = timedelta(minutes=10)
# Retry delays: 1, 2, 4, … minutes, at most 6 hours.
RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=6)
# Deliveries run by one sweep; the rest wait for the next one.
SWEEP_LIMIT = 500


class InvalidEvent(ValueError):
    """An event that cannot be recorded as given (a programming error in the recording module)."""


# --- Subscriptions -----------------------------------------------------------------------------------

# kind -> {handler's dotted name: handler}, in subscription order.
_subscribers: dict[str, dict[str, Handler]] = {}


def handler_name(handler: Handler) -> str:
    """The dotted path a delivery stores for `handler` (module-level functions only)."""
    name = f"{handler.__module__}.{handler.__qualname__}"
    if "<" in name:  # "<lambda>", "<locals>": nothing a worker could import
        raise InvalidEvent(f"a handler must be a module-level function, not {name}")
    return name


def subscribe(kind: str, handler: Handler) -> None:
    """Runs `handler(event)` for every event of `kind` recorded from now on. Call it at start-up (from
    an app's integrations module imported by its AppConfig.ready()); subscribing twice is harmless."""
    _subscribers.setdefault(kind, {})[handler_name(handler)] = handler


def unsubscribe(kind: str, handler: Handler) -> None:
    """Stops new events of `kind` from reaching `handler` (deliveries already created still run)."""
    _subscribers.get(kind, {}).pop(handler_name(handler), None)


def subscriptions(kind: str) -> list[str]:
    """The dotted names of the handlers subscribed to `kind`."""
    return list(_subscribers.get(kind, {}))


def _handler_get(name: str) -> Handler:
    for handlers in _subscribers.values():
        if name in handlers:
            return handlers[name]
    # No longer subscribed (or subscribed in another process): the delivery still names it.
    return import_string(name)


# --- Recording ---------------------------------------------------------------------------------------


def _payload_check(payload: Any) -> None:
    if not isinstance(payload, dict):
        raise InvalidEvent(f"an event payload must be a dict, not {type(payload).__name__}")
    try:
        text = json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidEvent(f"an event payload must be JSON-serialisable: {exc}") from exc
    if json.loads(text) != payload:
        raise InvalidEvent(
            "an event payload must read back unchanged from JSON (no tuples, no non-string keys)"
        )
    size = len(text.encode())
    if size > PAYLOAD_MAX_BYTES:
        raise InvalidEvent(
            f"an event payload must be at most {PAYLOAD_MAX_BYTES} bytes as JSON, not {size}: "
            "pass ids and let the handler read the rest"
        )


def event_record(
    *,
    kind: str,
    key: str,
    institution: models.Model | int | None = None,
    source: models.Model | None = None,
    payload: dict | None = None,
) -> DomainEvent:
    """Records an event in the current transaction (call it inside the service's own atomic block).

    Idempotent by `key`: an event with that key already recorded is returned as it is and nothing is
    created or queued. Otherwise one delivery per handler subscribed to `kind` now is created and, once
    the transaction commits, their dispatch is queued. `institution` is an institution or its id.
    Raises InvalidEvent for an empty kind or key, a source not saved yet, or a payload that is not a
    small JSON object.
    """
    payload = {} if payload is None else payload
    if not kind or len(kind) > DomainEvent._meta.get_field("kind").max_length:
        raise InvalidEvent(f"an event kind must be 1 to 80 characters: {kind!r}")
    if not key or len(key) > DomainEvent._meta.get_field("key").max_length:
        raise InvalidEvent(f"an event key must be 1 to 200 characters: {key!r}")
    _payload_check(payload)
    if source is not None and source.pk is None:
        raise InvalidEvent("an event's source must be saved first")
    institution_id = institution.pk if isinstance(institution, models.Model) else institution
    with transaction.atomic():
        event, created = DomainEvent.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "institution_id": institution_id,
                "source_type": ContentType.objects.get_for_model(source) if source is not None else None,
                "source_id": source.pk if source is not None else None,
                "payload": payload,
            },
        )
        if not created:
            if event.kind != kind:
                raise InvalidEvent(f"the key {key!r} is taken by an event of kind {event.kind!r}")
            return event
        handlers = subscriptions(kind)
        EventDelivery.objects.bulk_create(
            EventDelivery(event=event, handler=name, next_attempt_at=event.created_at) for name in handlers
        )
        if handlers:
            transaction.on_commit(lambda: _dispatch_queue(event.pk), robust=True)
    return event


def _dispatch_queue(event_id: int) -> None:
    from .tasks import events_dispatch_task

    # robust on_commit: a broker that is down must not fail the request; the sweep runs it later.
    events_dispatch_task.delay(event_id)


# --- Delivering --------------------------------------------------------------------------------------


INTERRUPTED_ERROR = "处理中断（进程退出或超时），已达最多尝试次数，不再重试。"


def retry_delay(attempts: int) -> timedelta:
    """How long a delivery waits after its `attempts`-th run failed."""
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_MAX)


def event_deliver(*, delivery_id: int, now: datetime | None = None) -> str | None:
    """Runs one handler for one event, if its delivery is pending and due at `now`.

    Returns the delivery's status after the run ("done", "pending" when it will be retried, "failed"
    when it gave up), or None when there was nothing to run (done already, not due yet, or another run
    holds it).
    """
    now = now or timezone.now()
    Status = EventDeliveryStatus
    # A run that died with its worker recorded no error and stays pending: once it has used every
    # attempt it gives up like a failing run, instead of being retried after each lease for ever.
    exhausted = EventDelivery.objects.filter(
        pk=delivery_id,
        status=Status.PENDING,
        next_attempt_at__lte=now,
        attempts__gte=settings.EVENT_MAX_ATTEMPTS,
    ).update(
        status=Status.FAILED,
        last_error=Case(
            When(last_error="", then=Value(INTERRUPTED_ERROR)),
            default=F("last_error"),
            output_field=models.TextField(),
        ),
    )
    if exhausted:
        logger.warning("event delivery %s gave up after its runs were interrupted", delivery_id)
        return Status.FAILED
    # The claim commits on its own (outside the handler's transaction): the attempt counts even if the
    # handler rolls back or the worker dies, and no other run takes the delivery before the lease ends.
    claimed = EventDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + RUN_LEASE)
    if not claimed:
        return None
    delivery = EventDelivery.objects.select_related("event").get(pk=delivery_id)
    try:
        handler = _handler_get(delivery.handler)
        with transaction.atomic():
            # The done mark first: it locks the row, so a second run of this delivery waits here and
            # then finds it done (or, if this run rolls back, pending again).
            finished = EventDelivery.objects.filter(pk=delivery_id, status=Status.PENDING).update(
                status=Status.DONE, done_at=now, last_error=""
            )
            if not finished:
                return None
            handler(delivery.event)
    except Exception as exc:  # any handler error: rolled back, kept, retried
        return _delivery_failed(delivery, exc, now=now)
    return Status.DONE


def _delivery_failed(delivery: EventDelivery, exc: Exception, *, now: datetime) -> str:
    text = "".join(traceback.format_exception(exc))
    if len(text) > ERROR_MAX_CHARS:
        text = "…" + text[-(ERROR_MAX_CHARS - 1) :]
    give_up = delivery.attempts >= settings.EVENT_MAX_ATTEMPTS
    status = EventDeliveryStatus.FAILED if give_up else EventDeliveryStatus.PENDING
    EventDelivery.objects.filter(pk=delivery.pk, status=EventDeliveryStatus.PENDING).update(
        status=status, last_error=text, next_attempt_at=now + retry_delay(delivery.attempts)
    )
    logger.warning(
        "event handler %s failed on %s (attempt %d%s): %s",
        delivery.handler,
        delivery.event.key,
        delivery.attempts,
        ", giving up" if give_up else "",
        exc,
    )
    return status


def _deliver_all(delivery_ids: Iterable[int], *, now: datetime) -> dict[str, int]:
    outcomes = Counter(event_deliver(delivery_id=pk, now=now) for pk in delivery_ids)
    outcomes.pop(None, None)
    return dict(outcomes)


def _due(now: datetime) -> models.QuerySet:
    return EventDelivery.objects.filter(status=EventDeliveryStatus.PENDING, next_attempt_at__lte=now)


def events_dispatch(*, event_id: int, now: datetime | None = None) -> dict[str, int]:
    """Runs the due deliveries of one event, in the order their handlers subscribed (the task queued
    when it commits). Returns how many ended in each status, e.g. {"done": 2, "pending": 1}."""
    now = now or timezone.now()
    ids = list(_due(now).filter(event_id=event_id).order_by("pk").values_list("pk", flat=True))
    return _deliver_all(ids, now=now)


def events_sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Runs every delivery that is due, the oldest first, at most `limit` of them (the beat job).
    Returns how many ended in each status."""
    now = now or timezone.now()
    ids = list(_due(now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return _deliver_all(ids, now=now)


def event_delivery_retry(*, delivery_ids: Iterable[int], by: Any) -> int:
    """立即重试: failed deliveries become pending with a fresh count of attempts and run once this
    commits. Deliveries that are not failed are left alone. Returns how many were reset."""
    Status = EventDeliveryStatus
    with transaction.atomic():
        failed = EventDelivery.objects.select_for_update().filter(
            pk__in=list(delivery_ids), status=Status.FAILED
        )
        rows = list(failed.values_list("pk", "event_id"))
        EventDelivery.objects.filter(pk__in=[pk for pk, _event in rows]).update(
            status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        for event_id in sorted({event_id for _pk, event_id in rows}):
            transaction.on_commit(lambda event_id=event_id: _dispatch_queue(event_id), robust=True)
    logger.info("user %s reset failed event deliveries %s", getattr(by, "pk", by), [pk for pk, _e in rows])
    return len(rows)
