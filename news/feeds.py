"""RSS of each channel: its newest public articles (`feed_articles`), summary as the description.

Django's syndication framework writes the XML (escaping every text) and makes links absolute. A title is
plain text in RSS, so it is handed over as written and escaped once, by the XML writer: a reader shows
关于"双随机"抽查 or R&D as they were typed (Django's default escapes titles twice). A description is HTML
to a feed reader and our summaries are plain text, so the summary is escaped here as well: markup in it
reaches the reader as text, never as tags.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import path, reverse
from django.utils.html import escape

from . import selectors
from .choices import Category, Channel
from .models import Article


class ChannelFeed(Feed):
    channel: str = Channel.NEWS

    def title(self) -> str:
        return f"{settings.SITE_NAME} · {Channel(self.channel).label}"

    def link(self) -> str:
        return selectors.channel_url(self.channel)

    def feed_url(self) -> str:
        return reverse(f"news:{self.channel}_feed")

    def description(self) -> str:
        return f"{settings.SITE_NAME}{Channel(self.channel).label}栏目的最新发布。"

    def items(self) -> list[Article]:
        return selectors.feed_articles(channel=self.channel)

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return escape(item.summary)

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at

    def item_categories(self, item: Article) -> tuple[str, ...]:
        return (Category(item.category).label,)


class NewsFeed(ChannelFeed):
    channel = Channel.NEWS


class LawsFeed(ChannelFeed):
    channel = Channel.LAWS


class NoticesFeed(ChannelFeed):
    channel = Channel.NOTICES


urlpatterns = [
    path("news/feed/", NewsFeed(), name="news_feed"),
    path("laws/feed/", LawsFeed(), name="laws_feed"),
    path("notices/feed/", NoticesFeed(), name="notices_feed"),
]
