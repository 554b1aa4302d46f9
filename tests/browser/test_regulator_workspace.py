"""The regulators' admin in a real browser: a city regulator logs in, finds a pending error report on the
admin home, returns it with a comment from its own page, and the institution sees the outcome."""

import re

from playwright.sync_api import expect

from institutions.choices import ErrorItemType
from institutions.models import ErrorReport
from institutions.services.confirmation import error_report_submit
from sujt.accounts.choices import MembershipRole
from sujt.accounts.services import regulator_group_ensure
from sujt.core.choices import ReviewStatus
from tests.browser.helpers import log_in
from tests.core.samples import PDF_BYTES, upload
from tests.factories import InstitutionFactory, MembershipFactory, RegulatorFactory

COMMENT = "请补充法定代表人变更的营业执照扫描件。"


def test_city_regulator_returns_an_error_report_from_the_dashboard_and_the_institution_sees_it(
    browser, page, live_server, transactional_db
):
    institution = InstitutionFactory(name="秦淮示例检测有限公司", region_code="320104")
    admin_membership = MembershipFactory(
        institution=institution, role=MembershipRole.ADMIN, user__phone="13811113333"
    )
    regulator = RegulatorFactory(region_code="320100", user__phone="13911113333", user__name="南京市监管员")
    regulator.user.groups.add(regulator_group_ensure())
    report = error_report_submit(
        institution=institution,
        by=admin_membership.user,
        item_type=ErrorItemType.BASIC,
        item_id=None,
        item_label="法定代表人",
        description="法定代表人已于今年变更。",
        evidence=[upload("变更证明.pdf", PDF_BYTES, "application/pdf")],
    )

    # The regulator's admin home lists the report among the latest submissions.
    log_in(page, "13911113333")
    page.goto("/admin/")
    reviews = page.locator("#dash-reviews")
    expect(reviews).to_contain_text("机构信息纠错报告")
    reviews.get_by_role("link", name=str(report)).click()
    expect(page).to_have_url(re.compile(rf"/admin/institutions/errorreport/{report.pk}/change/"))

    # A return needs a comment: without one the page says so and nothing changes.
    panel = page.locator("#review-decision")
    panel.get_by_role("button", name="退回修改").click()
    expect(page.locator("#review-decision")).to_contain_text("请填写")
    report.refresh_from_db()
    assert report.status == ReviewStatus.SUBMITTED

    page.locator("#review-decision textarea").fill(COMMENT)
    page.locator("#review-decision").get_by_role("button", name="退回修改").click()
    expect(page.locator(".messagelist")).to_contain_text("退回修改")
    report.refresh_from_db()
    assert report.status == ReviewStatus.RETURNED

    # The institution's admin sees the returned report with the regulator's comment.
    institution_page = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    log_in(institution_page, "13811113333")
    institution_page.goto(report.get_absolute_url())
    expect(institution_page.get_by_text("已退回").first).to_be_visible()
    expect(institution_page.get_by_text(COMMENT).first).to_be_visible()
    institution_page.context.close()
    assert ErrorReport.objects.filter(pk=report.pk, status=ReviewStatus.RETURNED).count() == 1
