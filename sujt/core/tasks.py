"""Background jobs of the shared primitives. Thin: ids and plain values in, a service does the work."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sms_task(phone: str, message: str) -> None:
    from .notifications import send_sms

    send_sms(phone=phone, message=message)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=True, max_retries=5)
def send_email_task(subject: str, message: str, recipient_list: list[str]) -> None:
    from .notifications import send_email

    send_email(subject=subject, message=message, recipient_list=recipient_list)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def notify_transition_task(model_label: str, pk: int, to_status: str) -> None:
    """Tells the other side about a review transition. Safe to run twice: only one run notifies."""
    from .workflow import transition_notify

    transition_notify(model_label=model_label, pk=pk, to_status=to_status)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def review_digest_send_task() -> int:
    """The regulators' daily digest of review work. Safe to run twice: each entry goes out once."""
    from .notifications import review_digest_send

    return review_digest_send()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def events_dispatch_task(event_id: int) -> None:
    """Runs the handlers of one domain event, queued when the event's transaction commits."""
    from .events import events_dispatch

    events_dispatch(event_id=event_id)


@shared_task
def events_sweep_task() -> dict[str, int]:
    """Beat job: runs every due event delivery (retries, and dispatches a stopped worker missed)."""
    from .events import events_sweep

    return events_sweep()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deadlines_run_task(today: str | None = None) -> dict:
    """Daily: every registered deadline's reminders and overdue actions due today (or on the ISO date
    `today`), each once. Safe to run twice."""
    import datetime

    from .deadlines import deadlines_run

    day = datetime.date.fromisoformat(today) if today else None
    return deadlines_run(today=day).as_dict()
