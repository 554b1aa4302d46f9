"""Reads of portal content: the public channels, the home page blocks, an institution's own news."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from sujt.accounts.permissions import institution_ids_for
from sujt.core.choices import AttachmentKind, ReviewStatus
from sujt.core.models import Attachment
from sujt.core.regions import CITIES
from sujt.core.scoping import in_scope

from .choices import CHANNEL_CATEGORIES, Category, Channel
from .models import COVER_PURPOSE, FILE_PURPOSE, Article, NewsSubmission, public_q

HOME_ITEMS_PER_CATEGORY = 7
SHOWCASE_ITEMS = 8
POLICY_NOTICE_ITEMS = 8
FEED_ITEMS = 30

CONTENT_VERSION_KEY = "news:content-version"
HOME_BLOCKS_KEY = "news:home-blocks:{version}"
HOME_BLOCKS_TIMEOUT = 5 * 60

LIST_COLUMNS = (
    "id",
    "channel",
    "category",
    "title",
    "summary",
    "published_at",
    "is_pinned",
    "view_count",
    "source",
    "region_code",
    "cover_id",
    "institution_id",
    "institution__name",
)


def _ordered(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.order_by("-is_pinned", "-published_at", "-id")


def public_articles_all() -> QuerySet[Article]:
    return Article.objects.filter(public_q())


def public_articles(*, channel: str, category: str = "", q: str = "", city: str = "") -> QuerySet[Article]:
    """A channel's public articles, pinned first then newest; narrowed by category, words, city."""
    queryset = public_articles_all().filter(channel=channel)
    if category in CHANNEL_CATEGORIES.get(channel, ()):
        queryset = queryset.filter(category=category)
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    if city in CITIES:
        queryset = in_scope(queryset, city, "region_code")
    return _ordered(queryset.select_related("institution").only(*LIST_COLUMNS))


def public_article_get(*, pk: int) -> Article:
    """A public article with what its page shows; 404 for anything not (or no longer) public."""
    return get_object_or_404(
        public_articles_all().select_related("institution", "related_institution", "cover"), pk=pk
    )


def public_cover_get(*, article_pk: int) -> Attachment:
    """The cover image of a public article; else 404."""
    return get_object_or_404(
        Attachment.objects.filter(
            pk__in=public_articles_all().filter(pk=article_pk).values("cover_id"),
            purpose=COVER_PURPOSE,
            kind=AttachmentKind.IMAGE,
        )
    )


def public_file_get(*, article_pk: int, pk: int) -> Attachment:
    """An attached file of a public article; else 404."""
    article = get_object_or_404(public_articles_all().only("id"), pk=article_pk)
    return get_object_or_404(article_files(article), pk=pk)


def article_files(article: Article) -> QuerySet[Attachment]:
    from sujt.core.attachments import attachments_of

    return attachments_of(article, purpose=FILE_PURPOSE)


def neighbours(*, article: Article) -> tuple[Article | None, Article | None]:
    """The previous (newer) and next (older) public articles of the same category, by publish time."""
    same = public_articles_all().filter(category=article.category).only("id", "title", "published_at")
    newer = same.filter(
        Q(published_at__gt=article.published_at) | Q(published_at=article.published_at, id__gt=article.id)
    ).order_by("published_at", "id")
    older = same.filter(
        Q(published_at__lt=article.published_at) | Q(published_at=article.published_at, id__lt=article.id)
    ).order_by("-published_at", "-id")
    return newer.first(), older.first()


# --- The home page and the dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class ArticleLink:
    """What a list on the home page or dashboard shows of one article (cacheable, no model)."""

    pk: int
    title: str
    category: str
    category_label: str
    published_at: datetime
    is_pinned: bool
    url: str
    cover_url: str = ""
    summary: str = ""


def _link(article: Article) -> ArticleLink:
    return ArticleLink(
        pk=article.pk,
        title=article.title,
        category=article.category,
        category_label=Category(article.category).label,
        published_at=article.published_at,
        is_pinned=article.is_pinned,
        url=reverse("news:article_detail", args=[article.pk]),
        cover_url=(
            reverse("news:article_cover", args=[article.pk]) + f"?v={article.cover_id}"
            if article.cover_id
            else ""
        ),
        summary=article.summary,
    )


def channel_url(channel: str, category: str = "") -> str:
    url = reverse(f"news:{channel}_list")
    return f"{url}?category={category}" if category else url


def content_version() -> int:
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = int(timezone.now().timestamp() * 1000)
        cache.add(CONTENT_VERSION_KEY, version, None)
        version = cache.get(CONTENT_VERSION_KEY, version)
    return version


def content_cache_invalidate() -> None:
    """Every cached block of portal content is stale from now on (a new version key)."""
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, int(timezone.now().timestamp() * 1000), None)


