"""The portal's home page in a real browser: category tabs, the showcase carousel, the directory search and
大字体 reaching the charts."""

import re

from playwright.sync_api import expect

from news import services
from news.models import Article
from tests.factories import ArticleFactory, InstitutionFactory, RegulatorFactory


def _showcase(regulator, titles: list[str]) -> None:
    from tests.news.conftest import cover_png

    for title in titles:
        article = Article(category="style", title=title, body="<p>正文。</p>", is_showcase=True)
        services.article_save(article=article, by=regulator.user, publish=True, cover=cover_png())


def test_the_home_page_tabs_carousel_search_and_large_font(page, transactional_db):
    InstitutionFactory(name="钟山示例检测技术有限公司", region_code="320102")
    ArticleFactory(category="supervision", title="南京市开展检验检测机构监督检查")
    ArticleFactory(category="penalty", title="某检测公司出具不实报告被处罚")
    _showcase(RegulatorFactory(region_code="320000"), ["成果展第一项", "成果展第二项"])

    page.goto("/")
    news_box = page.locator("#channel-news")
    # The first category's panel shows; another tab swaps the panel in place.
    expect(news_box.get_by_role("link", name="南京市开展检验检测机构监督检查")).to_be_visible()
    expect(news_box.get_by_role("link", name="某检测公司出具不实报告被处罚")).to_be_hidden()
    news_box.get_by_role("tab", name="行政处罚").click()
    expect(news_box.get_by_role("tab", name="行政处罚")).to_have_attribute("aria-selected", "true")
    expect(news_box.get_by_role("link", name="某检测公司出具不实报告被处罚")).to_be_visible()
    expect(news_box.get_by_role("link", name="南京市开展检验检测机构监督检查")).to_be_hidden()

    # The carousel: pause, then step to the next slide.
    carousel = page.locator("[data-carousel]")
    carousel.get_by_role("button", name="暂停轮播").click()
    expect(carousel.get_by_role("button", name="自动轮播")).to_be_visible()
    carousel.get_by_role("button", name="下一项").click()
    expect(carousel.locator("[data-carousel-dot][aria-current=true]")).to_have_text(re.compile("2"))

    # 大字体 enlarges the charts' text too (SVG text does not follow the page's rem).
    label = page.locator(".chart-label").first
    assert label.evaluate("e => getComputedStyle(e).fontSize") == "13px"
    page.get_by_role("button", name="大字体").click()
    assert label.evaluate("e => getComputedStyle(e).fontSize") == "16px"

    # The search box goes to the directory with the words.
    page.get_by_label("机构名称、信用代码、证书编号、检测项目或标准号").first.fill("钟山")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"/institutions/\?.*q=%E9%92%9F%E5%B1%B1"))
    expect(page.get_by_role("link", name="钟山示例检测技术有限公司")).to_be_visible()
