"""Module 06 for regulators: they write, publish and take down portal articles in their region and
review institutions' news (the review actions need change on the queue's proxy model)."""

from sujt.core.choices import ReviewStatus
from sujt.core.registries import register_regulator_permissions, register_review_queue

from ..models import NewsSubmission

register_regulator_permissions(
    "news.view_article",
    "news.add_article",
    "news.change_article",
    "news.delete_article",
    "news.view_newssubmission",
    "news.change_newssubmission",
)

register_review_queue(
    "news.submissions",
    model=NewsSubmission,
    label="机构新闻投稿",
    region_field="institution__region_code",
    pending={"status__exact": ReviewStatus.SUBMITTED},
)
