"""Issue 10 item 15: the Content-Security-Policy (default-src 'self') breaks nothing: pages, the rich-text
editor and admin run with no violation reported by the browser."""

import re

from playwright.sync_api import expect

from sujt.accounts.choices import MembershipRole
from tests.browser.helpers import log_in
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory


def _watch(page) -> list[str]:
    """Every CSP violation the page reports, from the console and from the DOM event."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def test_portal_workspace_editor_and_admin_run_under_the_policy(page, live_server, transactional_db):
    institution = InstitutionFactory(name="钟山示例检测技术有限公司", region_code="320102")
    MembershipFactory(institution=institution, role=MembershipRole.ADMIN, user__phone="13811113333")
    UserFactory(phone="13911113333", is_staff=True, is_superuser=True)
    violations = _watch(page)

    page.goto("/")
    page.goto("/news/")
    log_in(page, "13811113333")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto("/news/submissions/add/")
    editor = page.locator(".ck-editor__editable").first
    editor.click()
    editor.type("开放日当天，市民参观了实验室。")
    expect(editor).to_contain_text("开放日当天")

    admin = page.context.browser.new_context(base_url=live_server.url).new_page()
    admin_violations = _watch(admin)
    log_in(admin, "13911113333", admin=True)
    expect(admin).to_have_url(re.compile(r"/admin/$"))
    admin.goto("/admin/news/article/add/")
    admin_editor = admin.locator(".ck-editor__editable").first
    admin_editor.click()
    admin_editor.type("监管部门发布的通知正文。")
    expect(admin_editor).to_contain_text("通知正文")
    admin.goto("/admin/accounts/user/")

    assert violations == [] and admin_violations == []
