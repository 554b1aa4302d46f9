"""ArticleAdmin: regulators write, publish, schedule, take down, restore, pin and export portal articles;
institution news is pinned or featured there but its content stays the institution's."""

import datetime
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from news import services
from news.models import Article
from sujt.core.excel import XLSX_CONTENT_TYPE
from sujt.core.models import Attachment
from tests.core.samples import PDF_BYTES, png_bytes, upload
from tests.factories import ArticleFactory, InstitutionFactory, NewsSubmissionFactory

LIST_URL = reverse("admin:news_article_changelist")
ADD_URL = reverse("admin:news_article_add")
EXPORT_HEADER = ("标题", "频道", "栏目", "发布状态", "来源", "发布时间", "浏览量", "置顶", "成果展")


def change_url(article) -> str:
    return reverse("admin:news_article_change", args=[article.pk])


def public_url(article) -> str:
    return reverse("news:article_detail", args=[article.pk])


def listed(response) -> set:
    return {article.pk for article in response.context["cl"].result_list}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_errors(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def article_data(**overrides) -> dict:
    """The add/change form's POST data for a regulator's article (a draft unless publish_mode says)."""
    data = {
        "category": "policy",
        "title": "关于开展2026年检验检测机构能力验证工作的通知",
        "summary": "组织全省检验检测机构参加能力验证。",
        "body": "<p>各设区市市场监督管理局：</p><p>现将能力验证工作安排通知如下。</p>",
        "source": "",
        "published_at_0": "",
        "published_at_1": "",
        "related_institution": "",
        "publish_mode": "draft",
        "_save": "保存",
    }
    data.update(overrides)
    return data


def act(client, action: str, articles, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in articles], **extra}
    return client.post(LIST_URL, data)


@pytest.fixture
def regulator_article(province_regulator):
    """A published article of the province, written through the service as the admin does."""
    article = Article(category="policy", title="省局发布：检验检测行业政策解读", body="<p>政策解读正文。</p>")
    return services.article_save(article=article, by=province_regulator, publish=True)


@pytest.fixture
def regulator_draft(province_regulator):
    article = Article(category="notice", title="省局草稿：年度工作安排", body="<p>草稿正文。</p>")
    return services.article_save(article=article, by=province_regulator)


@pytest.fixture
def disclosure(province_regulator, institution):
    return services.disclosure_publish(
        key="rectification.inspection:1",
        kind="inspection",
        title="2026年第一批检验检测机构监督抽查结果",
        body="<p>抽查结果如下。</p>",
        region_code="320100",
        by=province_regulator,
        related_institution=institution,
    )


# --- Writing and publishing ----------------------------------------------------------------------------


def test_a_province_regulator_saves_a_draft_that_is_not_public(client_for, province_regulator):
    client = client_for("province_regulator")
    response = client.post(ADD_URL, article_data())
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert (article.status, article.author, article.region_code) == ("draft", province_regulator, "320000")
    assert article.channel == "laws"
    assert client_for("anonymous").get(public_url(article)).status_code == 404
    assert "草稿" in client.get(LIST_URL).content.decode()


def test_publishing_puts_the_article_on_the_portal_list(client_for):
    client = client_for("province_regulator")
    response = client.post(ADD_URL, article_data(publish_mode="publish"))
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert article.status == "approved" and article.published_at is not None and article.is_public
    anonymous = client_for("anonymous")
    assert anonymous.get(public_url(article)).status_code == 200
    assert article.title in anonymous.get(reverse("news:laws_list")).content.decode()
    page = client.get(change_url(article)).content.decode()
    assert public_url(article) in page and 'name="publish_mode"' not in page


def test_a_draft_is_published_later_from_its_change_page(client_for, regulator_draft):
    client = client_for("province_regulator")
    assert 'name="publish_mode"' in client.get(change_url(regulator_draft)).content.decode()
    response = client.post(
        change_url(regulator_draft),
        article_data(category="notice", title="年度工作安排", publish_mode="publish"),
    )
    assert response.status_code == 302, form_errors(response)
    regulator_draft.refresh_from_db()
    assert regulator_draft.title == "年度工作安排" and regulator_draft.is_public


