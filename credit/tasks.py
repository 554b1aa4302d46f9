"""Background jobs of module 05. Thin: ids in, a service does the work, safe to run twice."""

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def credit_recalculate_task(institution_ids: list[int] | None) -> int:
    """After a change of these institutions' ledger (None: of the rules): their current scores and
    today's snapshots."""
    from .services import scores_recalculate

    return scores_recalculate(institution_ids=institution_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def credit_nightly_task() -> int:
    """Nightly: what the calendar changed (returned repairs, expired bonuses), then every score."""
    from .services import credit_nightly

    return credit_nightly()
