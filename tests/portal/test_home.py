"""The portal home page: institution search, the 成果展 carousel, the three channel boxes, live figures
with SVG charts; cached, refreshed when content changes, and a constant number of queries."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.choices import CertificateStatus, InstitutionStatus, SyncMode, SyncStatus
from institutions.models import Institution, InstitutionField, SyncRun
from news import services
from news.models import Article
from sujt.core.charts import bar_chart_svg
from tests.core.samples import png_bytes, upload
from tests.factories import (
    ArticleFactory,
    CapabilityFactory,
    CertificateFactory,
    InstitutionFactory,
    days_from_today,
    make_uscc,
)


def total_on_page(client) -> int:
    html = client.get(reverse("portal:home")).content.decode()
    return int(re.search(r'data-stat="total">(\d+)<', html).group(1))


def test_home_has_a_search_box_that_goes_to_the_directory(client):
    html = client.get(reverse("portal:home")).content.decode()
    assert re.search(
        rf'<form class="search-box" method="get" action="{reverse("institutions:directory")}"', html
    )
    assert 'name="q"' in html and 'name="city"' in html and 'name="field"' in html
    field_select = re.search(r'<select id="home-field" name="field">.*?</select>', html, re.S).group(0)
    assert field_select.count("<option") == 23  # 全部领域 + the 22 testing fields
    assert '<option value="13">水质</option>' in field_select
    assert f'href="{reverse("accounts:login")}"' in html


def test_totals_count_public_institutions_by_city(client):
    InstitutionFactory.create_batch(3, region_code="320102")
    InstitutionFactory(region_code="320505")
    InstitutionFactory(region_code="320506", status=InstitutionStatus.SUSPENDED)
    InstitutionFactory(region_code="320506", status=InstitutionStatus.REVOKED)
    html = client.get(reverse("portal:home")).content.decode()
    assert 'data-stat="total">5<' in html
    chart = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S).group(0)
    assert "南京市：3" in chart and "苏州市：2" in chart and "无锡市：0" in chart
    # Each bar opens the directory filtered by its city; the chart is a group of named links.
    assert 'role="group"' in chart
    directory = reverse("institutions:directory")
    assert (
        f'<a class="chart-link" href="{directory}?city=320100" aria-label="南京市：3（查看该市机构）">'
        in chart
    )


def test_the_figures_are_cached(client):
    InstitutionFactory.create_batch(2)
    assert total_on_page(client) == 2
    # A bulk update sends no signal: the cached figure stands until it expires or is invalidated.
    Institution.objects.update(status=InstitutionStatus.REVOKED)
    assert total_on_page(client) == 2
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("portal:home"))
    assert not [q for q in queries if "institutions_institution" in q["sql"]]


def test_saving_or_deleting_an_institution_invalidates_the_cache(client, django_capture_on_commit_callbacks):
    InstitutionFactory.create_batch(2)
    assert total_on_page(client) == 2
    with django_capture_on_commit_callbacks(execute=True):
        created = InstitutionFactory()
    assert total_on_page(client) == 3
    created.status = InstitutionStatus.CANCELLED
    created.save()
    assert total_on_page(client) == 2
    # A public one: which row comes first by name depends on the factories' sequence numbers so far.
    Institution.objects.exclude(pk=created.pk).first().delete()
    assert total_on_page(client) == 1


def test_the_cache_times_out_after_five_minutes():
    from sujt.portal.selectors import HOME_STATS_TIMEOUT

    assert HOME_STATS_TIMEOUT == 300


def test_chart_escapes_labels():
    svg = bar_chart_svg([("<script>alert(1)</script>", 3), ("A&B", 0)], title='"标题"<')
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "A&amp;B" in svg
    assert "&quot;标题&quot;&lt;" in svg


def test_chart_scales_bars_to_the_largest_value():
    svg = bar_chart_svg([("甲", 10), ("乙", 5), ("丙", 0)], title="t", width=560, label_width=84)
    widths = [int(w) for w in re.findall(r'<rect class="chart-bar" x="\d+" y="\d+" width="(\d+)"', svg)]
    plot = 560 - 84 - 56
    assert widths == [plot, plot // 2, 0]


def test_chart_of_nothing_is_still_valid():
    svg = bar_chart_svg([], title="空")
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_chart_bars_may_link_and_every_link_is_escaped():
    svg = bar_chart_svg(
        [("甲<b>", 2), ("乙", 1)], title="t", links=["/institutions/?city=1&x=<2>", "/b/"], link_text="看"
    )
    href, name = "/institutions/?city=1&amp;x=&lt;2&gt;", "甲&lt;b&gt;：2（看）"
    assert f'<a class="chart-link" href="{href}" aria-label="{name}">' in svg
    assert 'role="group"' in svg and 'role="img"' not in svg
    with pytest.raises(ValueError):
        bar_chart_svg([("甲", 1)], title="t", links=["javascript:alert(1)"])
    with pytest.raises(ValueError):
        bar_chart_svg([("甲", 1)], title="t", links=["//evil.example/"])
    with pytest.raises(ValueError):
        bar_chart_svg([("甲", 1)], title="t", links=[])


# --- Live figures: totals, fields, invalidation ----------------------------------------------------------


def stat(html: str, name: str) -> int:
    return int(re.search(rf'data-stat="{name}">(\d+)<', html).group(1))


def home_html(client) -> str:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_totals_count_valid_certificates_and_capabilities_of_public_institutions(client):
    public = InstitutionFactory()
    suspended = InstitutionFactory(status=InstitutionStatus.SUSPENDED)
    revoked = InstitutionFactory(status=InstitutionStatus.REVOKED)
    withdrawn = InstitutionFactory(withdrawn_at=timezone.now())
    valid = CertificateFactory(institution=public)
    CertificateFactory(institution=suspended)
    CertificateFactory(institution=public, status=CertificateStatus.SUSPENDED)
    CertificateFactory(institution=public, expires_on=days_from_today(-1), issued_on=days_from_today(-800))
    CertificateFactory(institution=public, withdrawn_at=timezone.now())
    CertificateFactory(institution=revoked)
    CertificateFactory(institution=withdrawn)
    CapabilityFactory.create_batch(3, certificate=valid)
    CapabilityFactory(certificate=valid, withdrawn_at=timezone.now())
    CapabilityFactory(certificate=CertificateFactory(institution=revoked, status=CertificateStatus.REVOKED))
    html = home_html(client)
    assert stat(html, "total") == 2
    assert stat(html, "certificates") == 2
    assert stat(html, "capabilities") == 3


def directory_count(client, **params) -> int:
    html = client.get(reverse("institutions:directory"), params).content.decode()
    found = re.search(r"共找到 (\d+) 家机构", html)
    return int(found.group(1)) if found else 0


def test_the_field_chart_counts_declared_fields_as_the_directory_filters_them(client):
    for status, codes in [
        (InstitutionStatus.NORMAL, ["13", "00"]),
        (InstitutionStatus.NORMAL, ["13"]),
        (InstitutionStatus.SUSPENDED, ["13", "12"]),
        (InstitutionStatus.REVOKED, ["13", "00"]),
    ]:
        institution = InstitutionFactory(status=status)
        for code in codes:
            InstitutionField.objects.create(institution=institution, code=code)
    html = home_html(client)
    chart = re.search(
        r'<svg class="chart"[^>]*aria-labelledby="field-chart-title.*?</svg>', html, re.S
    ).group(0)
    bars = re.findall(r'aria-label="([^"：]+)：(\d+)（查看该领域机构）"', chart)
    # Only declared fields, most institutions first.
    assert bars == [("水质", "3"), ("食品", "1"), ("环境与环保", "1")]
    assert directory_count(client, field="13") == 3 and directory_count(client, field="00") == 1
    assert f'href="{reverse("institutions:directory")}?field=13"' in chart


def test_no_declared_field_shows_an_empty_state_instead_of_the_field_chart(client):
    InstitutionFactory()
    html = home_html(client)
    assert "暂无机构填报检验检测领域" in html
    assert "field-chart-title" not in html


def test_certificates_capabilities_and_fields_saved_or_deleted_recount_the_figures(client):
    institution = InstitutionFactory()
    assert stat(home_html(client), "certificates") == 0
    certificate = CertificateFactory(institution=institution)
    assert stat(home_html(client), "certificates") == 1
    capability = CapabilityFactory(certificate=certificate)
    assert stat(home_html(client), "capabilities") == 1
    capability.delete()
    assert stat(home_html(client), "capabilities") == 0
    field = InstitutionField.objects.create(institution=institution, code="05")
    assert "机动车安检：1" in home_html(client)
    field.delete()
    assert "暂无机构填报检验检测领域" in home_html(client)
    certificate.status = CertificateStatus.REVOKED
    certificate.save()
    assert stat(home_html(client), "certificates") == 0


def test_a_finished_sync_run_recounts_what_it_wrote_in_bulk(client):
    InstitutionFactory()
    assert stat(home_html(client), "total") == 1
    run = SyncRun.objects.create(mode=SyncMode.FULL)
    # The sync writes without signals (bulk_create), then saves its run as it goes and when it ends.
    Institution.objects.bulk_create(
        [Institution(name="同步新增检测有限公司", region_code="320505", uscc=make_uscc())]
    )
    run.pages = 1
    run.save()
    assert stat(home_html(client), "total") == 1  # still running: the figures stand
    run.status = SyncStatus.SUCCEEDED
    run.save()
    assert stat(home_html(client), "total") == 2


# --- Channel boxes and the showcase ----------------------------------------------------------------------


def box_of(html: str, channel: str) -> str:
    return re.search(rf'<section class="channel-box" id="channel-{channel}".*?</section>', html, re.S).group(
        0
    )


def test_three_channel_boxes_with_category_tabs_and_more_links(client):
    html = home_html(client)
    for channel, title, categories in [
        ("news", "新闻资讯", ["监督检查", "行政处罚", "机构风采", "行业动态"]),
        ("laws", "法律法规", ["行业政策", "技术规范", "规范性文件"]),
        ("notices", "通知公告", ["能力验证", "申报指南", "通知"]),
    ]:
        box = box_of(html, channel)
        assert f">{title}</h2>" in box
        tabs = re.findall(r'<a class="channel-tab" id="home-tab-(\w+)" href="([^"]+)"[^>]*>([^<]+)</a>', box)
        assert [label for _code, _url, label in tabs] == categories
        for code, url, _label in tabs:
            assert url == f"{reverse(f'news:{channel}_list')}?category={code}"
            assert f'id="home-panel-{code}"' in box
        assert f'<a class="channel-more" href="{reverse(f"news:{channel}_list")}">MORE' in box


def test_a_box_lists_titles_with_dates_and_pins_and_each_empty_tab_says_so(client):
    ArticleFactory(
        category="proficiency",
        title="能力验证计划",
        is_pinned=True,
        published_at=timezone.make_aware(datetime.datetime(2021, 3, 6, 10, 0)),
    )
    ArticleFactory(category="proficiency", title="能力验证结果", published_at=timezone.now())
    box = box_of(home_html(client), "notices")
    panel = re.search(r'id="home-panel-proficiency".*?</div>', box, re.S).group(0)
    titles = re.findall(r'<a class="article-link-title" href="/articles/\d+/">([^<]+)</a>', panel)
    assert titles == ["能力验证计划", "能力验证结果"]
    assert re.search(
        r"能力验证计划</a>\s*<span class=\"badge badge-pin\">置顶</span>\s*<time[^>]*>2021-03-06<", panel
    )
    assert "暂无申报指南信息" in box and "暂无通知信息" in box


def test_the_showcase_shows_featured_articles_with_cover_title_and_date(client, province_regulator):
    article = services.article_save(
        article=Article(
            category="style", title="【行业发展调研成果展】10.示例检测认证有限公司", body="<p>正文</p>"
        ),
        by=province_regulator,
        publish=True,
        cover=upload("cover.png", png_bytes((32, 18)), "image/png"),
    )
    services.article_flags_set(article=article, by=province_regulator, is_showcase=True)
    ArticleFactory(category="style", title="未入选成果展")
    html = home_html(client)
    showcase = re.search(r'<section class="showcase".*?</section>', html, re.S).group(0)
    assert "【行业发展调研成果展】10.示例检测认证有限公司" in showcase
    assert "未入选成果展" not in showcase
    assert f'src="{reverse("news:article_cover", args=[article.pk])}?v={article.cover_id}"' in showcase
    assert f'href="{article.get_absolute_url()}"' in showcase
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d") in showcase
    # One slide: nothing to rotate, so no controls.
    assert "data-carousel-controls" not in showcase


def test_an_empty_showcase_says_so(client):
    showcase = re.search(r'<section class="showcase".*?</section>', home_html(client), re.S).group(0)
    assert "暂无成果展内容" in showcase and "carousel-slide" not in showcase


def test_several_showcase_items_scroll_without_script_and_get_controls_from_it(client, province_regulator):
    for n in range(3):
        services.article_save(
            article=Article(category="style", title=f"成果展{n}", body="<p>正文</p>", is_showcase=True),
            by=province_regulator,
            publish=True,
            cover=upload(f"c{n}.png", png_bytes(), "image/png"),
        )
    showcase = re.search(r'<section class="showcase".*?</section>', home_html(client), re.S).group(0)
    assert showcase.count("data-carousel-slide") == 3
    # Controls are in the page but hidden until static/js/sujt.js shows them; the dots work without it.
    assert re.search(r'<div class="carousel-controls" data-carousel-controls hidden>', showcase)
    assert re.findall(r'href="#showcase-slide-(\d)"', showcase) == ["1", "2", "3"]


def test_no_inline_script_or_style_on_the_home_page(client):
    ArticleFactory()
    html = home_html(client)
    assert re.findall(r"<script[^>]*>", html) == [f'<script src="{static("js/sujt.js")}" defer>']
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)


# --- Freshness and query counts ------------------------------------------------------------------------


def test_a_published_article_appears_at_once_and_a_taken_down_one_disappears(client, province_regulator):
    ArticleFactory(category="policy", title="已有的政策")
    assert "已有的政策" in home_html(client)  # the blocks are now cached
    article = services.article_save(
        article=Article(category="policy", title="刚刚发布的政策", body="<p>正文</p>"),
        by=province_regulator,
        publish=True,
    )
    assert "刚刚发布的政策" in home_html(client)
    services.article_take_down(article=article, by=province_regulator, reason="内容有误")
    html = home_html(client)
    assert "刚刚发布的政策" not in html and "已有的政策" in html


def test_a_saved_institution_changes_the_totals_without_clearing_the_cache(client):
    InstitutionFactory()
    assert stat(home_html(client), "total") == 1
    InstitutionFactory(region_code="320505")
    html = home_html(client)
    assert stat(html, "total") == 2 and "苏州市：1" in html


def _add_content(n: int, regulator) -> None:
    """n articles in every category (some pinned), n institutions with certificates, capabilities and
    fields, and n featured articles with covers."""
    for category in ("supervision", "penalty", "style", "industry", "policy", "technical", "normative",
                     "proficiency", "guide", "notice"):  # fmt: skip
        for i in range(n):
            ArticleFactory(category=category, is_pinned=i == 0)
    for i in range(n):
        institution = InstitutionFactory(region_code="320505" if i % 2 else "320102")
        CapabilityFactory(certificate=CertificateFactory(institution=institution))
        InstitutionField.objects.create(institution=institution, code=f"{i % 22:02d}")
        services.article_save(
            article=Article(category="style", title=f"成果展{i}", body="<p>正文</p>", is_showcase=True),
            by=regulator,
            publish=True,
            cover=upload("c.png", png_bytes(), "image/png"),
        )


def test_home_queries_are_bounded_and_do_not_grow_with_content(
    client, province_regulator, django_assert_max_num_queries
):
    counts = []
    for n in (5, 10):  # N, then 2N in all
        _add_content(n if not counts else 5, province_regulator)
        cache.clear()  # measure a visit that computes everything
        with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as queries:
            html = home_html(client)
        counts.append(len(queries))
        assert html.count('class="carousel-slide"') == min(n, 8)
    assert counts[0] == counts[1]
    # A second visit is served from the cache.
    with CaptureQueriesContext(connection) as cached:
        home_html(client)
    assert len(cached) == 0
