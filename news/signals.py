"""Admin saves and deletes (which do not all pass through news.services) refresh the cached portal blocks."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Article, NewsSubmission
from .selectors import content_cache_invalidate


@receiver(post_save, sender=Article, dispatch_uid="news_article_saved")
@receiver(post_save, sender=NewsSubmission, dispatch_uid="news_submission_saved")
@receiver(post_delete, sender=Article, dispatch_uid="news_article_deleted")
@receiver(post_delete, sender=NewsSubmission, dispatch_uid="news_submission_deleted")
def _article_changed(sender: Any, **kwargs: Any) -> None:
    content_cache_invalidate()
    # Again once committed: a visitor reading while the transaction was open cached the old blocks.
    transaction.on_commit(content_cache_invalidate)
