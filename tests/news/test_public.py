"""The portal's public news pages: channel lists, article pages, covers and files; only public articles."""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from institutions.choices import InstitutionStatus
from news import services
from news.models import Article
from sujt.core.attachments import attachments_of
from sujt.core.choices import ReviewStatus
from tests.core.samples import PDF_BYTES, upload
from tests.factories import ArticleFactory, InstitutionFactory, NewsSubmissionFactory, UserFactory

from .conftest import cover_png, file_pdf

pytestmark = pytest.mark.django_db

NEWS = reverse("news:news_list")
LAWS = reverse("news:laws_list")
NOTICES = reverse("news:notices_list")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


def page_html(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def listed_titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="article-item-title">\s*<a href="/articles/\d+/">([^<]+)</a>', html)


def regulator_article(by, *, publish: bool = True, cover=None, files=(), **fields) -> Article:
    """An article written and (by default) published through the service, as a regulator does in admin."""
    fields.setdefault("category", "policy")
    fields.setdefault("title", "关于开展检验检测机构能力验证工作的通知")
    fields.setdefault("summary", "请各机构按要求参加。")
    fields.setdefault("body", "<p>正文。</p>")
    return services.article_save(
        article=Article(**fields), by=by, publish=publish, cover=cover, files=list(files)
    )


# --- Channel lists -------------------------------------------------------------------------------------


def test_a_channel_lists_only_its_public_articles_pinned_first_then_newest(client):
    ArticleFactory(category="supervision", title="较早的监督检查", published_at=ago(days=3))
    ArticleFactory(category="penalty", title="最新的行政处罚", published_at=ago(hours=1))
    ArticleFactory(category="industry", title="置顶的行业动态", published_at=ago(days=9), is_pinned=True)
    ArticleFactory(category="policy", title="法律法规频道的文章")
    ArticleFactory(category="supervision", title="草稿", status=ReviewStatus.DRAFT, published_at=None)
    ArticleFactory(
        category="supervision", title="定时发布", published_at=timezone.now() + datetime.timedelta(days=1)
    )
    ArticleFactory(category="supervision", title="已下线", taken_down_at=ago(minutes=5))
    NewsSubmissionFactory(title="待审核的投稿", status=ReviewStatus.SUBMITTED)
    NewsSubmissionFactory(title="被退回的投稿", status=ReviewStatus.RETURNED)
    assert listed_titles(page_html(client, NEWS)) == ["置顶的行业动态", "最新的行政处罚", "较早的监督检查"]


def test_an_item_shows_title_summary_date_category_pin_and_source_never_the_author(client):
    author = UserFactory(name="不应出现的作者", phone="13912345678")
    ArticleFactory(
        category="supervision",
        title="全省检验检测机构监督抽查结果",
        summary="抽查机构一百家。",
        source="江苏省市场监督管理局认可与检验检测管理处",
        is_pinned=True,
        author=author,
        published_at=timezone.make_aware(datetime.datetime(2026, 3, 6, 10, 0)),
    )
    html = page_html(client, NEWS)
    item = re.search(r'<li class="article-item">.*?</li>', html, re.S).group(0)
    assert "全省检验检测机构监督抽查结果" in item
    assert "抽查机构一百家。" in item
    assert "2026-03-06" in item
    assert '<span class="tag">监督检查</span>' in item
    assert '<span class="badge badge-pin">置顶</span>' in item
    assert "来源：江苏省市场监督管理局认可与检验检测管理处" in item
    assert "不应出现的作者" not in html and "13912345678" not in html


def test_without_a_source_an_institutions_news_names_the_institution_and_a_bureau_its_city(client):
    ArticleFactory(category="industry", title="市局文章", source="", region_code="320500")
    submission = NewsSubmissionFactory(
        institution=InstitutionFactory(name="姑苏示范检测有限公司"), title="机构文章", source=""
    )
    Article.objects.filter(pk=submission.pk).update(status=ReviewStatus.APPROVED, published_at=ago(hours=2))
    html = page_html(client, NEWS)
    assert "来源：苏州市市场监督管理局" in html
    assert "来源：姑苏示范检测有限公司" in html


def test_category_tabs_all_plus_the_channels_categories_keeping_the_search(client):
    ArticleFactory(category="supervision", title="监督检查甲")
    ArticleFactory(category="penalty", title="行政处罚乙")
    html = page_html(client, NEWS, category="penalty", q="乙", city="320100")
    tabs = re.search(r'<nav class="tabs channel-filter".*?</nav>', html, re.S).group(0)
    labels = re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a>', tabs)
    assert labels == ["全部", "监督检查", "行政处罚", "机构风采", "行业动态"]
    # The current tab is marked; the other tabs keep the words and the city.
    assert re.search(r'class="active" aria-current="page">行政处罚</a>', tabs)
    assert '<a href="?q=%E4%B9%99&amp;city=320100">全部</a>' in tabs
    assert '<a href="?category=supervision&amp;q=%E4%B9%99&amp;city=320100">监督检查</a>' in tabs


def test_category_narrows_the_list_and_an_unknown_one_is_ignored(client):
    ArticleFactory(category="supervision", title="监督检查甲")
    ArticleFactory(category="penalty", title="行政处罚乙")
    assert listed_titles(page_html(client, NEWS, category="penalty")) == ["行政处罚乙"]
    # A category of another channel is not this channel's: ignored, the whole channel shows.
    assert sorted(listed_titles(page_html(client, NEWS, category="policy"))) == ["监督检查甲", "行政处罚乙"]


def test_search_matches_title_or_summary(client):
    ArticleFactory(category="policy", title="能力验证通知", summary="无关")
    ArticleFactory(category="policy", title="其他文件", summary="涉及能力验证安排")
    ArticleFactory(category="policy", title="资质认定办法", summary="无关")
    assert sorted(listed_titles(page_html(client, LAWS, q="能力验证"))) == ["其他文件", "能力验证通知"]


def test_city_filter_keeps_the_citys_and_its_districts_articles(client):
    ArticleFactory(category="notice", title="南京市局通知", region_code="320100")
    ArticleFactory(category="notice", title="玄武区通知", region_code="320102")
    ArticleFactory(category="notice", title="苏州市局通知", region_code="320500")
    ArticleFactory(category="notice", title="省局通知", region_code="320000")
    html = page_html(client, NOTICES, city="320100")
    assert sorted(listed_titles(html)) == ["南京市局通知", "玄武区通知"]
    assert '<option value="320100" selected>南京市</option>' in html
    assert html.count("<option ") == 14  # 全省 + the 13 cities


def test_twenty_a_page_and_pagination_keeps_the_filters(client):
    for i in range(23):
        ArticleFactory(category="guide", title=f"申报指南{i:02d}", published_at=ago(hours=i + 1))
    ArticleFactory(category="notice", title="不在筛选内")
    first = page_html(client, NOTICES, category="guide", q="申报")
    assert len(listed_titles(first)) == 20
    assert "共 23 条" in first
    assert 'href="?category=guide&amp;q=%E7%94%B3%E6%8A%A5&amp;page=2"' in first
    second = page_html(client, NOTICES, category="guide", q="申报", page=2)
    assert listed_titles(second) == ["申报指南20", "申报指南21", "申报指南22"]


def test_empty_states_differ_when_filtered(client):
    assert "暂无信息" in page_html(client, LAWS)
    assert "该栏目暂无信息" in page_html(client, LAWS, category="technical")
    filtered = page_html(client, LAWS, q="不存在的词")
    assert "没有找到符合条件的信息" in filtered and "清除条件" in filtered


def test_the_list_offers_its_rss_feed_in_the_head_and_visibly(client):
    html = page_html(client, LAWS)
    head = html.split("</head>")[0]
    feed = reverse("news:laws_feed")
    title = "江苏省检验检测服务平台 · 法律法规"
    assert f'<link rel="alternate" type="application/rss+xml" title="{title}" href="{feed}">' in head
    body = html.split("</head>")[1]
    assert re.search(rf'<a class="rss-link" href="{feed}"[^>]*>.*RSS.*</a>', body)


@pytest.mark.parametrize("url", [NEWS, LAWS, NOTICES])
def test_list_queries_are_bounded_and_do_not_grow_with_rows(client, url, django_assert_max_num_queries):
    def add(n: int) -> None:
        for category in ("supervision", "style", "policy", "notice"):
            ArticleFactory.create_batch(n, category=category, region_code="320100")
        for _ in range(n):
            submission = NewsSubmissionFactory(category="industry")
            Article.objects.filter(pk=submission.pk).update(
                status=ReviewStatus.APPROVED, published_at=ago(hours=3)
            )

    add(6)
    with CaptureQueriesContext(connection) as small:
        page_html(client, url, city="320100")
    add(12)
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as large:
        html = page_html(client, url)
    assert len(large) == len(small)
    assert "来源：" in html


# --- The article page ------------------------------------------------------------------------------------


def test_the_article_page_shows_what_the_public_may_read(client, province_regulator):
    institution = InstitutionFactory(name="涉事示例检测有限公司")
    article = regulator_article(
        province_regulator,
        category="penalty",
        title="行政处罚信息公示",
        summary="依法予以警告。",
        body="<p>经查，当事人出具了不实检验检测报告。</p>",
        source="",
        related_institution=institution,
        cover=cover_png(),
        files=[file_pdf("处罚决定书.pdf")],
    )
    html = page_html(client, article.get_absolute_url())
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert (
        f'<a href="{NEWS}">新闻资讯</a>' in crumbs
        and f'<a href="{NEWS}?category=penalty">行政处罚</a>' in crumbs
    )
    assert '<h1 id="article-title">行政处罚信息公示</h1>' in html
    assert "<dt>来源</dt><dd>江苏省市场监督管理局</dd>" in html  # source_display: the province bureau
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M") in html
    assert "依法予以警告。" in html
    assert "<p>经查，当事人出具了不实检验检测报告。</p>" in html
    assert f'src="{reverse("news:article_cover", args=[article.pk])}?v={article.cover_id}"' in html
    attachment = attachments_of(article, purpose="file").get()
    assert f'href="{reverse("news:article_file", args=[article.pk, attachment.pk])}"' in html
    assert "处罚决定书.pdf" in html and f"（PDF 文件，{len(PDF_BYTES)} 字节）" in html
    assert (
        f'href="{reverse("institutions:public_detail", args=[institution.pk])}">涉事示例检测有限公司</a>'
        in html
    )
    assert province_regulator.name not in html and province_regulator.phone not in html


def test_a_non_public_related_institution_is_named_without_a_link(client):
    revoked = InstitutionFactory(name="已撤销示例检测有限公司", status=InstitutionStatus.REVOKED)
    article = ArticleFactory(category="penalty", related_institution=revoked)
    html = page_html(client, article.get_absolute_url())
    assert "涉及机构：已撤销示例检测有限公司" in html
    assert reverse("institutions:public_detail", args=[revoked.pk]) not in html


def test_a_visitor_is_counted_once_a_day_however_often_they_reload_and_a_head_is_no_reading(client):
    article = ArticleFactory(category="notice")
    html = page_html(client, article.get_absolute_url())
    assert "<dd data-view-count>1</dd>" in html
    for _ in range(3):
        assert "<dd data-view-count>1</dd>" in page_html(client, article.get_absolute_url())
    assert client.head(article.get_absolute_url()).status_code == 200
    article.refresh_from_db()
    assert article.view_count == 1


def test_other_visitors_and_other_articles_count_on_their_own(client):
    article, other = ArticleFactory(category="notice"), ArticleFactory(category="notice")
    page_html(client, article.get_absolute_url())
    page_html(client, other.get_absolute_url())
    client.get(article.get_absolute_url(), REMOTE_ADDR="198.51.100.7")
    client.get(article.get_absolute_url(), REMOTE_ADDR="198.51.100.7")
    article.refresh_from_db()
    other.refresh_from_db()
    assert (article.view_count, other.view_count) == (2, 1)


def test_a_logged_in_reader_is_one_visitor_whatever_session_cookie_is_sent(client_for, client):
    article = ArticleFactory(category="notice")
    reader = client_for("inst_admin")
    reader.get(article.get_absolute_url(), REMOTE_ADDR="198.51.100.8")
    reader.get(article.get_absolute_url(), REMOTE_ADDR="198.51.100.9")
    # Made-up session cookies from one address are still that address.
    for number in range(3):
        client.cookies["sessionid"] = f"madeupsessionkey{number:016d}"
        client.get(article.get_absolute_url(), REMOTE_ADDR="203.0.113.5")
    article.refresh_from_db()
    assert article.view_count == 2


def test_the_same_visitor_counts_again_the_next_day(client, monkeypatch):
    article = ArticleFactory(category="notice")
    page_html(client, article.get_absolute_url())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(services.timezone, "localdate", lambda *args, **kwargs: tomorrow)
    page_html(client, article.get_absolute_url())
    page_html(client, article.get_absolute_url())
    article.refresh_from_db()
    assert article.view_count == 2


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "curl/8.5.0",
        "python-requests/2.32.3",
    ],
)
def test_a_robot_that_says_so_is_not_counted(client, agent):
    article = ArticleFactory(category="notice")
    assert client.get(article.get_absolute_url(), HTTP_USER_AGENT=agent).status_code == 200
    article.refresh_from_db()
    assert article.view_count == 0


