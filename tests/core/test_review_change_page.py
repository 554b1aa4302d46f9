"""Deciding where the submission is: the admin change page of a ReviewAdminMixin admin shows the
decisions this regulator may take now (by side, state and permission) with a comment box, and its POST
runs the same per-object apply as the list actions. On the test app's two-step Report, and on the real
error report and news submission queues."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from institutions.choices import ErrorItemType
from institutions.models import ErrorReport
from institutions.services.confirmation import error_report_submit
from news import services as news_services
from news.models import NewsSubmission
from sujt.core.choices import ReviewStatus as S
from sujt.core.models import Attachment, ReviewTransition
from sujt.core.workflow import transition, transitions_of
from tests.core.samples import PDF_BYTES, png_bytes, upload
from tests.core.workflow_app.models import Report
from tests.core.workflow_app.models import ReportStatus as R

pytestmark = pytest.mark.django_db

FIELD = "review_transition"
COMMENT = "review-comment"


@pytest.fixture
def grant_reports():
    """grant_reports(user, "view", "change") -> the user, with those permissions on the test Report."""

    def grant(user, *actions: str):
        codenames = [f"{action}_report" for action in actions or ("view", "change")]
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="workflow_app", codename__in=codenames)
        )
        return user

    return grant


@pytest.fixture
def make_report(institution):
    def make(status: str = R.CITY_REVIEW, **kwargs) -> Report:
        kwargs.setdefault("institution", institution)
        kwargs.setdefault("title", "2026年度运营数据报表")
        return Report.objects.create(status=status, **kwargs)

    return make


def report_url(report: Report, **query: str) -> str:
    url = reverse("admin:workflow_app_report_change", args=[report.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def buttons(response) -> list[str]:
    panel = response.context["review_panel"]
    return [button["name"] for button in panel["buttons"]]


def decide(client, url: str, name: str, comment: str = ""):
    return client.post(url, {FIELD: name, COMMENT: comment})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The buttons follow side, state and permission ----------------------------------------------------


def test_a_city_regulator_gets_the_city_step_and_the_province_the_province_step(
    client, grant_reports, city_regulator, province_regulator, make_report
):
    at_city, at_province = make_report(R.CITY_REVIEW), make_report(R.PROVINCE_REVIEW, title="待省局的")

    client.force_login(grant_reports(city_regulator))
    page = client.get(report_url(at_city))
    assert page.status_code == 200
    assert buttons(page) == ["city_approve", "city_return"]
    html = page.content.decode()
    assert f'name="{FIELD}" value="city_approve"' in html and "市局审核通过" in html
    assert "province_approve" not in html
    # Buttons and comment box belong to the decision form, not to the admin's own (editable) form:
    # Enter in a model field saves it and never takes a decision.
    assert html.count('form="review-decision-form"') == 3 and '<form id="review-decision-form"' in html
    assert page.context["title"] == "审核测试报表"
    # The province's step is nothing the city can do: a page to read, saying who acts next.
    waiting = client.get(report_url(at_province))
    assert buttons(waiting) == []
    assert waiting.context["title"] == "修改 测试报表"  # an editable admin keeps Django's heading
    assert "该事项待省级监管部门办理" in waiting.content.decode()

    client.force_login(grant_reports(province_regulator))
    assert buttons(client.get(report_url(at_province))) == ["province_approve", "province_return"]
    # The province may take the city step too (side_may_take), as in the list actions.
    assert buttons(client.get(report_url(at_city))) == ["city_approve", "city_return"]


def test_a_viewer_without_the_change_permission_gets_no_buttons(
    client, grant_reports, city_regulator, make_report
):
    report = make_report()
    client.force_login(grant_reports(city_regulator, "view"))
    page = client.get(report_url(report))
    assert page.status_code == 200 and buttons(page) == []
    assert page.context["title"] == "查看测试报表"

    assert decide(client, report_url(report), "city_approve").status_code == 403
    report.refresh_from_db()
    assert report.status == R.CITY_REVIEW and not ReviewTransition.objects.exists()


def test_a_decided_report_offers_nothing(client, grant_reports, city_regulator, make_report):
    client.force_login(grant_reports(city_regulator))
    page = client.get(report_url(make_report(R.APPROVED)))
    assert buttons(page) == [] and "审核已结束" in page.content.decode()


# --- Deciding from the change page --------------------------------------------------------------------


def test_a_decision_moves_the_report_with_the_comment_and_goes_back_to_the_filtered_list(
    client, grant_reports, city_regulator, make_report
):
    report = make_report()
    client.force_login(grant_reports(city_regulator))
    url = report_url(report, _changelist_filters="status__exact%3Dcity_review")

    done = decide(client, url, "city_approve", "  材料齐全，同意  ")
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:workflow_app_report_changelist") + "?status__exact=city_review"
    report.refresh_from_db()
    assert (report.status, report.status_changed_by, report.review_comment) == (
        R.PROVINCE_REVIEW,
        city_regulator,
        "材料齐全，同意",
    )
    log = transitions_of(report).get()
    assert (log.action, log.by, log.comment) == ("city_approve", city_regulator, "材料齐全，同意")
    [message] = messages_of(done)
    assert "已市局审核通过" in message and report_url(report) in message


def test_a_required_comment_missing_renders_the_page_again_with_a_chinese_error(
    client, grant_reports, city_regulator, make_report
):
    report = make_report()
    client.force_login(grant_reports(city_regulator))
    page = decide(client, report_url(report), "city_return", "   ")
    assert page.status_code == 200
    html = page.content.decode()
    assert "请填写审核意见，说明退回或不予通过的原因。" in html
    assert "「市局退回」时必填" in html
    assert 'action="#review-decision"' in html  # the browser comes back to the panel and its error
    assert buttons(page) == ["city_approve", "city_return"]  # still there to try again
    report.refresh_from_db()
    assert report.status == R.CITY_REVIEW and not ReviewTransition.objects.exists()


def test_a_refused_decision_keeps_what_the_reviewer_wrote(client, grant_reports, city_regulator, make_report):
    report = make_report()
    client.force_login(grant_reports(city_regulator))
    # Someone else decided between loading the page and posting: nothing is written twice, the page
    # says so and the comment is still in the box.
    transition(obj=report, name="city_return", by=city_regulator, comment="先退回", side="city")
    page = decide(client, report_url(report), "city_approve", "我的意见<不要丢>")
    assert page.status_code == 200
    html = page.content.decode()
    assert "该事项当前状态为「已退回」，不能市局审核通过。可能已被他人处理，请刷新后重试。" in html
    assert "我的意见&lt;不要丢&gt;" in html
    report.refresh_from_db()
    assert report.status == R.RETURNED
    assert transitions_of(report).count() == 1


def test_the_page_stays_read_only_for_everything_but_a_decision(
    client, grant_reports, city_regulator, make_report
):
    report = make_report()
    client.force_login(grant_reports(city_regulator))
    # A decision post carries no model fields; fields posted beside it are never saved.
    decide_and_edit = {FIELD: "city_approve", COMMENT: "", "title": "改过的标题", "status": R.APPROVED}
    assert client.post(report_url(report), decide_and_edit).status_code == 302
    report.refresh_from_db()
    assert (report.title, report.status) == ("2026年度运营数据报表", R.PROVINCE_REVIEW)


@pytest.mark.parametrize(
    "name",
    [
        "province_approve",  # the province's step, posted by a city regulator
        "submit",  # the institution's move
        "overdue",  # the system's move
        "no_such_step",
        "",
    ],
)
def test_a_transition_the_regulator_may_not_take_is_refused(
    client, grant_reports, city_regulator, make_report, name
):
    report = make_report(R.PROVINCE_REVIEW if name == "province_approve" else R.CITY_REVIEW)
    before = report.status
    client.force_login(grant_reports(city_regulator))
    assert decide(client, report_url(report), name, "想越权").status_code == 403
    report.refresh_from_db()
    assert report.status == before and not ReviewTransition.objects.exists()


def test_another_citys_report_does_not_exist_for_the_regulator(
    client, grant_reports, other_city_regulator, make_report
):
    report = make_report()  # a Nanjing institution; the regulator is Suzhou's
    client.force_login(grant_reports(other_city_regulator))
    assert decide(client, report_url(report), "city_approve").status_code == 404
    report.refresh_from_db()
    assert report.status == R.CITY_REVIEW and not ReviewTransition.objects.exists()


def test_a_draft_cannot_be_decided_from_its_url(client, grant_reports, city_regulator, make_report):
    draft = make_report(R.DRAFT)
    client.force_login(grant_reports(city_regulator))
    assert decide(client, report_url(draft), "city_approve").status_code == 404


def test_a_decision_needs_the_csrf_token(grant_reports, city_regulator, make_report):
    from django.test import Client

    report = make_report()
    client = Client(enforce_csrf_checks=True)
    client.force_login(grant_reports(city_regulator))
    assert decide(client, report_url(report), "city_approve").status_code == 403
    report.refresh_from_db()
    assert report.status == R.CITY_REVIEW


# --- The real queues ------------------------------------------------------------------------------------


def evidence_pdf():
    return upload("营业执照变更证明.pdf", PDF_BYTES, "application/pdf")


@pytest.fixture
def error_report(institution, inst_admin) -> ErrorReport:
    return error_report_submit(
        institution=institution,
        by=inst_admin,
        item_type=ErrorItemType.BASIC,
        item_id=None,
        item_label="法定代表人",
        description="法定代表人已于今年变更。",
        evidence=[evidence_pdf()],
    )


@pytest.fixture
def news(institution, inst_admin) -> NewsSubmission:
    return news_services.submission_save(
        institution=institution,
        by=inst_admin,
        submit=True,
        category="style",
        title="我单位举办实验室开放日",
        body="<p>开放日当天，两百余名市民参观了实验室。</p>",
        cover=upload("封面.png", png_bytes((16, 9)), "image/png"),
        files=[upload("活动通知.pdf", PDF_BYTES, "application/pdf")],
    )


def test_the_error_reports_page_shows_evidence_log_and_the_three_decisions(client_for, error_report):
    client = client_for("city_regulator")
    page = client.get(reverse("admin:institutions_errorreport_change", args=[error_report.pk]))
    assert page.status_code == 200
    assert buttons(page) == ["approve", "return", "reject"]
    html = page.content.decode()
    evidence = Attachment.objects.get(object_id=error_report.pk)
    assert reverse("core:attachment_download", args=[evidence.pk]) in html
    assert "审核记录" in html and "草稿 → 待审核" in html
    assert 'name="_save"' not in html and "css/admin_review.css" in html
    assert "「退回修改」、「不予通过」时必填" in html


def test_an_error_report_is_returned_from_its_page(client_for, error_report, city_regulator):
    url = reverse("admin:institutions_errorreport_change", args=[error_report.pk])
    done = client_for("city_regulator").post(url, {FIELD: "return", COMMENT: "请补充变更登记通知书。"})
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:institutions_errorreport_changelist")
    error_report.refresh_from_db()
    assert error_report.status == S.RETURNED and error_report.review_comment == "请补充变更登记通知书。"
    assert transitions_of(error_report).filter(action="return").count() == 1


def test_editing_an_error_report_in_admin_is_still_refused(client_for, error_report):
    url = reverse("admin:institutions_errorreport_change", args=[error_report.pk])
    assert client_for("city_regulator").post(url, {"description": "监管改写"}).status_code == 403


def test_another_citys_error_report_is_a_404(client_for, error_report):
    url = reverse("admin:institutions_errorreport_change", args=[error_report.pk])
    assert client_for("other_city_regulator").post(url, {FIELD: "approve"}).status_code == 404
    error_report.refresh_from_db()
    assert error_report.status == S.SUBMITTED


def test_news_approved_from_its_page_is_published(client_for, news):
    client = client_for("city_regulator")
    url = reverse("admin:news_newssubmission_change", args=[news.pk])
    page = client.get(url)
    html = page.content.decode()
    assert buttons(page) == ["approve", "return", "reject"]
    for attachment in Attachment.objects.filter(object_id=news.pk):
        assert reverse("core:attachment_download", args=[attachment.pk]) in html

    done = client.post(url, {FIELD: "approve", COMMENT: "同意发布"})
    assert done.status_code == 302
    news.refresh_from_db()
    # The queue's own service ran (review_services), not only the status change.
    assert news.status == S.APPROVED and news.published_at is not None and news.is_public
    assert news.review_comment == "同意发布"
    assert client_for("anonymous").get(news.get_public_url()).status_code == 200
    # Decided: the page is there to read, with nothing left to press.
    again = client.get(url)
    assert buttons(again) == [] and again.context["title"] == "查看机构新闻投稿"


def test_approving_news_twice_from_two_open_pages_publishes_once(client_for, news):
    url = reverse("admin:news_newssubmission_change", args=[news.pk])
    first, second = client_for("city_regulator"), client_for("province_regulator")
    assert first.post(url, {FIELD: "approve"}).status_code == 302
    late = second.post(url, {FIELD: "approve"})
    assert late.status_code == 200 and "可能已被他人处理" in late.content.decode()
    assert transitions_of(news).filter(action="approve").count() == 1
