"""Apps declare regulators' permissions and review queues; accounts and the queue counts read them."""

import pytest
from django.contrib.auth.models import Group
from django.core import checks

from sujt.accounts.services import REGULATOR_GROUP, regulator_group_ensure
from sujt.core import registries
from sujt.core.registries import regulator_permissions, review_queues_for
from tests.factories import InstitutionFactory, NewsSubmissionFactory


def test_the_regulator_group_holds_exactly_the_registered_permissions(db):
    group = regulator_group_ensure()
    held = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    assert held == set(regulator_permissions())
    # Each app declared its own: accounts, 02 and 06 are all there.
    assert {"accounts.view_user", "institutions.change_errorreport", "news.change_newssubmission"} <= held
    assert Group.objects.filter(name=REGULATOR_GROUP).count() == 1


def test_an_unknown_registered_permission_is_a_system_check_error(monkeypatch):
    monkeypatch.setattr(registries, "_regulator_permissions", dict(registries._regulator_permissions))
    assert registries.check_regulator_permissions() == []
    registries.register_regulator_permissions("news.publish_everything", "nosuchapp.view_thing")
    errors = registries.check_regulator_permissions()
    assert [error.id for error in errors] == ["core.E010", "core.E010"]
    assert "news.publish_everything" in errors[0].msg
    assert all(error.level == checks.ERROR for error in errors)


def test_a_regulator_permission_must_be_app_qualified(monkeypatch):
    monkeypatch.setattr(registries, "_regulator_permissions", dict(registries._regulator_permissions))
    with pytest.raises(ValueError):
        registries.register_regulator_permissions("view_article")


@pytest.fixture
def queued(db, institution, other_institution):
    """Submitted news: two in Nanjing, one in Suzhou; a draft in Nanjing that no queue counts."""
    NewsSubmissionFactory.create_batch(2, institution=institution, status="submitted")
    NewsSubmissionFactory(institution=other_institution, status="submitted")
    NewsSubmissionFactory(institution=institution, status="draft")
    NewsSubmissionFactory(institution=InstitutionFactory(region_code="320505"), status="approved")


def _counts(user):
    return {queue.key: queue.count for queue in review_queues_for(user=user)}


def test_review_queues_count_what_waits_in_the_regulators_region(queued, city_regulator, province_regulator):
    assert _counts(city_regulator)["news.submissions"] == 2
    assert _counts(province_regulator)["news.submissions"] == 3
    assert _counts(city_regulator)["institutions.error_reports"] == 0
    urls = {queue.key: queue.url for queue in review_queues_for(user=city_regulator)}
    assert urls["news.submissions"] == "/admin/news/newssubmission/"


def test_review_queues_are_empty_for_someone_who_reviews_nothing(queued, inst_admin):
    assert review_queues_for(user=inst_admin) == []


def test_a_queue_for_one_level_is_shown_only_to_that_level(
    queued, monkeypatch, city_regulator, province_regulator
):
    monkeypatch.setattr(registries, "_review_queues", dict(registries._review_queues))
    queue = registries._review_queues["news.submissions"]
    registries.register_review_queue(
        "news.province_only",
        model=queue.model,
        label="省级复核",
        region_field=queue.region_field,
        pending=queue.pending,
        side=registries.PROVINCE_REGULATORS,
    )
    assert "news.province_only" not in _counts(city_regulator)
    assert _counts(province_regulator)["news.province_only"] == 3


@pytest.mark.parametrize("extra", [0, 5])
def test_review_queue_counts_take_one_query_per_queue(
    extra, queued, institution, city_regulator, django_assert_max_num_queries
):
    NewsSubmissionFactory.create_batch(extra, institution=institution, status="submitted")
    _counts(city_regulator)  # warm the permission cache, as admin's own pages do
    with django_assert_max_num_queries(len(registries.review_queues())):
        assert _counts(city_regulator)["news.submissions"] == 2 + extra
