"""NewsSubmissionAdmin: the regulators' review queue of institution news (approve publishes it at once;
return and reject need a comment), scoped to their region, read-only, drafts never shown."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from news import services
from news.models import NewsSubmission
from sujt.core.choices import ReviewStatus
from sujt.core.models import Attachment
from sujt.core.workflow import review_approve
from tests.factories import InstitutionFactory, NewsSubmissionFactory
from tests.news.conftest import cover_png, file_pdf

CHANGELIST = reverse("admin:news_newssubmission_changelist")


def change_url(submission) -> str:
    return reverse("admin:news_newssubmission_change", args=[submission.pk])


def listed(response) -> list[int]:
    return [obj.pk for obj in response.context["cl"].result_list]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def review(client, action: str, submissions, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [s.pk for s in submissions], **extra}
    return client.post(CHANGELIST, data)


def submit_news(institution, user, **fields) -> NewsSubmission:
    fields.setdefault("category", "style")
    fields.setdefault("title", "我单位举办实验室开放日")
    fields.setdefault("body", "<p>开放日当天，<strong>两百余名</strong>市民参观了实验室。</p>")
    return services.submission_save(institution=institution, by=user, submit=True, **fields)


# --- Decisions -------------------------------------------------------------------------------------------


def test_approval_goes_through_the_confirm_page_and_publishes_the_news(client_for, submitted):
    client = client_for("city_regulator")
    confirm = review(client, "review_approve_selected", [submitted])
    assert confirm.status_code == 200 and submitted.title in confirm.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.SUBMITTED

    done = review(client, "review_approve_selected", [submitted], review_confirm="yes", comment="同意发布")
    assert done.status_code == 302 and "已审核通过 1 项。" in messages_of(done)
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.APPROVED and submitted.published_at is not None
    assert submitted.is_public and submitted.review_comment == "同意发布"
    news_list = client_for("anonymous").get(reverse("news:news_list")).content.decode()
    assert submitted.title in news_list
    assert client_for("anonymous").get(submitted.get_public_url()).status_code == 200


def test_returning_needs_a_comment_and_the_institution_sees_it(client_for, submitted):
    client = client_for("city_regulator")
    refused = review(client, "review_return_selected", [submitted], review_confirm="yes", comment=" ")
    assert refused.status_code == 200 and "请填写审核意见" in refused.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.SUBMITTED

    review(client, "review_return_selected", [submitted], review_confirm="yes", comment="请补充活动照片。")
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.RETURNED and not submitted.is_public
    page = client_for("inst_admin").get(submitted.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200 and "已退回" in html and "请补充活动照片。" in html


def test_rejecting_needs_a_comment_and_keeps_the_news_off_the_portal(client_for, submitted):
    client = client_for("city_regulator")
    review(client, "review_reject_selected", [submitted], review_confirm="yes", comment="")
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.SUBMITTED
    review(client, "review_reject_selected", [submitted], review_confirm="yes", comment="与检验检测无关。")
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.REJECTED and submitted.published_at is None
    assert client_for("anonymous").get(submitted.get_public_url()).status_code == 404


def test_an_already_decided_item_is_reported_not_decided_again(client_for, approved):
    response = review(
        client_for("city_regulator"), "review_reject_selected", [approved], review_confirm="yes", comment="x"
    )
    assert any(approved.title in m and "已通过" in m for m in messages_of(response))
    approved.refresh_from_db()
    assert approved.status == ReviewStatus.APPROVED


# --- The queue ---------------------------------------------------------------------------------------------


def test_a_city_regulator_sees_only_their_citys_submissions(
    client_for, institution, inst_admin, other_institution, other_inst_admin
):
    nanjing = submit_news(institution, inst_admin)
    suzhou = submit_news(other_institution, other_inst_admin, title="苏州机构新闻")
    assert listed(client_for("city_regulator").get(CHANGELIST)) == [nanjing.pk]
    assert listed(client_for("other_city_regulator").get(CHANGELIST)) == [suzhou.pk]
    assert set(listed(client_for("province_regulator").get(CHANGELIST))) == {nanjing.pk, suzhou.pk}
    response = client_for("city_regulator").get(change_url(suzhou))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    review(client_for("city_regulator"), "review_approve_selected", [suzhou], review_confirm="yes")
    suzhou.refresh_from_db()
    assert suzhou.status == ReviewStatus.SUBMITTED


def test_drafts_are_not_listed_and_pending_items_come_first(client_for, institution, inst_admin, draft):
    never_submitted = NewsSubmissionFactory(institution=institution, title="撤回的草稿")
    services.submission_withdraw(submission=never_submitted, by=inst_admin)
    first = submit_news(institution, inst_admin, title="先提交的新闻")
    decided = submit_news(institution, inst_admin, title="已审核的新闻")
    second = submit_news(institution, inst_admin, title="后提交的新闻")
    services.submission_approve(obj=decided, by=inst_admin)
    rows = listed(client_for("city_regulator").get(CHANGELIST))
    assert rows == [first.pk, second.pk, decided.pk]
    assert draft.pk not in rows and never_submitted.pk not in rows
    assert client_for("city_regulator").get(change_url(draft)).status_code == 302


def test_the_queue_filters_by_status_and_city_and_searches_by_institution(
    client_for, institution, inst_admin, other_institution, other_inst_admin
):
    nanjing = submit_news(institution, inst_admin)
    suzhou = submit_news(other_institution, other_inst_admin, title="苏州机构新闻")
    review_approve(obj=suzhou, by=other_inst_admin)
    client = client_for("province_regulator")
    assert listed(client.get(CHANGELIST, {"status__exact": "submitted"})) == [nanjing.pk]
    assert listed(client.get(CHANGELIST, {"city": "320500"})) == [suzhou.pk]
    assert listed(client.get(CHANGELIST, {"q": "金陵"})) == [nanjing.pk]


# --- The change page ----------------------------------------------------------------------------------------


def test_the_change_page_shows_the_content_read_only_with_cover_and_files(
    client_for, institution, inst_admin
):
    submission = submit_news(
        institution,
        inst_admin,
        body='<p>正文<strong>加粗</strong><img src="x" onerror="alert(1)"></p><script>alert(2)</script>',
        cover=cover_png(),
        files=[file_pdf()],
    )
    client = client_for("city_regulator")
    html = client.get(change_url(submission)).content.decode()
    assert "<strong>加粗</strong>" in html
    assert "onerror" not in html and "alert(2)" not in html
    cover = reverse("core:attachment_download", args=[submission.cover_id])
    pdf = Attachment.objects.get(purpose="file")
    download = reverse("core:attachment_download", args=[pdf.pk])
    assert f'<img src="{cover}"' in html and download in html and pdf.original_name in html
    assert 'name="_save"' not in html and 'name="title"' not in html
    assert client.get(cover).status_code == 200 and client.get(download).status_code == 200
    assert "审核记录" in html


def test_the_news_cannot_be_edited_added_or_deleted_in_admin(client_for, submitted):
    client = client_for("city_regulator")
    assert client.post(change_url(submitted), {"title": "监管改写"}).status_code == 403
    assert client.get(reverse("admin:news_newssubmission_add")).status_code == 403
    delete = reverse("admin:news_newssubmission_delete", args=[submitted.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.title == "机构草稿：检测能力再上新台阶"
    actions = dict(client.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions and "review_approve_selected" in actions


def test_the_history_page_of_a_submission_is_shown(client_for, submitted):
    history = reverse("admin:news_newssubmission_history", args=[submitted.pk])
    response = client_for("city_regulator").get(history)
    assert response.status_code == 200 and "草稿 → 待审核" in response.content.decode()
    version = submitted.history.order_by("-history_date").first()
    version_url = reverse("admin:news_newssubmission_simple_history", args=[submitted.pk, version.pk])
    assert client_for("city_regulator").get(version_url).status_code == 200
    assert client_for("other_city_regulator").get(history).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "inst_admin"])
def test_institution_users_cannot_open_a_submission_in_admin(client_for, submitted, who):
    response = client_for(who).get(change_url(submitted))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_queue_queries_do_not_grow_with_rows(client_for, django_assert_max_num_queries):
    client = client_for("province_regulator")
    counts = []
    for total in (5, 20):
        for n in range(total - NewsSubmission.objects.count()):
            institution = InstitutionFactory(region_code="320102" if n % 2 else "320505")
            NewsSubmissionFactory(institution=institution, status="submitted")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CHANGELIST)
        assert len(response.context["cl"].result_list) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The sidebar counts each review queue once (credit's three included).
    with django_assert_max_num_queries(15):
        client.get(CHANGELIST)