def _latest_by_category(categories: list[str], per_category: int) -> list[Article]:
    """The newest public articles of each category (pinned first), in one query.

    One small subquery per category, each read in index order and stopped after `per_category` rows: a
    window function ranking every public article did the same in one pass but grew with the archive.
    """
    now = timezone.now()
    newest = Q(pk__in=[])
    for category in categories:
        ids = _ordered(Article.objects.filter(public_q(now=now), category=category)).values("id")
        newest |= Q(pk__in=ids[:per_category])
    return list(
        _ordered(
            Article.objects.filter(newest).only(
                "id", "title", "category", "published_at", "is_pinned", "cover_id", "summary"
            )
        )
    )


def _seconds_until_next_scheduled(now: datetime) -> int | None:
    upcoming = (
        Article.objects.filter(status=ReviewStatus.APPROVED, taken_down_at__isnull=True, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is None:
        return None
    return max(1, int((upcoming - now).total_seconds()) + 1)


def home_blocks() -> dict[str, Any]:
    """The home page's three channel boxes (tabs per category) and the showcase carousel.

    Cached until content changes (any write through news.services or admin bumps the version) and at
    most five minutes, or until the next scheduled article is due, whichever comes first.
    """
    key = HOME_BLOCKS_KEY.format(version=content_version())
    blocks = cache.get(key)
    if blocks is not None:
        return blocks
    now = timezone.now()
    all_categories = [c for categories in CHANNEL_CATEGORIES.values() for c in categories]
    by_category: dict[str, list[ArticleLink]] = {c: [] for c in all_categories}
    for article in _latest_by_category(all_categories, HOME_ITEMS_PER_CATEGORY):
        by_category[article.category].append(_link(article))
    channels = [
        {
            "code": channel,
            "title": Channel(channel).label,
            "url": channel_url(channel),
            "tabs": [
                {
                    "code": category,
                    "label": Category(category).label,
                    "url": channel_url(channel, category),
                    "items": by_category[category],
                }
                for category in categories
            ],
        }
        for channel, categories in CHANNEL_CATEGORIES.items()
    ]
    showcase = [
        _link(article)
        for article in _ordered(
            public_articles_all()
            .filter(is_showcase=True, cover__isnull=False)
            .only("id", "title", "category", "published_at", "is_pinned", "cover_id", "summary")
        )[:SHOWCASE_ITEMS]
    ]
    blocks = {"channels": channels, "showcase": showcase}
    timeout = HOME_BLOCKS_TIMEOUT
    next_due = _seconds_until_next_scheduled(now)
    if next_due is not None:
        timeout = min(timeout, next_due)
    cache.set(key, blocks, timeout)
    return blocks


def latest_policy_notices(*, limit: int = POLICY_NOTICE_ITEMS) -> list[ArticleLink]:
    """The dashboard's 政策文件通知: the newest public 法律法规 and 通知公告 (pinned first)."""
    queryset = _ordered(
        public_articles_all()
        .filter(channel__in=[Channel.LAWS, Channel.NOTICES])
        .only("id", "title", "category", "published_at", "is_pinned", "cover_id", "summary")
    )
    return [_link(article) for article in queryset[:limit]]


def feed_articles(*, channel: str, limit: int = FEED_ITEMS) -> list[Article]:
    """A channel's newest public articles for its RSS feed (newest first, pins ignored)."""
    return list(
        public_articles_all()
        .filter(channel=channel)
        .select_related("institution")
        .only(*LIST_COLUMNS)
        .order_by("-published_at", "-id")[:limit]
    )


# --- An institution's own news -----------------------------------------------------------------------


def submissions_for(*, institution: Any) -> QuerySet[NewsSubmission]:
    """The institution's news submissions, newest first (the workspace list filters them further)."""
    queryset = NewsSubmission.objects.filter(institution=institution).select_related(
        "author", "status_changed_by"
    )
    return queryset.order_by("-created_at", "-id")


def submission_get(*, institution: Any, pk: int) -> NewsSubmission:
    """One of the institution's submissions; another institution's is a 404."""
    return get_object_or_404(
        NewsSubmission.objects.filter(institution=institution).select_related(
            "institution", "author", "cover", "status_changed_by"
        ),
        pk=pk,
    )


def returned_submissions_for(*, user: Any) -> QuerySet[NewsSubmission]:
    """Returned news of every institution where `user` may submit news (their to-dos)."""
    return (
        NewsSubmission.objects.filter(
            institution_id__in=institution_ids_for(user=user, perm="submit_news"),
            status=ReviewStatus.RETURNED,
        )
        .select_related("institution")
        .only("id", "title", "institution_id", "institution__name", "status_changed_at")
        .order_by("status_changed_at", "id")
    )


def submission_counts(*, institution: Any) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        NewsSubmission.objects.filter(institution=institution)
        .order_by()
        .values("status")
        .annotate(total=Count("id"))
    )
    return {row["status"]: row["total"] for row in rows}
