"""Module 06 on every institution's public profile: the 监督检查 and 行政处罚 articles published about it
(issue 14: "the institution's public profile lists it"). The profile sits below news, so news declares
the section here and the profile renders what the registry gives it (sujt.core.registries)."""

from django.urls import reverse

from sujt.core.registries import ProfileRow, register_public_profile_section

from ..choices import DISCLOSURE_CATEGORIES, Category
from ..selectors import public_articles_all

SECTION_KEY = "news.disclosures"
# Enough for any institution's record on the profile; the 监督检查 / 行政处罚 channels hold the rest.
SECTION_LIMIT = 20


def disclosure_rows(institution_id: int, limit: int) -> list[ProfileRow]:
    """The public 监督检查 / 行政处罚 articles naming the institution (涉及机构), newest first: one query.
    Public is the portal's own rule (approved, publish time reached, not taken down), so an article taken
    down or not yet due is not listed."""
    articles = (
        public_articles_all()
        .filter(related_institution_id=institution_id, category__in=DISCLOSURE_CATEGORIES.values())
        .only("id", "title", "category", "published_at")
        .order_by("-published_at", "-id")[:limit]
    )
    return [
        ProfileRow(
            title=article.title,
            url=reverse("news:article_detail", args=[article.pk]),
            date=article.published_at,
            label=Category(article.category).label,
        )
        for article in articles
    ]


register_public_profile_section(
    SECTION_KEY,
    title="监督检查与行政处罚",
    rows=disclosure_rows,
    order=50,
    empty="暂无公开的监督检查结果或行政处罚信息",
    limit=SECTION_LIMIT,
    date_heading="发布日期",
)
