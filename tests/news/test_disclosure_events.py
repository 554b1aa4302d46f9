"""A disclosure asked for with a disclosure.requested event becomes one portal article, after commit."""

import pytest
from django.db import transaction

from news.integrations.events import disclosure_on_request
from news.models import Article
from sujt.core.choices import EventDeliveryStatus, ReviewStatus
from sujt.core.events import DISCLOSURE_REQUESTED, event_record, handler_name, subscriptions
from sujt.core.models import EventDelivery


@pytest.fixture
def request_disclosure(province_regulator, institution):
    """Records the event as the rectification module would, inside its own transaction."""

    def record(event_key: str = "rectification.inspection:7:disclosure", **payload):
        return event_record(
            kind=DISCLOSURE_REQUESTED,
            key=event_key,
            institution=institution,
            source=institution,
            payload={
                "key": "rectification.inspection:7",
                "kind": "inspection",
                "title": "2026年第一批检验检测机构监督抽查结果",
                "summary": "检查发现一般问题 2 项，已责令限期整改。",
                "body": "<p>抽查结果如下。</p>",
                "region_code": "320100",
                "by_id": province_regulator.pk,
                "published_at": "2026-03-02T09:00:00+08:00",
                **payload,
            },
        )

    return record


def test_news_subscribes_to_disclosure_requests_at_start_up():
    assert handler_name(disclosure_on_request) in subscriptions(DISCLOSURE_REQUESTED)


def test_a_recorded_request_publishes_the_article_after_commit(
    db, request_disclosure, province_regulator, institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = request_disclosure()
        assert not Article.objects.exists()  # nothing before the cause commits
    article = Article.objects.get(disclosure_key="rectification.inspection:7")
    assert (article.category, article.status, article.region_code) == (
        "supervision",
        ReviewStatus.APPROVED,
        "320100",
    )
    assert (article.author, article.related_institution) == (province_regulator, institution)
    assert article.title == "2026年第一批检验检测机构监督抽查结果"
    assert article.published_at.isoformat() == "2026-03-02T01:00:00+00:00"
    assert EventDelivery.objects.get(event=event).status == EventDeliveryStatus.DONE


def test_recording_the_request_twice_makes_one_article(
    db, request_disclosure, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_disclosure()
    with django_capture_on_commit_callbacks(execute=True):
        request_disclosure()
    assert Article.objects.filter(disclosure_key="rectification.inspection:7").count() == 1


def test_a_later_request_for_the_same_record_updates_its_article(
    db, request_disclosure, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_disclosure()
    with django_capture_on_commit_callbacks(execute=True):
        request_disclosure("rectification.inspection:7:disclosure:2", title="监督抽查结果（更正）")
    assert list(Article.objects.values_list("title", flat=True)) == ["监督抽查结果（更正）"]


def test_a_rolled_back_request_publishes_nothing(db, request_disclosure, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        request_disclosure()
        raise RuntimeError("the inspection could not be saved")
    assert not Article.objects.exists()
    assert not EventDelivery.objects.exists()


def test_a_request_that_breaks_the_contract_is_kept_as_an_error_and_publishes_nothing(
    db, request_disclosure, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = request_disclosure(kind="gossip")
    delivery = EventDelivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts) == (EventDeliveryStatus.PENDING, 1)
    assert "unknown disclosure kind: gossip" in delivery.last_error
    assert not Article.objects.exists()
