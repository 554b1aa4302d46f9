"""Keeps the portal's cached figures honest: any institution saved or deleted recounts them."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from institutions.models import Institution

from .selectors import home_stats_invalidate


@receiver(post_save, sender=Institution, dispatch_uid="portal_home_stats_on_save")
@receiver(post_delete, sender=Institution, dispatch_uid="portal_home_stats_on_delete")
def _institution_changed(sender: Any, **kwargs: Any) -> None:
    home_stats_invalidate()
    # Again once committed: a visitor counting while the transaction was open cached the old figures.
    transaction.on_commit(home_stats_invalidate)
