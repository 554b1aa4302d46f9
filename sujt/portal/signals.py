"""Keeps the portal's cached figures honest: any change to what they count makes the next visit recount.

The figures count institutions, their valid certificates, their capability rows and their declared
testing fields, so a save or delete of any of these invalidates them. The qualification sync writes in
bulk (no per-row signals) and saves its SyncRun as it goes; once a run has finished (succeeded, partly
or not at all: a failed run may still have applied some pages) the figures are recounted.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from institutions.choices import SyncStatus
from institutions.models import Capability, Certificate, Institution, InstitutionField, SyncRun

from .selectors import home_stats_invalidate


def _invalidate() -> None:
    home_stats_invalidate()
    # Again once committed: a visitor counting while the transaction was open cached the old figures.
    transaction.on_commit(home_stats_invalidate)


@receiver(post_save, sender=Institution, dispatch_uid="portal_home_stats_on_save")
@receiver(post_delete, sender=Institution, dispatch_uid="portal_home_stats_on_delete")
@receiver(post_save, sender=Certificate, dispatch_uid="portal_home_stats_on_certificate_save")
@receiver(post_delete, sender=Certificate, dispatch_uid="portal_home_stats_on_certificate_delete")
@receiver(post_save, sender=Capability, dispatch_uid="portal_home_stats_on_capability_save")
@receiver(post_delete, sender=Capability, dispatch_uid="portal_home_stats_on_capability_delete")
@receiver(post_save, sender=InstitutionField, dispatch_uid="portal_home_stats_on_field_save")
@receiver(post_delete, sender=InstitutionField, dispatch_uid="portal_home_stats_on_field_delete")
def _counted_row_changed(sender: Any, **kwargs: Any) -> None:
    _invalidate()


@receiver(post_save, sender=SyncRun, dispatch_uid="portal_home_stats_on_sync_run")
def _sync_run_saved(sender: Any, instance: SyncRun, **kwargs: Any) -> None:
    if instance.status != SyncStatus.RUNNING:
        _invalidate()