def test_previous_and_next_are_the_newer_and_older_articles_of_the_category(client):
    older = ArticleFactory(category="technical", title="更早的技术规范", published_at=ago(days=3))
    current = ArticleFactory(category="technical", title="当前技术规范", published_at=ago(days=2))
    newer = ArticleFactory(category="technical", title="更新的技术规范", published_at=ago(days=1))
    ArticleFactory(category="policy", title="别的栏目", published_at=ago(days=2, hours=12))
    ArticleFactory(
        category="technical", title="下线的", published_at=ago(days=2, hours=6), taken_down_at=ago(hours=1)
    )
    html = page_html(client, current.get_absolute_url())
    nav = re.search(r'<nav class="article-neighbours".*?</nav>', html, re.S).group(0)
    assert f'上一篇</span><a href="{newer.get_absolute_url()}" rel="prev">更新的技术规范</a>' in nav
    assert f'下一篇</span><a href="{older.get_absolute_url()}" rel="next">更早的技术规范</a>' in nav
    first = page_html(client, newer.get_absolute_url())
    assert '上一篇</span><span class="muted">没有了</span>' in first


def _not_public_articles(province_regulator) -> dict[str, Article]:
    draft = regulator_article(province_regulator, publish=False, title="草稿")
    scheduled = regulator_article(
        province_regulator, title="定时", published_at=timezone.now() + datetime.timedelta(days=2)
    )
    taken_down = regulator_article(province_regulator, title="已下线")
    services.article_take_down(article=taken_down, by=province_regulator, reason="内容有误")
    submitted = NewsSubmissionFactory(title="待审核", status=ReviewStatus.SUBMITTED)
    rejected = NewsSubmissionFactory(title="未通过", status=ReviewStatus.REJECTED)
    return {
        "draft": draft,
        "scheduled": scheduled,
        "taken_down": taken_down,
        "submitted": submitted,
        "rejected": rejected,
    }


