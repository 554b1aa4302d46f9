"""RSS per channel: the newest public articles, plain-text descriptions, absolute links, escaped text."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from news.selectors import FEED_ITEMS
from sujt.core.choices import ReviewStatus
from tests.factories import ArticleFactory, NewsSubmissionFactory

pytestmark = pytest.mark.django_db


def ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


def feed(client, name: str) -> tuple[str, ET.Element]:
    response = client.get(reverse(f"news:{name}_feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    text = response.content.decode()
    return text, ET.fromstring(text).find("channel")


def test_each_channel_has_its_feed_titled_with_the_site_and_channel(client):
    for name, label in (("news", "新闻资讯"), ("laws", "法律法规"), ("notices", "通知公告")):
        _text, channel = feed(client, name)
        assert channel.findtext("title") == f"江苏省检验检测服务平台 · {label}"
        assert channel.findtext("link") == f"http://testserver{reverse(f'news:{name}_list')}"


def test_items_are_the_channels_public_articles_newest_first(client):
    ArticleFactory(category="policy", title="较早的政策", published_at=ago(days=2))
    ArticleFactory(category="technical", title="最新的技术规范", published_at=ago(hours=1))
    ArticleFactory(category="normative", title="置顶但较旧", published_at=ago(days=5), is_pinned=True)
    ArticleFactory(category="notice", title="通知公告频道的")
    ArticleFactory(category="policy", title="草稿政策", status=ReviewStatus.DRAFT, published_at=None)
    ArticleFactory(category="policy", title="已下线政策", taken_down_at=ago(minutes=1))
    later = timezone.now() + datetime.timedelta(hours=5)
    ArticleFactory(category="policy", title="定时政策", published_at=later)
    _text, channel = feed(client, "laws")
    assert [item.findtext("title") for item in channel.findall("item")] == [
        "最新的技术规范",
        "较早的政策",
        "置顶但较旧",
    ]


def test_institution_news_under_review_is_not_in_the_feed(client):
    NewsSubmissionFactory(title="待审核的机构新闻", status=ReviewStatus.SUBMITTED, published_at=ago(hours=1))
    text, channel = feed(client, "news")
    assert channel.findall("item") == [] and "待审核的机构新闻" not in text


def test_an_item_has_its_summary_publish_date_category_and_absolute_link(client):
    article = ArticleFactory(
        category="guide",
        title="申报指南",
        summary="申报材料清单见附件。",
        published_at=timezone.make_aware(datetime.datetime(2026, 3, 6, 9, 30)),
    )
    _text, channel = feed(client, "notices")
    (item,) = channel.findall("item")
    assert item.findtext("description") == "申报材料清单见附件。"
    assert item.findtext("link") == f"http://testserver{article.get_absolute_url()}"
    assert item.findtext("pubDate") == "Fri, 06 Mar 2026 01:30:00 +0000"
    assert item.findtext("category") == "申报指南"
    # Nothing personal: no author element.
    assert item.find("author") is None


def test_markup_in_a_title_or_summary_is_escaped_in_the_xml(client):
    ArticleFactory(
        category="policy", title="<script>alert(1)</script>标题", summary="<img src=x onerror=alert(2)>"
    )
    text, channel = feed(client, "laws")
    assert "<script>" not in text and "<img" not in text
    item = channel.find("item")
    # The title is plain text in RSS: once parsed, it is the title as written.
    assert item.findtext("title") == "<script>alert(1)</script>标题"
    # The description is HTML to a feed reader: the summary, plain text, arrives there as text, not tags.
    assert item.findtext("description") == "&lt;img src=x onerror=alert(2)&gt;"


@pytest.mark.parametrize(
    "title",
    ['关于"双随机"抽查的通知', "GB/T 27025<2019>解读", "质量 & 安全：R&D 投入", '"<&>" 全都有 &amp; 实体'],
)
def test_a_title_is_escaped_exactly_once(client, title):
    ArticleFactory(category="policy", title=title)
    _text, channel = feed(client, "laws")
    assert channel.find("item").findtext("title") == title


def test_the_feed_is_limited_to_the_newest_items(client):
    ArticleFactory.create_batch(FEED_ITEMS + 3, category="notice")
    _text, channel = feed(client, "notices")
    assert len(channel.findall("item")) == FEED_ITEMS
