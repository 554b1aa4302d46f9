"""Apps declare regulators' permissions and review queues; accounts and the queue counts read them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

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


def test_the_group_is_not_built_from_a_shortened_list(db, monkeypatch):
    """A registered permission without its row (say, its app was never migrated) stops the build with its
    name instead of granting the rest."""
    group = regulator_group_ensure()
    held = set(group.permissions.all())
    monkeypatch.setattr(registries, "_regulator_permissions", dict(registries._regulator_permissions))
    registries.register_regulator_permissions("news.publish_everything")
    with pytest.raises(ImproperlyConfigured, match=r"news\.publish_everything"):
        regulator_group_ensure()
    assert set(group.permissions.all()) == held


def test_a_missing_permission_row_is_reported_by_its_dotted_name(db):
    Permission.objects.filter(content_type__app_label="news", codename="delete_article").delete()
    with pytest.raises(ImproperlyConfigured, match=r"news\.delete_article"):
        regulator_group_ensure()


def test_building_the_group_takes_the_same_queries_however_many_are_registered(db, monkeypatch):
    def queries_to_rebuild() -> int:
        regulator_group_ensure()  # the group exists and holds the list: only the rebuild is counted
        with CaptureQueriesContext(connection) as captured:
            regulator_group_ensure()
        return len(captured)

    before = queries_to_rebuild()
    monkeypatch.setattr(registries, "_regulator_permissions", dict(registries._regulator_permissions))
    registries.register_regulator_permissions(
        "core.view_attachment", "core.view_notification", "core.view_reviewtransition"
    )
    assert queries_to_rebuild() == before


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


@pytest.fixture
def district_regulator(db):
    from tests.conftest import _regulator_group
    from tests.factories import RegulatorFactory

    reg = RegulatorFactory(region_code="320102", bureau="玄武区市场监督管理局", user__name="玄武监管员")
    reg.user.groups.add(_regulator_group())
    return reg.user


def test_a_district_regulator_counts_only_their_district(queued, institution, district_regulator):
    # Another Nanjing district's submission is the city's, not Xuanwu's.
    NewsSubmissionFactory(institution=InstitutionFactory(region_code="320104"), status="submitted")
    assert _counts(district_regulator)["news.submissions"] == 2


@pytest.mark.parametrize("who", ["city_regulator", "province_regulator"])
def test_a_queue_link_opens_the_admin_list_on_the_counted_rows(queued, client_for, request, who):
    queue = {queue.key: queue for queue in review_queues_for(user=request.getfixturevalue(who))}[
        "news.submissions"
    ]
    assert queue.url == "/admin/news/newssubmission/?status__exact=submitted"
    response = client_for(who).get(queue.url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == queue.count


def test_a_queue_may_name_its_admin_page_and_select_its_rows(
    queued, monkeypatch, institution, city_regulator
):
    from news.models import NewsSubmission

    monkeypatch.setattr(registries, "_review_queues", dict(registries._review_queues))
    registries.register_review_queue(
        "news.with_summary",
        model=NewsSubmission,
        label="有摘要的投稿",
        region_field="institution__region_code",
        pending=Q(status="submitted"),
        admin_url_name="admin:news_article_changelist",
        selector=lambda: NewsSubmission.objects.exclude(summary=""),
    )
    NewsSubmissionFactory(institution=institution, status="submitted", summary="")
    counted = {queue.key: queue for queue in review_queues_for(user=city_regulator)}["news.with_summary"]
    assert counted.count == 2
    assert counted.url == "/admin/news/article/"  # a Q says nothing to admin's query string


def test_a_queue_side_must_be_known(monkeypatch):
    monkeypatch.setattr(registries, "_review_queues", dict(registries._review_queues))
    with pytest.raises(ValueError):
        registries.register_review_queue(
            "x", model=Group, label="x", region_field="name", pending={}, side="district"
        )
