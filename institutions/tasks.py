"""Background jobs of module 02. Thin: no ORM objects in, a service does the work, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .choices import SyncMode
from .sync.client import TransientSyncError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def certificates_expire_task() -> int:
    """Daily: valid certificates past their expiry date become 过期. (The expiry reminders are the core
    deadline job's: sujt.core.tasks.deadlines_run_task.)"""
    from .services.certificates import certificates_expire

    return certificates_expire()


@shared_task(
    autoretry_for=(TransientSyncError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=not settings.TESTING,
    max_retries=5,
)
def sync_qualifications_task(mode: str = SyncMode.INCREMENTAL, triggered_by_id: int | None = None) -> int:
    """Nightly and 立即同步: one sync run; a transient failure (unreachable, 429, 5xx) is retried with
    exponential backoff, each attempt recorded as a run of its own. Returns the run's id."""
    from sujt.accounts.models import User

    from .sync.services import sync_qualifications

    triggered_by = User.objects.filter(pk=triggered_by_id).first() if triggered_by_id else None
    return sync_qualifications(mode=mode, triggered_by=triggered_by).pk


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def sync_accounts_activate_task(activate: list, notify: list) -> int:
    """After a sync page committed: temporary passwords for new admin accounts, notices for linked ones."""
    from .sync.accounts import sync_accounts_activate

    return sync_accounts_activate(
        activate=[tuple(pair) for pair in activate], notify=[tuple(pair) for pair in notify]
    )


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def search_index_update_task(institution_ids: list[int]) -> int:
    """After a sync: the capability search rows of these institutions rebuilt (idempotent)."""
    from .search.services import search_index_update

    return search_index_update(institution_ids=institution_ids)
