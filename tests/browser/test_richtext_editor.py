"""The rich-text editor in a real browser: it starts, edits, and has no way to upload an image."""

import base64
import re

from playwright.sync_api import expect

from news.models import NewsSubmission
from sujt.accounts.choices import MembershipRole
from tests.core.samples import png_bytes
from tests.factories import DEFAULT_PASSWORD, InstitutionFactory, MembershipFactory

# Pastes a PNG file into the editor the way a browser does, then reports what the editor holds.
PASTE_IMAGE_FILE = """(encoded) => {
    const editor = Object.values(window.editors)[0];
    const pixels = Uint8Array.from(atob(encoded), (character) => character.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([pixels], 'photo.png', {type: 'image/png'}));
    const paste = new ClipboardEvent('paste', {clipboardData: transfer, bubbles: true, cancelable: true});
    document.querySelector('.ck-editor__editable').dispatchEvent(paste);
    return editor.getData();
}"""


def test_the_editor_starts_without_an_upload_adapter_and_a_pasted_image_goes_nowhere(page, transactional_db):
    institution = InstitutionFactory(name="钟山示例检测技术有限公司", region_code="320102")
    MembershipFactory(institution=institution, role=MembershipRole.ADMIN, user__phone="13811112222")
    uploads = []
    page.on("request", lambda request: uploads.append(request.url) if "upload" in request.url else None)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "13811112222")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("登录")).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.goto("/news/submissions/add/")
    editor = page.locator(".ck-editor__editable").first
    expect(editor).to_be_visible()
    page.wait_for_function("() => window.editors && Object.keys(window.editors).length === 1")
    adapter = page.evaluate(
        "() => { const editor = Object.values(window.editors)[0];"
        " return editor.plugins.has('SimpleUploadAdapter') || editor.plugins.has('CKFinderUploadAdapter')"
        " || Boolean(editor.plugins.get('FileRepository').createUploadAdapter); }"
    )
    assert adapter is False

    editor.click()
    editor.type("开放日当天，市民参观了理化实验室。")
    held = page.evaluate(PASTE_IMAGE_FILE, base64.b64encode(png_bytes((8, 8))).decode())
    assert "<img" not in held and "开放日当天" in held

    page.select_option("select[name=category]", label="机构风采")
    page.fill("input[name=title]", "开放日")
    page.fill("textarea[name=summary]", "实验室开放日。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("开放日").first).to_be_visible()
    submission = NewsSubmission.objects.get(title="开放日")
    assert "开放日当天，市民参观了理化实验室。" in submission.body
    assert "<img" not in submission.body
    assert uploads == []
