"""The services behind an institution's news: who may change what, in which state, and what goes public."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from news import selectors, services
from news.choices import Channel
from news.models import Article, NewsSubmission
from sujt.core.choices import ReviewStatus
from sujt.core.models import Attachment, ReviewTransition
from sujt.core.workflow import InvalidTransition, review_return
from tests.core.samples import upload

from .conftest import RETURN_COMMENT, cover_png, file_pdf

pytestmark = pytest.mark.django_db


def _save(institution, by, **overrides):
    values = {
        "institution": institution,
        "by": by,
        "category": "industry",
        "title": "行业动态：检验检测机构数字化转型研讨会召开",
        "body": "<p>研讨会在南京召开。</p>",
    }
    values.update(overrides)
    return services.submission_save(**values)


def _public(submission) -> bool:
    try:
        selectors.public_article_get(pk=submission.pk)
    except Http404:
        in_detail = False
    else:
        in_detail = True
    in_list = selectors.public_articles(channel=Channel.NEWS).filter(pk=submission.pk).exists()
    assert in_detail == in_list
    return in_detail


# --- What goes public ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "submitted", "returned", "rejected", "withdrawn"])
def test_news_not_approved_is_never_public(request, state):
    submission = request.getfixturevalue(state)
    assert submission.status == state
    assert not _public(submission)
    assert not submission.is_public


def test_approved_news_is_public_at_once_in_the_news_channel(approved):
    assert approved.published_at is not None
    assert _public(approved) and approved.is_public
    listed = selectors.public_articles(channel=Channel.NEWS, category="style")
    assert list(listed.values_list("pk", flat=True)) == [approved.pk]
    assert not selectors.public_articles(channel=Channel.LAWS).filter(pk=approved.pk).exists()


def test_a_taken_down_submission_is_no_longer_public(approved, city_regulator):
    services.article_take_down(article=approved, by=city_regulator, reason="内容已过时")
    assert not _public(approved)


# --- Saving --------------------------------------------------------------------------------------------


def test_a_new_submission_belongs_to_the_institution_and_its_region(institution, inst_admin):
    news = _save(institution, inst_admin)
    assert (news.institution, news.author, news.region_code, news.channel) == (
        institution,
        inst_admin,
        "320102",
        Channel.NEWS,
    )
    assert news.status == ReviewStatus.DRAFT
    assert NewsSubmission.objects.get(pk=news.pk) == news


@pytest.mark.parametrize("category", ["supervision", "penalty", "policy", "notice", "nonsense"])
def test_institutions_may_only_submit_in_their_categories(institution, inst_admin, category):
    with pytest.raises(ValidationError) as caught:
        _save(institution, inst_admin, category=category)
    assert caught.value.message_dict["category"] == ["机构只能在机构风采、行业动态栏目投稿。"]
    assert not Article.objects.exists()


def test_the_body_is_sanitised_by_the_service_too(institution, inst_admin):
    news = _save(
        institution, inst_admin, body='<p>正文</p><script>alert(1)</script><a href="javascript:x()">链</a>'
    )
    news.refresh_from_db()
    assert "<script" not in news.body and "javascript:" not in news.body and "正文" in news.body


def test_saving_with_submit_sends_it_for_review(institution, inst_admin):
    news = _save(institution, inst_admin, submit=True)
    assert news.status == ReviewStatus.SUBMITTED and news.submitted_at is not None


def test_a_returned_submission_is_resubmitted_from_returned(returned, inst_admin):
    _save(returned.institution, inst_admin, submission=returned, title="修改后的标题", submit=True)
    returned.refresh_from_db()
    assert (returned.status, returned.title) == (ReviewStatus.SUBMITTED, "修改后的标题")
    last = ReviewTransition.objects.filter(object_id=returned.pk).order_by("-id").first()
    assert (last.from_status, last.to_status) == ("returned", "submitted")


@pytest.mark.parametrize("state", ["submitted", "approved", "rejected", "withdrawn"])
def test_only_drafts_and_returned_news_may_change(request, inst_admin, state):
    submission = request.getfixturevalue(state)
    before = (submission.title, submission.status)
    with pytest.raises(InvalidTransition) as caught:
        _save(submission.institution, inst_admin, submission=submission, title="不应保存的标题")
    assert "只有草稿和被退回的投稿可以修改" in str(caught.value)
    fresh = NewsSubmission.objects.get(pk=submission.pk)
    assert (fresh.title, fresh.status) == before


def test_a_submission_of_another_institution_cannot_be_saved_through_this_one(
    institution, inst_admin, other_submission
):
    with pytest.raises(InvalidTransition):
        _save(institution, inst_admin, submission=other_submission, title="越权修改")
    other_submission.refresh_from_db()
    assert other_submission.title == "他机构的新闻：苏州开放日"


def test_a_refused_file_keeps_nothing_of_the_change(draft, inst_admin):
    stored_before = set(Attachment.objects.values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        _save(
            draft.institution,
            inst_admin,
            submission=draft,
            title="不应保存的标题",
            cover=cover_png(),
            files=[file_pdf(), upload("伪装.pdf", b"not a pdf", "application/pdf")],
        )
    draft.refresh_from_db()
    assert draft.title == "机构草稿：检测能力再上新台阶" and draft.cover is None
    assert set(Attachment.objects.values_list("pk", flat=True)) == stored_before


def test_files_beyond_the_total_are_refused_and_the_stored_ones_discarded(draft, inst_admin, settings):
    _save(
        draft.institution, inst_admin, submission=draft, files=[file_pdf() for _ in range(services.MAX_FILES)]
    )
    with pytest.raises(ValidationError) as caught:
        _save(draft.institution, inst_admin, submission=draft, cover=cover_png(), files=[file_pdf()])
    assert "files" in caught.value.message_dict
    assert Attachment.objects.filter(purpose="file").count() == services.MAX_FILES
    assert not Attachment.objects.filter(purpose="cover").exists()
    # The cover written before the refusal is gone from storage too.
    stored = {str(p.name) for p in (settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()}
    assert len(stored) == services.MAX_FILES


# --- Submit, withdraw, delete, approve -------------------------------------------------------------------


def test_submit_withdraw_and_their_guards(draft, inst_admin, city_regulator):
    services.submission_submit(submission=draft, by=inst_admin)
    with pytest.raises(InvalidTransition):
        services.submission_submit(submission=draft, by=inst_admin)
    services.submission_withdraw(submission=draft, by=inst_admin)
    assert draft.status == ReviewStatus.WITHDRAWN
    with pytest.raises(InvalidTransition):
        services.submission_withdraw(submission=draft, by=inst_admin)


def test_an_approved_submission_cannot_be_withdrawn_or_deleted(approved, inst_admin):
    with pytest.raises(InvalidTransition):
        services.submission_withdraw(submission=approved, by=inst_admin)
    with pytest.raises(InvalidTransition):
        services.submission_delete(submission=approved, by=inst_admin)
    assert NewsSubmission.objects.get(pk=approved.pk).is_public


def test_deleting_a_withdrawn_submission_removes_its_files(
    draft, inst_admin, django_capture_on_commit_callbacks
):
    _save(draft.institution, inst_admin, submission=draft, cover=cover_png(), files=[file_pdf()])
    names = [a.file.name for a in Attachment.objects.all()]
    storage = Attachment.objects.first().file.storage
    services.submission_withdraw(submission=draft, by=inst_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_delete(submission=draft, by=inst_admin)
    assert not Article.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.exists()
    assert names and not any(storage.exists(name) for name in names)


def test_two_reviewers_cannot_both_decide(submitted, city_regulator, province_regulator):
    services.submission_approve(obj=submitted, by=city_regulator)
    with pytest.raises(InvalidTransition):
        review_return(obj=submitted, by=province_regulator, comment=RETURN_COMMENT)
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.APPROVED and submitted.review_comment == ""


def test_returning_needs_a_comment(submitted, city_regulator):
    with pytest.raises(ValidationError):
        review_return(obj=submitted, by=city_regulator, comment="  ")
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.SUBMITTED


def test_submissions_for_lists_only_the_institutions_own(draft, other_submission, institution):
    assert list(selectors.submissions_for(institution=institution)) == [draft]
    with pytest.raises(Http404):
        selectors.submission_get(institution=institution, pk=other_submission.pk)