@pytest.mark.parametrize("state", ["draft", "scheduled", "taken_down", "submitted", "rejected"])
def test_an_article_that_is_not_public_has_no_page(client, province_regulator, state):
    article = _not_public_articles(province_regulator)[state]
    assert client.get(reverse("news:article_detail", args=[article.pk])).status_code == 404
    article.refresh_from_db()
    assert article.view_count == 0


def test_a_logged_in_regulator_gets_no_preview_either(client_for, province_regulator):
    draft = regulator_article(province_regulator, publish=False)
    assert client_for("province_regulator").get(draft.get_absolute_url()).status_code == 404


# --- Covers and files --------------------------------------------------------------------------------


@pytest.fixture
def with_media(province_regulator):
    """make(publish=True) -> an article with a cover and a PDF, and the file's attachment."""

    def make(**fields):
        article = regulator_article(
            province_regulator, cover=cover_png(), files=[file_pdf("通知全文.pdf")], **fields
        )
        return article, attachments_of(article, purpose="file").get()

    return make


def test_a_public_articles_cover_is_served_inline_and_its_file_as_a_download(client, with_media):
    article, attachment = with_media()
    cover = client.get(reverse("news:article_cover", args=[article.pk]))
    assert cover.status_code == 200
    assert cover["Content-Type"] == "image/png" and cover["Content-Disposition"] == "inline"
    assert b"".join(cover.streaming_content).startswith(b"\x89PNG")
    download = client.get(reverse("news:article_file", args=[article.pk, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert "public" in download["Cache-Control"]


def test_a_public_cover_is_the_image_re_encoded_without_its_exif(client, province_regulator):
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"  # Make
    exif[0x8298] = "内部素材，勿外传"  # Copyright
    buffer = io.BytesIO()
    Image.new("RGB", (48, 27), (30, 110, 180)).save(buffer, format="JPEG", exif=exif, quality=95)
    article = regulator_article(province_regulator, cover=upload("封面.jpg", buffer.getvalue(), "image/jpeg"))
    served = b"".join(client.get(reverse("news:article_cover", args=[article.pk])).streaming_content)
    assert served != buffer.getvalue()
    assert b"ExampleCam" not in served and "勿外传".encode() not in served
    with Image.open(io.BytesIO(served)) as image:
        assert (image.format, image.size) == ("JPEG", (48, 27))
        assert not image.getexif()


@pytest.mark.parametrize("state", ["draft", "scheduled", "taken_down", "submitted"])
def test_covers_and_files_of_an_article_that_is_not_public_are_404(
    client, with_media, province_regulator, inst_admin, institution, state
):
    if state == "submitted":
        article = services.submission_save(
            institution=institution,
            by=inst_admin,
            category="style",
            title="待审核的机构新闻",
            body="<p>正文</p>",
            submit=True,
            cover=cover_png(),
            files=[file_pdf()],
        )
        attachment = attachments_of(article, purpose="file").get()
    elif state == "draft":
        article, attachment = with_media(publish=False)
    elif state == "scheduled":
        article, attachment = with_media(published_at=timezone.now() + datetime.timedelta(hours=3))
    else:
        article, attachment = with_media()
        services.article_take_down(article=article, by=province_regulator, reason="撤回")
    assert article.cover_id
    assert client.get(reverse("news:article_cover", args=[article.pk])).status_code == 404
    assert client.get(reverse("news:article_file", args=[article.pk, attachment.pk])).status_code == 404


def test_a_file_is_found_only_under_its_own_article(client, with_media):
    first, first_file = with_media()
    second, _second_file = with_media(title="另一篇")
    assert client.get(reverse("news:article_file", args=[second.pk, first_file.pk])).status_code == 404
    # The cover is not one of the article's files either.
    assert client.get(reverse("news:article_file", args=[first.pk, first.cover_id])).status_code == 404


def test_an_article_without_a_cover_has_none(client):
    article = ArticleFactory()
    assert client.get(reverse("news:article_cover", args=[article.pk])).status_code == 404


# --- XSS ----------------------------------------------------------------------------------------------


PAYLOAD = (
    "<p>正文开始</p><script>alert('x')</script>"
    '<img src="x" onerror="alert(1)">'
    '<p><a href="javascript:alert(2)">点我</a></p>'
    '<p onclick="alert(3)" style="color:red">段落</p>'
)


def test_a_hostile_body_is_sanitised_on_save_and_renders_no_script(client, province_regulator):
    article = regulator_article(province_regulator, body=PAYLOAD)
    html = page_html(client, article.get_absolute_url())
    body = re.search(r"<div class=\"rich-text article-body\" data-body>(.*?)</div>", html, re.S).group(1)
    assert "正文开始" in body and "段落" in body
    for bad in ("<script", "onerror", "javascript:", "onclick", "style=", "alert("):
        assert bad not in body.lower()


def test_a_hostile_title_is_escaped_on_the_list_the_page_and_the_home_page(client):
    title = "<script>alert('标题')</script>"
    article = ArticleFactory(category="supervision", title=title, summary="<b>粗体</b>")
    escaped = "&lt;script&gt;alert(&#x27;标题&#x27;)&lt;/script&gt;"
    for url in (NEWS, article.get_absolute_url(), reverse("portal:home")):
        html = page_html(client, url)
        assert "<script>alert" not in html
        assert escaped in html
    assert "&lt;b&gt;粗体&lt;/b&gt;" in page_html(client, NEWS)


@pytest.mark.parametrize(("category", "channel_title"), [("style", "新闻资讯"), ("technical", "法律法规")])
def test_the_article_page_marks_its_channel_in_the_header(client, category, channel_title):
    article = ArticleFactory(category=category)
    html = client.get(reverse("news:article_detail", args=[article.pk])).content.decode()
    current = re.findall(r'<a class="portal-nav-link is-active"[^>]*aria-current="page">([^<]+)</a>', html)
    assert current == [channel_title]
