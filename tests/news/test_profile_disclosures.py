"""An institution's public profile lists the 监督检查 and 行政处罚 articles published about it (issue 14):
news declares the section in the core registry, a disclosure event handled by news makes the article, the
profile shows it while it is public, and only on the institution's own profile, without personal numbers.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from news import services as news_services
from news.integrations.profile import SECTION_KEY, SECTION_LIMIT
from news.models import Article
from rectification import services as rectification_services
from rectification.choices import FindingCategory, InspectionKind, PenaltyKind, Severity
from sujt.core.registries import public_profile_sections
from tests.factories import ArticleFactory

SECTION_EMPTY = "暂无公开的监督检查结果或行政处罚信息"
ID_CARD_IN_TEXT = "320102199001011234"
MOBILE_IN_TEXT = "13912345678"


def profile_html(client, institution) -> str:
    response = client.get(reverse("institutions:public_detail", args=[institution.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section_html(html: str) -> str:
    """The section's own markup, so that a title elsewhere on the page does not count."""
    match = re.search(r'<section class="card" id="section-news-disclosures".*?</section>', html, re.S)
    assert match, "the profile has no 监督检查与行政处罚 section"
    return match.group(0)


@pytest.fixture
def inspection(institution, city_regulator):
    return rectification_services.inspection_record(
        institution=institution,
        kind=InspectionKind.RANDOM,
        inspected_on=timezone.localdate() - datetime.timedelta(days=10),
        inspectors="张检查、李检查",
        by=city_regulator,
        findings=[
            {
                "category": FindingCategory.EQUIPMENT,
                "severity": Severity.GENERAL,
                "description": "部分仪器设备未按期检定。",
            }
        ],
        penalties=[
            {
                "kind": PenaltyKind.FINE,
                "amount": Decimal("20000"),
                "decision_number": "宁市监罚〔2026〕18号",
                "decided_on": timezone.localdate() - datetime.timedelta(days=3),
                # A personal number typed into the reasons must not reach any public page.
                "description": f"出具不实报告，经办人身份证 {ID_CARD_IN_TEXT}，电话 {MOBILE_IN_TEXT}。",
            }
        ],
    )


@pytest.fixture
def disclosed(inspection, city_regulator, django_capture_on_commit_callbacks):
    """The inspection and its penalty disclosed the way regulators do it: the rectification services record
    disclosure.requested events; after commit news's handler publishes the articles (tasks run eagerly)."""
    with django_capture_on_commit_callbacks(execute=True):
        rectification_services.inspection_disclose(inspection=inspection, by=city_regulator)
    with django_capture_on_commit_callbacks(execute=True):
        rectification_services.penalty_disclose(penalty=inspection.penalties.get(), by=city_regulator)
    return {
        "inspection": Article.objects.get(disclosure_key=f"rectification.inspection:{inspection.pk}"),
        "penalty": Article.objects.get(
            disclosure_key=f"rectification.penalty:{inspection.penalties.get().pk}"
        ),
    }


def test_news_declares_the_section_in_the_core_registry():
    assert SECTION_KEY in [section.key for section in public_profile_sections()]


def test_a_disclosed_inspection_and_penalty_are_listed_on_the_profile(client, institution, disclosed):
    section = section_html(profile_html(client, institution))
    for kind, label in (("inspection", "监督检查"), ("penalty", "行政处罚")):
        article = disclosed[kind]
        assert article.title in section
        assert reverse("news:article_detail", args=[article.pk]) in section
        assert label in section
    assert SECTION_EMPTY not in section
    # Newest first: the penalty was published after the inspection result.
    assert section.index(disclosed["penalty"].title) < section.index(disclosed["inspection"].title)


def test_a_taken_down_article_leaves_the_profile(client, institution, disclosed, city_regulator):
    news_services.article_take_down(article=disclosed["penalty"], by=city_regulator, reason="决定已撤销。")
    section = section_html(profile_html(client, institution))
    assert disclosed["penalty"].title not in section
    assert disclosed["inspection"].title in section


def test_an_article_not_public_yet_or_not_approved_is_not_listed(client, institution):
    scheduled = ArticleFactory(
        category="supervision",
        related_institution=institution,
        title="定时发布的检查结果",
        published_at=timezone.now() + datetime.timedelta(days=2),
    )
    draft = ArticleFactory(
        category="penalty", related_institution=institution, title="未发布的处罚信息", status="draft"
    )
    section = section_html(profile_html(client, institution))
    assert scheduled.title not in section and draft.title not in section
    assert SECTION_EMPTY in section


def test_another_institutions_profile_does_not_show_it(client, other_institution, disclosed):
    section = section_html(profile_html(client, other_institution))
    assert disclosed["inspection"].title not in section and disclosed["penalty"].title not in section
    assert SECTION_EMPTY in section


def test_only_the_two_disclosure_categories_are_listed(client, institution):
    ArticleFactory(category="style", related_institution=institution, title="机构风采：实验室开放日")
    assert "机构风采：实验室开放日" not in section_html(profile_html(client, institution))


def test_no_personal_numbers_on_the_profile_or_the_articles(client, institution, disclosed):
    pages = [profile_html(client, institution)] + [
        client.get(reverse("news:article_detail", args=[article.pk])).content.decode()
        for article in disclosed.values()
    ]
    for html in pages:
        assert ID_CARD_IN_TEXT not in html and MOBILE_IN_TEXT not in html


def _articles(institution, count: int) -> None:
    now = timezone.now()
    for number in range(count):
        ArticleFactory(
            category="supervision" if number % 2 else "penalty",
            related_institution=institution,
            title=f"公示第{number}号",
            published_at=now - datetime.timedelta(hours=number + 1),
        )


def test_the_section_is_bounded_and_says_so(client, institution):
    _articles(institution, SECTION_LIMIT + 3)
    section = section_html(profile_html(client, institution))
    assert section.count("<tr>") == 1 + SECTION_LIMIT  # the heading row and the newest rows
    assert "公示第0号" in section and f"公示第{SECTION_LIMIT}号" not in section
    assert f"仅显示最近 {SECTION_LIMIT} 条" in section


def test_the_section_costs_one_query_whatever_the_rows(client, institution, other_institution):
    _articles(institution, 2)
    _articles(other_institution, SECTION_LIMIT + 5)
    counts = []
    for target in (institution, other_institution):
        with CaptureQueriesContext(connection) as queries:
            profile_html(client, target)
        counts.append(len(queries))
    assert counts[0] == counts[1]
