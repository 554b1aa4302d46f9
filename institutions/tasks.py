"""Background jobs of module 02. Thin: no ORM objects in, a service does the work, safe to run twice."""

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def certificates_expire_task() -> int:
    """Daily: valid certificates past their expiry date become 过期."""
    from .services.certificates import certificates_expire

    return certificates_expire()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def certificate_reminders_task() -> int:
    """Daily: expiry reminders 6, 3 and 1 month before expiry, each sent once."""
    from .services.certificates import certificate_reminders_send

    return certificate_reminders_send()