def test_a_future_publish_time_schedules_the_article(client_for):
    client = client_for("province_regulator")
    later = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(
        ADD_URL,
        article_data(
            publish_mode="publish",
            published_at_0=later.strftime("%Y-%m-%d"),
            published_at_1=later.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert article.status == "approved" and article.is_scheduled and not article.is_public
    assert client_for("anonymous").get(public_url(article)).status_code == 404
    assert listed(client.get(LIST_URL, {"state": "scheduled"})) == {article.pk}
    assert listed(client.get(LIST_URL, {"state": "published"})) == set()


def test_a_city_regulators_article_carries_their_city(client_for):
    response = client_for("city_regulator").post(ADD_URL, article_data(publish_mode="publish"))
    assert response.status_code == 302, form_errors(response)
    assert Article.objects.get().region_code == "320100"


def test_a_city_regulator_does_not_see_another_citys_articles(client_for, other_city_regulator):
    suzhou = services.article_save(
        article=Article(category="notice", title="苏州市局通知", body="<p>正文</p>"), by=other_city_regulator
    )
    nanjing = ArticleFactory(region_code="320100")
    client = client_for("city_regulator")
    assert listed(client.get(LIST_URL)) == {nanjing.pk}
    # Django admin answers an object outside the queryset with a redirect to the index ("does not exist").
    response = client.get(change_url(suzhou))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    history = reverse("admin:news_article_history", args=[suzhou.pk])
    assert client.get(history).status_code == 404
    client.post(change_url(suzhou), article_data(title="越权修改"))
    suzhou.refresh_from_db()
    assert suzhou.title == "苏州市局通知"


def test_the_change_page_history_names_the_regulator(client_for, regulator_article, province_regulator):
    client = client_for("province_regulator")
    client.post(change_url(regulator_article), article_data(title="修改后的标题"))
    response = client.get(reverse("admin:news_article_history", args=[regulator_article.pk]))
    assert response.status_code == 200
    assert regulator_article.history.order_by("-history_date").first().history_user == province_regulator


def test_the_body_is_sanitised(client_for):
    body = '<p onclick="x()">正文<script>alert(1)</script><a href="javascript:alert(2)">链接</a></p>'
    client_for("province_regulator").post(ADD_URL, article_data(body=body))
    stored = Article.objects.get().body
    assert "script" not in stored and "onclick" not in stored and "javascript:" not in stored


def test_missing_title_and_body_are_form_errors(client_for):
    response = client_for("province_regulator").post(ADD_URL, article_data(title="", body="<p> </p>"))
    assert response.status_code == 200
    assert "请填写标题。" in form_errors(response) and "请填写正文。" in form_errors(response)
    assert not Article.objects.exists()


# --- Cover and files ---------------------------------------------------------------------------------


def test_a_showcase_article_without_cover_is_refused_and_nothing_is_saved(client_for):
    response = client_for("province_regulator").post(
        ADD_URL, article_data(is_showcase="on", publish_mode="publish")
    )
    assert response.status_code == 200
    assert services.SHOWCASE_NEEDS_COVER in form_errors(response)
    assert not Article.objects.exists() and not Attachment.objects.exists()


def test_a_showcase_article_with_a_cover_is_published(client_for):
    response = client_for("province_regulator").post(
        ADD_URL,
        article_data(
            is_showcase="on",
            publish_mode="publish",
            cover_upload=upload("封面.png", png_bytes((16, 9)), "image/png"),
            files=[upload("通知.pdf", PDF_BYTES, "application/pdf")],
        ),
    )
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert article.is_showcase and article.cover.original_name == "封面.png"
    assert [a.original_name for a in Attachment.objects.filter(purpose="file")] == ["通知.pdf"]


def test_a_text_file_renamed_png_is_refused_as_cover(client_for):
    response = client_for("province_regulator").post(
        ADD_URL, article_data(cover_upload=upload("封面.png", b"just some text", "image/png"))
    )
    assert response.status_code == 200
    assert "文件内容不是有效的图片" in form_errors(response)
    assert not Article.objects.exists() and not Attachment.objects.exists()


def test_the_cover_and_files_are_replaced_and_removed_on_the_change_page(client_for):
    client = client_for("province_regulator")
    client.post(
        ADD_URL,
        article_data(
            cover_upload=upload("旧封面.png", png_bytes(), "image/png"),
            files=[upload("旧附件.pdf", PDF_BYTES, "application/pdf")],
        ),
    )
    article = Article.objects.get()
    old_file = Attachment.objects.get(purpose="file")
    page = client.get(change_url(article)).content.decode()
    download = reverse("core:attachment_download", args=[article.cover_id])
    assert download in page and 'name="remove_cover"' in page and 'name="remove_files"' in page
    assert client.get(download).status_code == 200

    response = client.post(
        change_url(article),
        article_data(
            remove_cover="on",
            remove_files=[old_file.pk],
            files=[upload("新附件.pdf", PDF_BYTES, "application/pdf")],
        ),
    )
    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.cover is None
    assert [a.original_name for a in Attachment.objects.all()] == ["新附件.pdf"]


def test_removing_the_cover_of_a_showcase_article_is_refused_and_keeps_it(client_for):
    client = client_for("province_regulator")
    client.post(
        ADD_URL,
        article_data(
            is_showcase="on",
            publish_mode="publish",
            cover_upload=upload("封面.png", png_bytes(), "image/png"),
        ),
    )
    article = Article.objects.get()
    cover_id = article.cover_id
    response = client.post(change_url(article), article_data(is_showcase="on", remove_cover="on"))
    assert response.status_code == 200
    assert services.SHOWCASE_NEEDS_COVER in form_errors(response)
    article.refresh_from_db()
    assert article.cover_id == cover_id and Attachment.objects.filter(pk=cover_id).exists()


# --- Actions -------------------------------------------------------------------------------------------


def test_taking_down_needs_a_reason_then_restore(client_for, regulator_article):
    client = client_for("province_regulator")
    confirm = act(client, "take_down_selected", [regulator_article])
    assert confirm.status_code == 200 and "下线原因" in confirm.content.decode()

    empty = act(client, "take_down_selected", [regulator_article], take_down_confirm="yes", reason="  ")
    assert empty.status_code == 200 and "请填写下线原因。" in empty.content.decode()
    regulator_article.refresh_from_db()
    assert regulator_article.is_public

    done = act(
        client, "take_down_selected", [regulator_article], take_down_confirm="yes", reason="内容已过时"
    )
    assert done.status_code == 302 and "已下线 1 篇文章。" in messages_of(done)
    regulator_article.refresh_from_db()
    assert regulator_article.take_down_reason == "内容已过时" and not regulator_article.is_public
    assert client_for("anonymous").get(public_url(regulator_article)).status_code == 404
    assert listed(client.get(LIST_URL, {"state": "taken_down"})) == {regulator_article.pk}

    again = act(client, "take_down_selected", [regulator_article], take_down_confirm="yes", reason="再次")
    assert any("已经下线" in m for m in messages_of(again))

    restored = act(client, "restore_selected", [regulator_article])
    assert "已恢复上线 1 篇文章。" in messages_of(restored)
    regulator_article.refresh_from_db()
    assert regulator_article.is_public


def test_publish_action_publishes_drafts_and_reports_the_rest(client_for, regulator_draft, regulator_article):
    response = act(client_for("province_regulator"), "publish_selected", [regulator_draft, regulator_article])
    shown = messages_of(response)
    assert "已发布 1 篇文章。" in shown
    assert any(regulator_article.title in m and "只有草稿可以发布" in m for m in shown)
    regulator_draft.refresh_from_db()
    assert regulator_draft.is_public


def test_pin_and_unpin(client_for, regulator_article):
    client = client_for("province_regulator")
    act(client, "pin_selected", [regulator_article])
    regulator_article.refresh_from_db()
    assert regulator_article.is_pinned
    assert listed(client.get(LIST_URL, {"is_pinned__exact": "1"})) == {regulator_article.pk}
    act(client, "unpin_selected", [regulator_article])
    regulator_article.refresh_from_db()
    assert not regulator_article.is_pinned


# --- Institution news and disclosures ---------------------------------------------------------------------


def test_institution_news_is_listed_only_once_approved(client_for, approved, other_submission):
    pending = NewsSubmissionFactory(institution=approved.institution, status="submitted")
    rows = listed(client_for("city_regulator").get(LIST_URL))
    assert approved.pk in rows and pending.pk not in rows and other_submission.pk not in rows
    assert listed(client_for("city_regulator").get(LIST_URL, {"source_type": "institution"})) == {approved.pk}


def test_institution_news_content_is_read_only_but_it_can_be_pinned(client_for, approved):
    client = client_for("city_regulator")
    page = client.get(change_url(approved)).content.decode()
    assert 'name="title"' not in page and 'name="is_pinned"' in page and approved.title in page
    response = client.post(
        change_url(approved), {"title": "监管篡改的标题", "is_pinned": "on", "_save": "保存"}
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.is_pinned and approved.title == "机构草稿：检测能力再上新台阶"


def test_featuring_institution_news_without_a_cover_is_refused(client_for, approved):
    response = client_for("city_regulator").post(change_url(approved), {"is_showcase": "on", "_save": "保存"})
    assert response.status_code == 200
    assert services.SHOWCASE_NEEDS_COVER in form_errors(response)
    approved.refresh_from_db()
    assert not approved.is_showcase


def test_institution_news_and_disclosures_cannot_be_deleted(client_for, approved, disclosure):
    client = client_for("province_regulator")
    for article in (approved, disclosure):
        delete = reverse("admin:news_article_delete", args=[article.pk])
        assert client.get(delete).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk__in=[approved.pk, disclosure.pk]).count() == 2
    actions = dict(client.get(LIST_URL).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions


def test_a_disclosure_is_edited_like_a_regulators_article(client_for, disclosure):
    client = client_for("city_regulator")
    published_at = disclosure.published_at
    page = client.get(change_url(disclosure)).content.decode()
    assert 'name="title"' in page and reverse("admin:news_article_delete", args=[disclosure.pk]) not in page
    response = client.post(
        change_url(disclosure), article_data(category="supervision", title="抽查结果（更正）")
    )
    assert response.status_code == 302, form_errors(response)
    disclosure.refresh_from_db()
    # The publish time was left empty: a published article keeps its own.
    assert disclosure.title == "抽查结果（更正）" and disclosure.published_at == published_at
    assert disclosure.is_public


def test_a_regulators_draft_can_be_deleted_with_its_files(client_for):
    client = client_for("province_regulator")
    client.post(ADD_URL, article_data(files=[upload("附件.pdf", PDF_BYTES, "application/pdf")]))
    article = Article.objects.get()
    response = client.post(reverse("admin:news_article_delete", args=[article.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.exists() and not Attachment.objects.exists()


def test_related_institution_is_limited_to_the_regulators_region(client_for, institution, other_institution):
    client = client_for("city_regulator")
    refused = client.post(ADD_URL, article_data(related_institution=other_institution.pk))
    assert refused.status_code == 200 and "related_institution" in refused.context["adminform"].form.errors
    accepted = client.post(ADD_URL, article_data(related_institution=institution.pk))
    assert accepted.status_code == 302, form_errors(accepted)
    assert Article.objects.get().related_institution == institution
    search = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "news", "model_name": "article", "field_name": "related_institution", "term": "检"},
    )
    assert [row["id"] for row in search.json()["results"]] == [str(institution.pk)]


# --- Export, access, query counts ------------------------------------------------------------------------


def test_export_returns_a_workbook_with_the_expected_header(client_for, regulator_article, approved):
    response = client_for("province_regulator").post(
        LIST_URL,
        {"action": "export_xlsx", "index": "0", "select_across": "1", ACTION_CHECKBOX_NAME: [approved.pk]},
    )
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == EXPORT_HEADER
    by_title = {row[0]: row for row in rows[1:]}
    assert by_title[regulator_article.title][1:5] == (
        "法律法规",
        "行业政策",
        "已发布",
        "江苏省市场监督管理局",
    )
    assert by_title[approved.title][4] == approved.institution.name


@pytest.mark.parametrize("who", ["anonymous", "inst_admin"])
@pytest.mark.parametrize("name", ["admin:news_article_changelist", "admin:news_newssubmission_changelist"])
def test_institution_users_and_anonymous_cannot_reach_news_admin(client_for, inst_admin, who, name):
    response = client_for(who).get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def _make_articles(count: int) -> None:
    for n in range(count):
        ArticleFactory(region_code="320000", is_pinned=n % 3 == 0)
        institution = InstitutionFactory(region_code="320102")
        NewsSubmissionFactory(institution=institution, status="approved", published_at=timezone.now())


def test_the_article_list_queries_do_not_grow_with_rows(client_for, django_assert_max_num_queries):
    client = client_for("province_regulator")
    counts = []
    for total in (5, 20):
        _make_articles(total - Article.objects.count() // 2)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST_URL)
        assert len(response.context["cl"].result_list) == 2 * total
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The sidebar counts each review queue once (credit's three included).
    with django_assert_max_num_queries(15):
        client.get(LIST_URL)
