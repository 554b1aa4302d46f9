"""Public pages of 新闻资讯, 法律法规 and 通知公告: channel lists, article pages, covers and files.

No login. Everything comes through the public selectors, so an article that is not public (a draft, one
under review, one scheduled for later, one taken down) does not exist here: its page, cover and files are
404. Nothing personal is shown: the source is `source_display` (what was entered, the institution, or
the publishing bureau), never the author.
"""

import re

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from institutions.selectors import PUBLIC_STATUSES
from sujt.core.attachments import human_size
from sujt.core.net import client_ip
from sujt.core.regions import CITIES, CITY_CHOICES
from sujt.core.richtext import rich_text_image_source
from sujt.core.views import public_file_response

from .. import selectors, services
from ..choices import CHANNEL_CATEGORIES, Category, Channel
from ..models import Article

PAGE_SIZE = 20
SEARCH_MAX_LENGTH = 100
# A cover's URL carries its attachment id (?v=), so a new cover is a new URL; an hour bounds how long a
# taken-down article's cover may linger in a shared cache. Files have no such version: five minutes.
COVER_MAX_AGE = 3600
FILE_MAX_AGE = 300
# Crawlers and scripts that name themselves in their User-Agent ("Googlebot/2.1", "Baiduspider",
# "curl/8.5"); they read pages but are not readers.
_ROBOT_AGENT = re.compile(
    r"bot[/;)]|\bbot\b|spider|crawl|slurp|\+https?://|^(?:curl|wget|python-|go-http-client|java/|okhttp)"
    r"|libwww|scrapy|httpclient",
    re.IGNORECASE,
)


def _feed_url(channel: str) -> str:
    return reverse(f"news:{channel}_feed")


@require_safe
def channel_list(request: HttpRequest, channel: str) -> HttpResponse:
    """One channel's public articles: category tabs (全部 + its categories), words, city, 20 a page."""
    categories = CHANNEL_CATEGORIES[channel]
    category = request.GET.get("category", "")
    if category not in categories:
        category = ""
    q = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    city = request.GET.get("city", "")
    if city not in CITIES:
        city = ""
    articles = selectors.public_articles(channel=channel, category=category, q=q, city=city)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "news/public/list.html",
        {
            "channel": channel,
            "channel_label": Channel(channel).label,
            "channel_url": selectors.channel_url(channel),
            "feed_url": _feed_url(channel),
            "tabs": [(code, Category(code).label) for code in categories],
            "category": category,
            "category_label": Category(category).label if category else "",
            "q": q,
            "city": city,
            "city_choices": CITY_CHOICES,
            "page": page,
            "filtered": bool(q or city),
        },
    )


@require_safe
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.public_article_get(pk=pk)
    reader = _reader(request) if request.method == "GET" else None  # a HEAD request is no reading
    if reader is not None and services.article_view_record(article_id=article.pk, reader=reader):
        article.view_count += 1
    request.nav_path = selectors.channel_url(article.channel)
    newer, older = selectors.neighbours(article=article)
    related = article.related_institution
    files = [
        {
            "url": reverse("news:article_file", args=[article.pk, attachment.pk]),
            "name": attachment.original_name,
            "size": human_size(attachment.size),
            "kind": attachment.get_kind_display(),
        }
        for attachment in selectors.article_files(article)
    ]
    return render(
        request,
        "news/public/detail.html",
        {
            "article": article,
            "channel_label": Channel(article.channel).label,
            "channel_url": selectors.channel_url(article.channel),
            "category_url": selectors.channel_url(article.channel, article.category),
            "cover_url": _cover_url(article),
            "files": files,
            "related": related,
            # A revoked or withdrawn institution has no public page: its name is shown without a link.
            "related_is_public": related is not None
            and related.status in PUBLIC_STATUSES
            and related.withdrawn_at is None,
            "newer": newer,
            "older": older,
        },
    )


def _reader(request: HttpRequest) -> str | None:
    """Who is reading, for the view counter: the user when logged in (a session cookie alone proves
    nothing, as anyone can make one up), else the client's address; None for a robot that says so."""
    if _ROBOT_AGENT.search(request.META.get("HTTP_USER_AGENT", "")):
        return None
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    address = client_ip(request)
    return f"address:{address}" if address else None


def _cover_url(article: Article) -> str:
    if not article.cover_id:
        return ""
    return f"{reverse('news:article_cover', args=[article.pk])}?v={article.cover_id}"


@rich_text_image_source
@require_safe
def article_cover(request: HttpRequest, pk: int) -> HttpResponse:
    """A public article's cover image, shown inline; 404 while the article is not public."""
    return public_file_response(request, selectors.public_cover_get(article_pk=pk), max_age=COVER_MAX_AGE)


@rich_text_image_source
@require_safe
def article_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """A public article's attached file, as a download; 404 while the article is not public."""
    attachment = selectors.public_file_get(article_pk=pk, pk=file_pk)
    return public_file_response(request, attachment, max_age=FILE_MAX_AGE, inline=False)


urlpatterns = [
    path("news/", channel_list, {"channel": Channel.NEWS}, name="news_list"),
    path("laws/", channel_list, {"channel": Channel.LAWS}, name="laws_list"),
    path("notices/", channel_list, {"channel": Channel.NOTICES}, name="notices_list"),
    path("articles/<int:pk>/", article_detail, name="article_detail"),
    path("articles/<int:pk>/cover/", article_cover, name="article_cover"),
    path("articles/<int:pk>/files/<int:file_pk>/", article_file, name="article_file"),
]
