"""`seed_demo` shows module 03: orders in every state over several institutions, the demo login
13800000001 sees an open and a returned order, an order that went overdue and was accepted later, and one
inspection result and one penalty published on the portal and on the institutions' public profiles."""

from io import StringIO

import pytest
from django.urls import reverse

from institutions.demo import admin_phone, demo_institution_spec
from news.models import Article
from news.selectors import public_articles_all
from rectification import demo, events
from rectification.choices import OrderStatus, RoundDecision
from rectification.models import Inspection, RectificationMeasure, RectificationOrder, RectificationRound
from rectification.selectors import orders_for
from sujt.accounts.models import User
from sujt.core.choices import EventDeliveryStatus
from sujt.core.events import DISCLOSURE_REQUESTED
from sujt.core.models import Attachment, DomainEvent, EventDelivery
from tests.demo_checks import row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def institution_uscc(number: int) -> str:
    return demo_institution_spec(number)["uscc"]


def test_seeding_again_changes_nothing():
    before = row_counts()
    out = StringIO()
    demo.seed(out)
    assert row_counts() == before
    assert "新建 0 次监督检查" in out.getvalue()


def test_the_summary_line_names_the_states_and_the_demo_login(demo_seeded):
    output, _private = demo_seeded
    line = next(line for line in output.splitlines() if "机构整改" in line)
    for label in OrderStatus.labels:
        assert label in line, label
    assert admin_phone(1) in line


def test_every_order_state_is_present_over_several_institutions():
    orders = RectificationOrder.objects.all()
    assert set(orders.values_list("status", flat=True)) == set(OrderStatus.values)
    assert orders.values("institution").distinct().count() >= 4
    assert Inspection.objects.filter(findings__isnull=True, orders__isnull=True).exists()  # found nothing


def test_the_demo_login_sees_an_open_and_a_returned_order(client):
    admin = User.objects.get(phone=admin_phone(1))
    mine = orders_for(user=admin)
    assert {OrderStatus.OPEN, OrderStatus.RETURNED} <= set(mine.values_list("status", flat=True))
    assert not mine.exclude(institution__uscc=institution_uscc(1)).exists()
    client.force_login(admin)
    html = client.get(reverse("rectification:order_list")).content.decode()
    for order in mine.filter(status__in=[OrderStatus.OPEN, OrderStatus.RETURNED]):
        assert reverse("rectification:order_detail", args=[order.pk]) in html
    returned = mine.get(status=OrderStatus.RETURNED)
    assert client.get(returned.get_absolute_url()).status_code == 200


def test_answers_have_rounds_decisions_comments_and_evidence():
    returned = RectificationOrder.objects.get(
        status=OrderStatus.RETURNED, institution__uscc=institution_uscc(1)
    )
    last = returned.rounds.order_by("-number").first()
    assert last.decision == RoundDecision.RETURNED and last.comment
    assert last.measures.exclude(regulator_comment="").exists()
    accepted_twice = RectificationOrder.objects.get(
        status=OrderStatus.ACCEPTED, institution__uscc=institution_uscc(1)
    )
    assert list(accepted_twice.rounds.order_by("number").values_list("decision", flat=True)) == [
        RoundDecision.RETURNED,
        RoundDecision.ACCEPTED,
    ]
    submitted = RectificationOrder.objects.get(status=OrderStatus.SUBMITTED)
    waiting = submitted.rounds.get()
    assert waiting.submitted_at is not None and waiting.decision == ""
    measures = RectificationMeasure.objects.filter(round__submitted_at__isnull=False)
    evidence = Attachment.objects.filter(purpose="evidence", object_id__in=measures.values("pk"))
    assert evidence.count() >= measures.count()
    assert not RectificationRound.objects.filter(submitted_at__isnull=True).exists()  # no stray drafts


def test_the_overdue_orders_went_through_the_deadline_job_and_one_was_accepted_late():
    overdue = RectificationOrder.objects.get(status=OrderStatus.OVERDUE)
    assert overdue.overdue_at is not None
    late = RectificationOrder.objects.get(status=OrderStatus.ACCEPTED, overdue_at__isnull=False)
    accepted = DomainEvent.objects.get(kind=events.ORDER_ACCEPTED, source_id=late.pk)
    assert accepted.payload["was_overdue"] is True
    assert DomainEvent.objects.filter(kind=events.ORDER_OVERDUE).count() == 2
    from sujt.core.models import DeadlineNotice

    marked = DeadlineNotice.objects.filter(deadline="rectification.order_due", step="overdue")
    assert set(marked.values_list("object_id", flat=True)) == {overdue.pk, late.pk}


def test_one_inspection_and_one_penalty_are_public_articles_on_the_profiles(client):
    articles = public_articles_all().filter(disclosure_key__startswith="rectification.")
    assert set(articles.values_list("category", flat=True)) == {"supervision", "penalty"}
    deliveries = EventDelivery.objects.filter(
        event__kind=DISCLOSURE_REQUESTED, event__key__startswith="rectification."
    )
    assert deliveries.count() == 2
    assert set(deliveries.values_list("status", flat=True)) == {EventDeliveryStatus.DONE}
    for article in articles:
        profile = reverse("institutions:public_detail", args=[article.related_institution_id])
        assert article.title in client.get(profile).content.decode()
        channel = reverse("news:news_list") + f"?category={article.category}"
        assert article.title in client.get(channel).content.decode()
    inspection_article = articles.get(category="supervision")
    assert inspection_article.related_institution.uscc == institution_uscc(1)
    assert Article.objects.filter(disclosure_key__startswith="rectification.").count() == 2
