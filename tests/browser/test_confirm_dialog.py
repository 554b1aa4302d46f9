"""Confirmations ask in an in-page dialog (Chinese 确定/取消, Esc cancels, focus handled), never in the
browser's native confirm() that names the host; without the script the same forms simply post."""

import re

from playwright.sync_api import expect

from news.models import NewsSubmission
from sujt.accounts.choices import MembershipRole
from sujt.core.choices import ReviewStatus
from tests.browser.helpers import log_in
from tests.factories import InstitutionFactory, MembershipFactory, NewsSubmissionFactory

QUESTION = "确定提交审核？审核完成前不能修改。"


def _log_in(page, phone: str) -> None:
    log_in(page, phone)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def _draft(phone: str) -> NewsSubmission:
    institution = InstitutionFactory(name="钟山示例检测技术有限公司", region_code="320102")
    admin = MembershipFactory(institution=institution, role=MembershipRole.ADMIN, user__phone=phone).user
    return NewsSubmissionFactory(institution=institution, author=admin, title="我单位开展实验室开放日活动")


def _status(submission: NewsSubmission) -> str:
    return NewsSubmission.objects.get(pk=submission.pk).status


def test_submitting_asks_in_an_in_page_dialog_that_cancels_and_confirms(page, transactional_db):
    submission = _draft("13811112222")
    native_dialogs = []
    page.on("dialog", lambda dialog: (native_dialogs.append(dialog.message), dialog.dismiss()))
    _log_in(page, "13811112222")
    page.goto(f"/news/submissions/{submission.pk}/")
    url = page.url
    submit = page.get_by_role("button", name="提交审核")

    # The question opens in a modal dialog; focus starts on the safe answer.
    submit.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(QUESTION)
    assert dialog.evaluate("d => d.open && d.matches(':modal')")
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()

    # 取消 closes it, leaves the page and the submission as they were, and gives focus back.
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(submit).to_be_focused()
    assert page.url == url
    assert _status(submission) == ReviewStatus.DRAFT

    # Esc cancels too.
    submit.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.url == url
    assert _status(submission) == ReviewStatus.DRAFT

    # 确定 sends the form.
    submit.click()
    dialog.get_by_role("button", name="确定").click()
    expect(page.get_by_text("待审核").first).to_be_visible()
    assert _status(submission) == ReviewStatus.SUBMITTED
    assert native_dialogs == []


def test_without_the_script_the_confirmed_form_still_posts(browser, live_server, transactional_db):
    submission = _draft("13811113333")
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _log_in(page, "13811113333")
        page.goto(f"/news/submissions/{submission.pk}/")
        page.get_by_role("button", name="提交审核").click()
        expect(page.get_by_text("待审核").first).to_be_visible()
        assert _status(submission) == ReviewStatus.SUBMITTED
    finally:
        context.close()
