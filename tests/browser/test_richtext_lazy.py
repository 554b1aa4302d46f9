"""Issue 18 item 5: the rich-text editor is fetched only after the page has loaded, and only where a
rich-text field is shown; until then, and without JavaScript, the field is a plain textarea that saves."""

import re

from playwright.sync_api import expect

from institutions.models import Institution
from sujt.accounts.choices import MembershipRole
from tests.browser.helpers import log_in
from tests.factories import InstitutionFactory, MembershipFactory

EDIT = "/institutions/profile/edit/"

# When each editor file was requested, against the moment the page's load event started.
EDITOR_REQUESTS = """() => {
    const loaded = performance.getEntriesByType('navigation')[0].loadEventStart;
    return performance.getEntriesByType('resource')
        .filter(entry => entry.name.includes('ckeditor'))
        .map(entry => ({name: entry.name, afterLoad: entry.startTime >= loaded}));
}"""


def _admin_of_an_institution(phone: str) -> Institution:
    institution = InstitutionFactory(name="钟山示例检测技术有限公司", region_code="320102")
    MembershipFactory(institution=institution, role=MembershipRole.ADMIN, user__phone=phone)
    return institution


def _answer_the_required_questions(page) -> None:
    page.locator("#id_is_high_tech").get_by_label("否").check()
    page.locator("#id_is_listed").get_by_label("否").check()
    page.select_option("select[name=legal_person_type]", label="企业法人")
    page.select_option("select[name=investor_type]", label="民营")


def _save(page) -> None:
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/institutions/profile/$"))
    expect(page.get_by_text("完善信息已保存")).to_be_visible()


def test_the_editor_arrives_after_the_page_has_loaded_and_what_is_typed_is_saved_sanitised(
    page, transactional_db
):
    institution = _admin_of_an_institution("13811114444")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, "13811114444")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    # A page without a rich-text field does not fetch the editor.
    assert page.evaluate(EDITOR_REQUESTS) == []

    page.goto(EDIT)
    page.wait_for_function("() => window.editors && Object.keys(window.editors).length === 1")
    requested = page.evaluate(EDITOR_REQUESTS)
    names = [entry["name"].rsplit("/", 1)[-1] for entry in requested]
    assert sorted(names) == ["bundle.js", "styles.css", "zh-cn.js"]
    assert all(entry["afterLoad"] for entry in requested), requested
    expect(page.locator("textarea[name=business_scope]")).to_be_hidden()

    _answer_the_required_questions(page)
    editor = page.locator(".ck-editor__editable").first
    editor.click()
    editor.type("食品理化检验，")
    editor.press("Control+b")
    editor.type("生活饮用水检测")
    # What reaches the server is sanitised again there, whatever the editor sends.
    page.evaluate(
        "() => { const editor = Object.values(window.editors)[0];"
        " editor.setData(editor.getData() + '<p><a href=\"javascript:alert(1)\">详情</a></p>'); }"
    )
    _save(page)

    scope = Institution.objects.get(pk=institution.pk).business_scope
    assert "<p>食品理化检验，<strong>生活饮用水检测</strong></p>" in scope
    assert "详情" in scope and "javascript:" not in scope
    assert violations == []


def test_the_field_is_a_plain_textarea_that_saves_without_javascript(browser, live_server, transactional_db):
    institution = _admin_of_an_institution("13811115555")
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, "13811115555")
        page.goto(EDIT)
        textarea = page.locator("textarea[name=business_scope]")
        expect(textarea).to_be_visible()
        expect(textarea).to_be_editable()
        _answer_the_required_questions(page)
        textarea.fill("<p>食品、水质检验检测</p><script>alert(1)</script>")
        _save(page)
    finally:
        context.close()

    assert Institution.objects.get(pk=institution.pk).business_scope == "<p>食品、水质检验检测</p>"
