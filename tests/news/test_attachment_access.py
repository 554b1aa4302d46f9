"""Who downloads a news item's cover and files (/files/<id>/): the rule of the page that shows them.

An institution's news is shown on its 新闻资讯发布 pages (the submit_news permission) and, once submitted,
in the regulators' review queue for its region; a draft, or a draft withdrawn before it was ever
submitted, is the institution's own. A published article's files are public. A regulator's article
before publication is for the regulators over its region, as the article admin lists it.
"""

import pytest
from django.urls import reverse

from news import services
from sujt.core.attachments import attachment_create
from sujt.core.choices import AttachmentKind
from tests.core.samples import PDF_BYTES, upload
from tests.factories import ArticleFactory
from tests.news.conftest import RETURN_COMMENT


def stored_file(owner, by):
    return attachment_create(
        owner=owner, file=upload("活动通知.pdf", PDF_BYTES), kinds=[AttachmentKind.PDF], purpose="file", by=by
    )


def status_for(client_for, who: str, attachment) -> int:
    return client_for(who).get(reverse("core:attachment_download", args=[attachment.pk])).status_code


@pytest.fixture
def news_clerk(institution, clerk):
    return clerk(institution, "经办人丙", "submit_news")


@pytest.fixture
def profile_clerk(institution, clerk):
    """A member holding 机构风采管理 only: the news pages are not theirs."""
    return clerk(institution, "经办人丁", "manage_profile")


def _withdrawn_draft(draft, by):
    return services.submission_withdraw(submission=draft, by=by)


def _returned(draft, by, regulator):
    from sujt.core.workflow import review_return

    submitted = services.submission_submit(submission=draft, by=by)
    review_return(obj=submitted, by=regulator, comment=RETURN_COMMENT)
    return submitted


def _taken_down(draft, by, regulator):
    submitted = services.submission_submit(submission=draft, by=by)
    approved = services.submission_approve(obj=submitted, by=regulator)
    return services.article_take_down(article=approved, by=regulator, reason="内容需更新")


STATES = {
    # name: (make from the draft, listed for the regulators)
    "draft": (lambda draft, by, regulator: draft, False),
    "withdrawn_draft": (lambda draft, by, regulator: _withdrawn_draft(draft, by), False),
    "submitted": (lambda draft, by, regulator: services.submission_submit(submission=draft, by=by), True),
    "returned": (_returned, True),
    "taken_down": (_taken_down, True),
}


@pytest.mark.parametrize("state", list(STATES))
def test_a_submissions_files_follow_its_pages_and_the_review_queue(
    client_for, draft, inst_admin, city_regulator, state
):
    make, listed = STATES[state]
    news = make(draft, inst_admin, city_regulator)
    attachment = stored_file(news, inst_admin)
    assert not news.is_public
    assert status_for(client_for, "inst_admin", attachment) == 200
    assert status_for(client_for, "news_clerk", attachment) == 200
    assert status_for(client_for, "inst_staff", attachment) == 404
    assert status_for(client_for, "profile_clerk", attachment) == 404
    assert status_for(client_for, "other_inst_admin", attachment) == 404
    assert status_for(client_for, "other_city_regulator", attachment) == 404
    for who in ("city_regulator", "province_regulator", "superuser"):
        assert status_for(client_for, who, attachment) == (200 if listed else 404), who
    # The regulator downloads exactly the news admin lists them.
    queue = client_for("city_regulator").get(reverse("admin:news_newssubmission_changelist"))
    assert (news.pk in {row.pk for row in queue.context["cl"].result_list}) is listed


def test_a_published_submissions_files_are_public(client_for, draft, inst_admin, city_regulator):
    submitted = services.submission_submit(submission=draft, by=inst_admin)
    approved = services.submission_approve(obj=submitted, by=city_regulator)
    attachment = stored_file(approved, inst_admin)
    for who in ("inst_staff", "other_inst_admin", "other_city_regulator"):
        assert status_for(client_for, who, attachment) == 200, who


def test_a_regulators_unpublished_article_is_for_the_regulators_over_its_region(client_for, city_regulator):
    article = ArticleFactory(region_code="320100", status="draft", published_at=None, author=city_regulator)
    attachment = stored_file(article, city_regulator)
    for who, expected in [
        ("city_regulator", 200),
        ("province_regulator", 200),
        ("superuser", 200),
        ("other_city_regulator", 404),
        ("inst_admin", 404),
    ]:
        assert status_for(client_for, who, attachment) == expected, who
