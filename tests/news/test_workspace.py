"""06 新闻资讯发布 in the workspace: the institution's list, the form, the detail page and its actions."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from news import selectors, services
from news.choices import Channel
from news.models import Article, NewsSubmission
from sujt.core.choices import ReviewStatus
from sujt.core.models import Attachment, Notification
from sujt.core.workflow import review_return
from tests.core.samples import PDF_BYTES, upload
from tests.factories import NewsSubmissionFactory

from .conftest import RETURN_COMMENT, cover_png, file_pdf

LIST = reverse("news:submission_list")
ADD = reverse("news:submission_add")
LOGIN = reverse("accounts:login")

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def last_message(response) -> str:
    """The message this response added (earlier redirects in the test were not followed, so theirs
    are still queued)."""
    return messages_of(response)[-1]


def body_of(html: str) -> str:
    """The rendered article body on the detail page."""
    return re.search(r"<div class=\"rich-text\" data-body>(.*?)</div>", html, re.S).group(1)


# --- The permission matrix ---------------------------------------------------------------------------

GET_PAGES = ["list", "add", "detail", "edit", "delete"]


def _page_url(page: str, submission, urls) -> str:
    return {"list": LIST, "add": ADD, **urls(submission)}[page]


@pytest.mark.parametrize("page", GET_PAGES)
@pytest.mark.parametrize(("who", "expected"), [("anonymous", 302), ("inst_staff", 403), ("inst_admin", 200)])
def test_every_page_needs_a_member_holding_submit_news(client_for, draft, urls, page, who, expected):
    response = client_for(who).get(_page_url(page, draft, urls))
    assert response.status_code == expected
    if who == "anonymous":
        assert response.url.startswith(LOGIN)


@pytest.mark.parametrize("page", GET_PAGES)
def test_a_staff_member_granted_submit_news_may_use_every_page(
    client_for, draft, urls, inst_staff, institution, grant, page
):
    grant(inst_staff, institution, "submit_news")
    assert client_for("inst_staff").get(_page_url(page, draft, urls)).status_code == 200


@pytest.mark.parametrize("page", ["detail", "edit", "delete"])
def test_another_institutions_submission_does_not_exist(client_for, draft, urls, page):
    assert client_for("other_inst_admin").get(urls(draft)[page]).status_code == 404


@pytest.mark.parametrize("page", ["list", "add"])
def test_another_institution_works_on_its_own_pages(client_for, draft, urls, page):
    response = client_for("other_inst_admin").get(_page_url(page, draft, urls))
    assert response.status_code == 200
    assert draft.title not in response.content.decode()


@pytest.mark.parametrize("action", ["submit", "withdraw", "delete", "edit"])
@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 404)]
)
def test_actions_by_outsiders_change_nothing(client_for, draft, urls, submission_data, action, who, expected):
    response = client_for(who).post(urls(draft)[action], submission_data(title="被篡改", action="submit"))
    assert response.status_code == expected
    if who == "anonymous":
        assert response.url.startswith(LOGIN)
    draft.refresh_from_db()
    assert (draft.status, draft.title) == (ReviewStatus.DRAFT, "机构草稿：检测能力再上新台阶")


@pytest.mark.parametrize("action", ["submit", "withdraw"])
def test_a_granted_staff_member_may_act_and_is_recorded(
    client_for, draft, urls, inst_staff, institution, grant, action
):
    grant(inst_staff, institution, "submit_news")
    response = client_for("inst_staff").post(urls(draft)[action])
    assert response.status_code == 302 and response.url == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == {"submit": ReviewStatus.SUBMITTED, "withdraw": ReviewStatus.WITHDRAWN}[action]
    assert draft.status_changed_by == inst_staff


def test_actions_answer_only_post(client_for, draft, urls):
    client = client_for("inst_admin")
    assert client.get(urls(draft)["submit"]).status_code == 405
    assert client.get(urls(draft)["withdraw"]).status_code == 405


# --- The list ----------------------------------------------------------------------------------------


def test_the_list_shows_the_institutions_submissions_with_status_and_comment(
    client_for, returned, other_submission, draft
):
    response = client_for("inst_admin").get(LIST)
    html = response.content.decode()
    assert list(response.context["page"].object_list) == [returned]
    row = re.search(rf'<tr data-submission="{returned.pk}">(.*?)</tr>', html, re.S).group(1)
    assert returned.title in row and "机构风采" in row
    assert 'data-status="returned"' in row and "已退回" in row
    assert f"{returned.submitted_at.astimezone():%Y-%m-%d %H:%M}" in row
    assert RETURN_COMMENT[:20] in row
    assert f'href="{reverse("news:submission_edit", args=[returned.pk])}"' in row
    assert other_submission.title not in html
    assert f'href="{ADD}"' in html and "新建投稿" in html


def test_a_long_review_comment_is_shortened_in_the_list(client_for, submitted, city_regulator):
    review_return(obj=submitted, by=city_regulator, comment="请修改。" + "内容过长" * 40)
    html = client_for("inst_admin").get(LIST).content.decode()
    assert "请修改。" + "内容过长" * 10 in html and "内容过长" * 40 not in html


def test_the_comment_of_an_approved_submission_is_not_shown_in_the_list(
    client_for, submitted, city_regulator
):
    services.submission_approve(obj=submitted, by=city_regulator, comment="内部备注：写得不错")
    html = client_for("inst_admin").get(LIST).content.decode()
    assert "内部备注" not in html
    assert f'href="{submitted.get_public_url()}"' in html


def test_the_list_filters_by_status_with_counts_and_searches_titles(client_for, institution, inst_admin):
    NewsSubmissionFactory.create_batch(2, institution=institution, author=inst_admin)
    wanted = NewsSubmissionFactory(
        institution=institution, title="我单位获评高新技术企业", status="submitted"
    )
    NewsSubmissionFactory(institution=institution, title="年度质量月活动", status="returned")
    client = client_for("inst_admin")

    response = client.get(LIST)
    tabs = {tab.value: tab.count for tab in response.context["status_tabs"]}
    assert tabs == {
        "": 4,
        "draft": 2,
        "submitted": 1,
        "approved": 0,
        "returned": 1,
        "rejected": 0,
        "withdrawn": 0,
    }
    assert "全部状态（4）" in response.content.decode() and "草稿（2）" in response.content.decode()

    assert list(client.get(LIST, {"status": "submitted"}).context["page"].object_list) == [wanted]
    assert list(client.get(LIST, {"q": "高新"}).context["page"].object_list) == [wanted]
    assert list(client.get(LIST, {"q": "高新", "status": "draft"}).context["page"].object_list) == []
    # An unknown status is ignored rather than emptying the list.
    assert client.get(LIST, {"status": "bogus"}).context["page"].paginator.count == 4


def test_the_list_is_paginated_twenty_a_page(client_for, institution):
    NewsSubmissionFactory.create_batch(21, institution=institution)
    client = client_for("inst_admin")
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 20
    assert 'class="pagination"' in first.content.decode()
    assert len(client.get(LIST, {"page": 2}).context["page"].object_list) == 1


def test_an_empty_list_says_so_differently_when_filtered(client_for):
    client = client_for("inst_admin")
    assert "还没有投稿" in client.get(LIST).content.decode()
    filtered = client.get(LIST, {"status": "approved"}).content.decode()
    assert "没有符合条件的投稿" in filtered and "还没有投稿" not in filtered


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def _make_rows(institution, inst_admin, rows: int) -> None:
    for n in range(rows):
        status = ["draft", "submitted", "returned", "approved"][n % 4]
        NewsSubmissionFactory(
            institution=institution,
            author=inst_admin,
            status=status,
            review_comment="意见" if n % 4 == 2 else "",
        )


@pytest.mark.parametrize("rows", [6, 12])
def test_the_list_queries_are_pinned(
    client_for, institution, inst_admin, rows, django_assert_max_num_queries
):
    _make_rows(institution, inst_admin, rows)
    client = client_for("inst_admin")
    client.get(LIST)  # warm the content-type cache
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_the_list_queries_do_not_grow_when_rows_double(client_for, institution, inst_admin):
    client = client_for("inst_admin")
    _make_rows(institution, inst_admin, 6)
    client.get(LIST)
    before = _list_queries(client)
    _make_rows(institution, inst_admin, 6)
    assert _list_queries(client) == before


# --- The whole cycle ---------------------------------------------------------------------------------


def _is_public(submission) -> bool:
    return selectors.public_articles(channel=Channel.NEWS).filter(pk=submission.pk).exists()


def test_draft_submit_return_resubmit_approve_publishes_the_news(
    client_for, inst_admin, city_regulator, submission_data, django_capture_on_commit_callbacks
):
    client = client_for("inst_admin")
    response = client.post(ADD, submission_data(action="draft"))
    news = NewsSubmission.objects.get()
    assert response.status_code == 302 and response.url == news.get_absolute_url()
    assert messages_of(response) == ["投稿已保存为草稿，确认无误后请点击“提交审核”。"]
    assert (news.status, news.author, news.region_code) == (ReviewStatus.DRAFT, inst_admin, "320102")
    assert not _is_public(news)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("news:submission_submit", args=[news.pk]))
    news.refresh_from_db()
    assert news.status == ReviewStatus.SUBMITTED and not _is_public(news)

    review_return(obj=news, by=city_regulator, comment=RETURN_COMMENT)
    assert not _is_public(news)
    detail = client.get(news.get_absolute_url()).content.decode()
    assert RETURN_COMMENT in re.search(r"<dd data-review-comment>(.*?)</dd>", detail, re.S).group(1)
    assert "监管部门" in detail  # the log names the bureau, not the reviewer
    edit = client.get(reverse("news:submission_edit", args=[news.pk])).content.decode()
    assert edit.index(RETURN_COMMENT) < edit.index('name="title"')

    response = client.post(
        reverse("news:submission_edit", args=[news.pk]),
        submission_data(title="我单位开展实验室开放日活动（5 月 20 日，江宁园区）", action="submit"),
    )
    assert response.status_code == 302
    news.refresh_from_db()
    assert news.status == ReviewStatus.SUBMITTED
    assert news.title == "我单位开展实验室开放日活动（5 月 20 日，江宁园区）"
    assert not _is_public(news)

    services.submission_approve(obj=news, by=city_regulator)
    assert selectors.public_article_get(pk=news.pk) == news
    assert _is_public(news)
    detail = client.get(news.get_absolute_url()).content.decode()
    assert f'href="{news.get_public_url()}"' in detail
    log = [(t.from_status, t.to_status) for t in client.get(news.get_absolute_url()).context["transitions"]]
    assert log == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]


def test_submitting_straight_from_the_form(client_for, submission_data):
    response = client_for("inst_admin").post(ADD, submission_data(action="submit"))
    news = NewsSubmission.objects.get()
    assert news.status == ReviewStatus.SUBMITTED and news.submitted_at is not None
    assert messages_of(response) == ["投稿已提交审核，监管部门审核通过后将在门户网站发布。"]


def test_only_the_institution_categories_are_offered_and_accepted(client_for, submission_data):
    client = client_for("inst_admin")
    form = client.get(ADD).context["form"]
    assert [value for value, _label in form.fields["category"].choices if value] == ["style", "industry"]
    response = client.post(ADD, submission_data(category="policy"))
    assert response.status_code == 200
    assert "机构只能在机构风采、行业动态栏目投稿。" in response.content.decode()
    assert not NewsSubmission.objects.exists()


def test_required_fields_are_named_in_chinese_and_nothing_is_lost(client_for, submission_data):
    response = client_for("inst_admin").post(ADD, submission_data(title="  ", summary="保留的摘要"))
    html = response.content.decode()
    assert response.status_code == 200 and "请填写标题。" in html
    assert response.context["form"]["summary"].value() == "保留的摘要"
    assert not NewsSubmission.objects.exists()


def test_a_body_of_nothing_but_script_is_no_body(client_for, submission_data):
    response = client_for("inst_admin").post(ADD, submission_data(body="<script>alert(1)</script>"))
    assert response.status_code == 200 and "请填写正文。" in response.content.decode()
    assert not NewsSubmission.objects.exists()


def test_the_summary_is_limited_to_300_characters(client_for, submission_data):
    response = client_for("inst_admin").post(ADD, submission_data(summary="摘" * 301))
    assert response.status_code == 200 and response.context["form"].errors["summary"]
    assert not NewsSubmission.objects.exists()


def test_the_source_placeholder_names_the_institution(client_for, institution, draft):
    html = client_for("inst_admin").get(ADD).content.decode()
    assert f'placeholder="留空则显示本机构名称：{institution.name}"' in html
    detail = client_for("inst_admin").get(draft.get_absolute_url()).content.decode()
    assert f"<dt>来源</dt><dd>{institution.name}</dd>" in detail


def test_withdrawing_a_submitted_news(client_for, submitted, urls):
    response = client_for("inst_admin").post(urls(submitted)["withdraw"])
    assert response.url == submitted.get_absolute_url()
    assert messages_of(response) == ["投稿已撤回，监管部门不再审核。撤回的投稿可以删除。"]
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.WITHDRAWN
    assert not _is_public(submitted)


def test_deleting_a_draft_asks_first_then_removes_it_and_its_files(
    client_for, urls, submission_data, django_capture_on_commit_callbacks
):
    client = client_for("inst_admin")
    client.post(ADD, {**submission_data(), "cover": cover_png(), "files": [file_pdf()]})
    news = NewsSubmission.objects.get()
    stored = list(Attachment.objects.filter(object_id=news.pk))
    assert len(stored) == 2 and all(a.file.storage.exists(a.file.name) for a in stored)

    confirm = client.get(urls(news)["delete"])
    assert confirm.status_code == 200
    assert "确定删除这篇投稿？" in confirm.content.decode() and NewsSubmission.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(urls(news)["delete"])
    assert response.status_code == 302 and response.url == LIST
    assert messages_of(response) == [f"投稿「{news.title}」已删除。"]
    assert not Article.objects.filter(pk=news.pk).exists()
    assert not Attachment.objects.exists()
    assert not any(a.file.storage.exists(a.file.name) for a in stored)


def test_a_withdrawn_submission_may_be_deleted(client_for, withdrawn, urls):
    client_for("inst_admin").post(urls(withdrawn)["delete"])
    assert not NewsSubmission.objects.filter(pk=withdrawn.pk).exists()


def test_a_submitted_news_cannot_be_edited(client_for, submitted, urls, submission_data):
    client = client_for("inst_admin")
    response = client.get(urls(submitted)["edit"])
    assert response.status_code == 302 and response.url == submitted.get_absolute_url()
    assert messages_of(response) == ["该投稿当前状态为「待审核」，只有草稿和被退回的投稿可以修改。"]
    response = client.post(urls(submitted)["edit"], submission_data(title="改过的标题", action="submit"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.title, submitted.status) == ("机构草稿：检测能力再上新台阶", ReviewStatus.SUBMITTED)
    detail = client.get(submitted.get_absolute_url()).content.decode()
    assert f'href="{urls(submitted)["edit"]}"' not in detail


def test_a_submitted_news_cannot_be_deleted(client_for, submitted, urls):
    client = client_for("inst_admin")
    response = client.get(urls(submitted)["delete"])
    assert response.status_code == 302
    assert messages_of(response) == ["该投稿当前状态为「待审核」，只有草稿和已撤回的投稿可以删除。"]
    response = client.post(urls(submitted)["delete"])
    assert response.status_code == 302 and response.url == submitted.get_absolute_url()
    assert last_message(response) == "只有草稿和已撤回的投稿可以删除。"
    assert NewsSubmission.objects.filter(pk=submitted.pk, status=ReviewStatus.SUBMITTED).exists()


def test_withdrawing_what_a_regulator_just_approved_is_refused(client_for, submitted, urls, city_regulator):
    client = client_for("inst_admin")
    assert "撤回" in client.get(submitted.get_absolute_url()).content.decode()  # the page the user has open
    services.submission_approve(obj=submitted, by=city_regulator)
    response = client.post(urls(submitted)["withdraw"])
    assert response.url == submitted.get_absolute_url()
    assert messages_of(response) == ["该事项当前状态为「已通过」，不能撤回。可能已被他人处理，请刷新后重试。"]
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.APPROVED and _is_public(submitted)


def test_two_tabs_submitting_the_same_draft_submit_it_once(client_for, draft, urls):
    client = client_for("inst_admin")
    client.post(urls(draft)["submit"])
    response = client.post(urls(draft)["submit"])
    assert last_message(response) == "该事项当前状态为「待审核」，不能提交。可能已被他人处理，请刷新后重试。"
    assert [t.to_status for t in client.get(draft.get_absolute_url()).context["transitions"]] == ["submitted"]


def test_deleting_a_draft_another_tab_just_submitted_is_refused(client_for, draft, urls):
    client = client_for("inst_admin")
    client.post(urls(draft)["submit"])
    response = client.post(urls(draft)["delete"])
    assert last_message(response) == "只有草稿和已撤回的投稿可以删除。"
    assert NewsSubmission.objects.filter(pk=draft.pk).exists()


def test_the_detail_page_offers_what_the_state_allows(client_for, draft, urls, city_regulator):
    client = client_for("inst_admin")

    def actions(submission) -> set[str]:
        html = client.get(submission.get_absolute_url()).content.decode()
        found = set()
        for name in ("edit", "submit", "withdraw", "delete"):
            if f'"{urls(submission)[name]}"' in html:
                found.add(name)
        return found

    assert actions(draft) == {"edit", "submit", "withdraw", "delete"}
    services.submission_submit(submission=draft, by=draft.author)
    assert actions(draft) == {"withdraw"}
    review_return(obj=draft, by=city_regulator, comment=RETURN_COMMENT)
    assert actions(draft) == {"edit"}
    services.submission_submit(submission=draft, by=draft.author)
    services.submission_approve(obj=draft, by=city_regulator)
    assert actions(draft) == set()


def test_the_detail_page_shows_cover_and_files_through_the_private_download(client_for, submission_data):
    client = client_for("inst_admin")
    client.post(ADD, {**submission_data(), "cover": cover_png(), "files": [file_pdf("检测报告样本.pdf")]})
    news = NewsSubmission.objects.get()
    html = client.get(news.get_absolute_url()).content.decode()
    cover_url = reverse("core:attachment_download", args=[news.cover_id])
    assert f'<img src="{cover_url}"' in html
    pdf = Attachment.objects.get(purpose="file")
    assert (
        f'href="{reverse("core:attachment_download", args=[pdf.pk])}"' in html and "检测报告样本.pdf" in html
    )
    assert client.get(cover_url).status_code == 200
    # Before it is published the cover is the institution's and its regulators' only.
    assert client_for("other_inst_admin").get(cover_url).status_code == 404


# --- Uploads -----------------------------------------------------------------------------------------


def test_a_png_cover_and_a_pdf_file_are_stored(client_for, submission_data, inst_admin):
    client_for("inst_admin").post(
        ADD, {**submission_data(), "cover": cover_png(), "files": [file_pdf("一.pdf"), file_pdf("二.pdf")]}
    )
    news = NewsSubmission.objects.get()
    assert news.cover is not None
    assert (news.cover.kind, news.cover.mime_type, news.cover.purpose) == ("image", "image/png", "cover")
    files = list(selectors.article_files(news))
    assert [(f.original_name, f.kind, f.uploaded_by) for f in files] == [
        ("一.pdf", "pdf", inst_admin),
        ("二.pdf", "pdf", inst_admin),
    ]
    with files[0].file.open("rb") as handle:
        assert handle.read() == PDF_BYTES


def test_a_text_file_named_png_is_refused_as_cover_and_nothing_else_is_lost(client_for, submission_data):
    data = {
        **submission_data(title="保留的标题", body="<p>保留的正文</p>"),
        "cover": upload("封面.png", "这不是图片".encode(), "image/png"),
        "files": [file_pdf()],
    }
    response = client_for("inst_admin").post(ADD, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "文件内容不是有效的图片（文件扩展名为 .png）" in html
    form = response.context["form"]
    assert form.errors["cover"]
    assert form["title"].value() == "保留的标题" and form["body"].value() == "<p>保留的正文</p>"
    assert 'value="保留的标题"' in html
    # The PDF was fine but not stored: the page asks to choose it again.
    assert form.choose_again == {"files": True}
    assert "请重新选择该文件" in html
    assert not NewsSubmission.objects.exists() and not Attachment.objects.exists()


def test_more_than_max_files_at_once_are_refused(client_for, submission_data):
    files = [file_pdf(f"附件{n}.pdf") for n in range(services.MAX_FILES + 1)]
    response = client_for("inst_admin").post(ADD, {**submission_data(), "files": files})
    assert response.status_code == 200
    assert f"附件最多 {services.MAX_FILES} 个" in response.content.decode()
    assert not NewsSubmission.objects.exists() and not Attachment.objects.exists()


def test_files_over_the_total_are_refused_on_edit_unless_some_are_removed(
    client_for, draft, inst_admin, urls, submission_data
):
    services.submission_save(
        institution=draft.institution,
        by=inst_admin,
        submission=draft,
        category="style",
        title=draft.title,
        body=draft.body,
        files=[file_pdf(f"旧{n}.pdf") for n in range(services.MAX_FILES)],
    )
    client = client_for("inst_admin")
    response = client.post(urls(draft)["edit"], {**submission_data(), "files": [file_pdf("新.pdf")]})
    assert response.status_code == 200
    assert f"附件合计最多 {services.MAX_FILES} 个" in response.content.decode()
    assert selectors.article_files(draft).count() == services.MAX_FILES

    oldest = selectors.article_files(draft).first()
    response = client.post(
        urls(draft)["edit"], {**submission_data(), "files": [file_pdf("新.pdf")], "remove_files": [oldest.pk]}
    )
    assert response.status_code == 302
    names = list(selectors.article_files(draft).values_list("original_name", flat=True))
    assert len(names) == services.MAX_FILES and "新.pdf" in names and oldest.original_name not in names


def test_the_cover_may_be_replaced_or_deleted_on_edit(client_for, urls, submission_data):
    client = client_for("inst_admin")
    client.post(ADD, {**submission_data(), "cover": cover_png("旧封面.png")})
    news = NewsSubmission.objects.get()
    old_cover = news.cover

    edit = client.get(urls(news)["edit"]).content.decode()
    assert "data-current-cover" in edit and "旧封面.png" in edit and 'name="remove_cover"' in edit

    client.post(urls(news)["edit"], {**submission_data(), "cover": cover_png("新封面.png")})
    news.refresh_from_db()
    assert news.cover.original_name == "新封面.png"
    assert not Attachment.objects.filter(pk=old_cover.pk).exists()

    client.post(urls(news)["edit"], {**submission_data(), "remove_cover": "on"})
    news.refresh_from_db()
    assert news.cover is None and not Attachment.objects.filter(purpose="cover").exists()


# --- XSS ---------------------------------------------------------------------------------------------

XSS_BODY = (
    "<p>正文开头</p><script>alert(1)</script><img src=x onerror=alert(1)>"
    '<a href="javascript:alert(1)">x</a><p onclick="alert(2)">结尾</p>'
)


def test_script_in_the_body_is_removed_before_it_is_stored_and_shown(client_for, submission_data):
    client = client_for("inst_admin")
    client.post(ADD, submission_data(body=XSS_BODY))
    news = NewsSubmission.objects.get()
    for bad in ("<script", "onerror", "javascript:", "onclick", "alert("):
        assert bad not in news.body
    assert "正文开头" in news.body and "结尾" in news.body
    html = client.get(news.get_absolute_url()).content.decode()
    body = body_of(html)
    assert "正文开头" in body
    for bad in ("<script", "onerror", "javascript:", "onclick"):
        assert bad not in body
    assert "alert(" not in html and "onerror" not in html and "javascript:" not in html


def test_a_title_with_markup_is_shown_escaped(client_for, submission_data):
    client = client_for("inst_admin")
    client.post(ADD, submission_data(title="<script>alert('t')</script>开放日"))
    news = NewsSubmission.objects.get()
    for url in (LIST, news.get_absolute_url(), reverse("news:submission_edit", args=[news.pk])):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;开放日" in html, url
        assert "<script>alert('t')" not in html, url


# --- Notifications -----------------------------------------------------------------------------------


def test_submitting_tells_the_city_reviewers_of_the_institution_only(
    client_for, draft, urls, city_regulator, province_regulator, other_city_regulator,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_for("inst_admin").post(urls(draft)["submit"])
    told = Notification.objects.filter(recipient=city_regulator).get()
    assert draft.title in told.title and "待审核" in told.title
    # The city step's reviewers only (issue 11): neither the province nor another city is told.
    assert not Notification.objects.filter(recipient=province_regulator).exists()
    assert not Notification.objects.filter(recipient=other_city_regulator).exists()


def test_returning_tells_the_institution_admin_with_the_comment(
    submitted, inst_admin, city_regulator, other_inst_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_return(obj=submitted, by=city_regulator, comment=RETURN_COMMENT)
    told = Notification.objects.get(recipient=inst_admin)
    assert "已退回" in told.title and submitted.title in told.title
    assert RETURN_COMMENT in told.body
    assert told.url == submitted.get_absolute_url()
    assert not Notification.objects.filter(recipient=other_inst_admin).exists()


# --- History -----------------------------------------------------------------------------------------


def _latest_history(pk: int):
    return Article.history.filter(id=pk).order_by("-history_date", "-history_id").first()


def test_a_status_change_is_kept_in_history_under_the_user_who_made_it(
    client_for, draft, urls, inst_staff, institution, grant
):
    grant(inst_staff, institution, "submit_news")
    client_for("inst_staff").post(urls(draft)["submit"])
    row = _latest_history(draft.pk)
    assert (row.status, row.history_user, row.history_change_reason) == (
        "submitted",
        inst_staff,
        "草稿 → 待审核",
    )


def test_a_change_is_kept_in_history_under_the_user_who_made_it(
    client_for, draft, urls, inst_staff, institution, grant, submission_data
):
    grant(inst_staff, institution, "submit_news")
    client_for("inst_staff").post(urls(draft)["edit"], submission_data(title="经办人修改后的标题"))
    row = _latest_history(draft.pk)
    assert row is not None and row.title == "经办人修改后的标题"
    assert row.history_user == inst_staff
