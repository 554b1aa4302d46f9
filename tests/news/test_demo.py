"""`seed_demo` shows module 06: every category has public articles, showcase items have covers, and
institution 1 (13800000001) has news in every workflow state."""

import pytest
from django.urls import reverse

from institutions.demo import demo_institution_spec
from news.choices import CATEGORY_CHANNEL
from news.models import Article, NewsSubmission
from news.selectors import home_blocks, public_articles_all
from sujt.core.choices import ReviewStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def test_demo_has_about_sixty_articles_with_public_ones_in_every_category():
    assert 55 <= Article.objects.count() <= 70
    public = public_articles_all()
    for category in CATEGORY_CHANNEL:
        assert public.filter(category=category).exists(), category


def test_demo_showcase_items_have_covers_and_reach_the_home_page():
    showcase = public_articles_all().filter(is_showcase=True)
    assert showcase.count() >= 3
    assert not showcase.filter(cover__isnull=True).exists()
    assert len(home_blocks()["showcase"]) == showcase.count()


def test_demo_institution_one_has_news_in_every_workflow_state():
    uscc = demo_institution_spec(1)["uscc"]
    states = set(NewsSubmission.objects.filter(institution__uscc=uscc).values_list("status", flat=True))
    assert states == set(ReviewStatus.values)
    returned = NewsSubmission.objects.get(institution__uscc=uscc, status=ReviewStatus.RETURNED)
    assert returned.review_comment


def test_demo_city_articles_carry_their_city_and_special_cases_are_not_public():
    assert Article.objects.filter(institution__isnull=True, region_code="320500").exists()
    scheduled = Article.objects.get(title__startswith="关于开展 2027 年度检验检测统计直报工作")
    assert scheduled.is_scheduled and not scheduled.is_public
    taken_down = Article.objects.get(title__endswith="（已更正）")
    assert taken_down.taken_down_at is not None and not taken_down.is_public
    # News's own two (the rectification demo discloses more: tests/rectification/test_demo.py).
    assert (
        Article.objects.filter(disclosure_key__startswith="demo.", related_institution__isnull=False).count()
        == 2
    )


def test_demo_disclosures_arrive_as_events_that_news_handled():
    from sujt.core.choices import EventDeliveryStatus
    from sujt.core.events import DISCLOSURE_REQUESTED
    from sujt.core.models import EventDelivery

    deliveries = EventDelivery.objects.filter(
        event__kind=DISCLOSURE_REQUESTED, event__key__startswith="demo."
    )
    assert deliveries.count() == 2
    assert set(deliveries.values_list("status", flat=True)) == {EventDeliveryStatus.DONE}
    keys = {
        event_key.removesuffix(":requested") for event_key in deliveries.values_list("event__key", flat=True)
    }
    assert keys == set(
        Article.objects.filter(disclosure_key__startswith="demo.").values_list("disclosure_key", flat=True)
    )


def test_demo_home_page_shows_the_articles(client):
    html = client.get(reverse("portal:home")).content.decode()
    newest_policy = public_articles_all().filter(category="policy").order_by("-is_pinned", "-published_at")[0]
    assert newest_policy.title in html
