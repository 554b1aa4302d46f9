"""Module 06 in a real browser: an institution submits news, a regulator approves it in admin, and it is on
the portal's home page."""

import re

from PIL import Image
from playwright.sync_api import expect

from news.models import NewsSubmission
from sujt.accounts.choices import MembershipRole
from sujt.accounts.services import regulator_group_ensure
from sujt.core.choices import ReviewStatus
from tests.browser.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, InstitutionFactory, MembershipFactory, RegulatorFactory

TITLE = "钟山检测开展食品安全开放日活动"


def test_news_submitted_in_the_workspace_and_approved_in_admin_appears_on_the_home_page(
    browser, page, live_server, transactional_db, tmp_path
):
    institution = InstitutionFactory(name="钟山示例检测技术有限公司", region_code="320102")
    MembershipFactory(institution=institution, role=MembershipRole.ADMIN, user__phone="13811112222")
    regulator = RegulatorFactory(region_code="320100", user__phone="13911112222", user__name="南京市监管员")
    regulator.user.groups.add(regulator_group_ensure())
    cover = tmp_path / "开放日.png"
    Image.new("RGB", (640, 360), (30, 110, 180)).save(cover, format="PNG")

    # The institution writes the news and submits it for review.
    log_in(page, "13811112222")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.get_by_role("link", name="新闻资讯发布").first.click()
    page.get_by_role("link", name="新建投稿").click()
    page.select_option("select[name=category]", label="机构风采")
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=summary]", "邀请市民走进实验室，了解食品检验的过程。")
    editor = page.locator(".ck-editor__editable").first
    editor.click()
    editor.type("开放日当天，三十余名市民参观了理化实验室和微生物实验室。")
    page.set_input_files("input[name=cover]", str(cover))
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("待审核").first).to_be_visible()
    submission = NewsSubmission.objects.get(title=TITLE)
    assert submission.status == ReviewStatus.SUBMITTED and submission.cover_id is not None

    # Not on the portal before a regulator approves it.
    page.goto("/")
    expect(page.get_by_text(TITLE)).to_have_count(0)

    # The city regulator approves it from the review queue in admin.
    regulator_page = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    regulator_page.goto("/admin/login/?next=/admin/news/newssubmission/")
    regulator_page.fill("input[name=username]", "13911112222")
    regulator_page.fill("input[name=password]", DEFAULT_PASSWORD)
    regulator_page.locator(".form-actions button[type=submit]").click()
    row = regulator_page.locator("#result_list tr", has_text=TITLE)
    expect(row).to_contain_text("待审核")
    row.locator("input.action-select").check()
    regulator_page.select_option("select[name=action]", value="review_approve_selected")
    regulator_page.locator("button[name=index]").click()
    expect(regulator_page.get_by_text("确认并填写审核意见")).to_be_visible()
    regulator_page.fill("textarea[name=comment]", "内容属实，同意发布。")
    regulator_page.get_by_role("button", name="确认审核通过").click()
    expect(regulator_page.get_by_text("已审核通过 1 项")).to_be_visible()
    regulator_page.context.close()

    # The home page shows it at once (its cached blocks are refreshed when content changes).
    page.goto("/")
    page.get_by_role("tab", name="机构风采").click()
    link = page.get_by_role("tabpanel").get_by_role("link", name=TITLE)
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("钟山示例检测技术有限公司").first).to_be_visible()
