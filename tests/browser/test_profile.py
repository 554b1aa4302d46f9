"""Module 02 in a real browser: 完善信息 with a logo and a certificate scan raises the completeness."""

import re

from PIL import Image
from playwright.sync_api import expect

from institutions.models import Institution
from institutions.services.completeness import completeness_score
from sujt.accounts.choices import MembershipRole
from tests.browser.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, InstitutionFactory, MembershipFactory


def _completeness(page) -> int:
    page.goto("/institutions/profile/")
    return int(page.locator("[data-completeness]").inner_text())


def test_filling_the_profile_with_a_logo_and_a_scan_raises_the_completeness(page, transactional_db, tmp_path):
    institution = InstitutionFactory(name="钟山示例检测技术有限公司", region_code="320102")
    MembershipFactory(institution=institution, role=MembershipRole.ADMIN, user__phone="13811112222")

    fake_logo = tmp_path / "logo.png"
    fake_logo.write_text("这不是图片，只是改了扩展名的文本文件。\n", encoding="utf-8")
    logo = tmp_path / "机构标志.png"
    Image.new("RGB", (120, 80), (20, 90, 170)).save(logo, format="PNG")
    scan = tmp_path / "高新技术企业证书.png"
    Image.new("RGB", (300, 200), (240, 240, 240)).save(scan, format="PNG")

    log_in(page, "13811112222", DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    before = _completeness(page)

    # A text file renamed .png is refused as a logo, with the reason written next to the field.
    page.get_by_role("link", name="完善信息").first.click()
    expect(page).to_have_url(re.compile(r"/institutions/profile/edit/$"))
    page.set_input_files("input[name=logo]", str(fake_logo))
    page.get_by_role("button", name="保存").click()
    expect(
        page.locator(
            "[role=alert]",
            has_text="文件内容不是有效的图片（文件扩展名为 .png）。请确认文件未损坏，且确为该类型。",
        )
    ).to_be_visible()
    assert Institution.objects.get(pk=institution.pk).logo_id is None

    # Now the whole form, with a real logo and a certificate scan.
    page.get_by_label("是", exact=True).first.check()  # 是否高新技术企业
    page.fill("input[name=high_tech_obtained_on]", "2021-02-01")
    page.set_input_files("input[name=high_tech_certificate]", str(scan))
    page.set_input_files("input[name=logo]", str(logo))
    page.select_option("select[name=legal_person_type]", label="企业法人")
    page.select_option("select[name=unit_type]", label="第三方检验检测机构")
    page.select_option("select[name=supervising_department]", label="市场监督管理")
    page.select_option("select[name=ownership]", label="私营")
    page.locator("#id_is_listed").get_by_label("否").check()
    page.select_option("select[name=investor_type]", label="民营")
    page.locator("#id_fields").get_by_label("食品", exact=True).check()
    page.locator("#id_fields").get_by_label("水质").check()
    editor = page.locator(".ck-editor__editable").first
    editor.click()
    editor.type("食品理化检验、生活饮用水检测")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/institutions/profile/$"))
    expect(page.get_by_text("完善信息已保存")).to_be_visible()
    after = int(page.locator("[data-completeness]").inner_text())
    assert after > before
    assert after - before == 47  # every 完善信息 item: 5+5+5+4+4+4+4+4+6+6

    institution = Institution.objects.get(pk=institution.pk)
    assert institution.completeness == after == completeness_score(institution=institution)
    assert institution.logo.original_name == "机构标志.png"
    assert institution.high_tech_certificate.original_name == "高新技术企业证书.png"
    assert "生活饮用水检测" in institution.business_scope
    assert sorted(institution.fields.values_list("code", flat=True)) == ["00", "13"]

    # The logo is shown from its public address.
    logo_image = page.locator("#extra img.institution-logo")
    # The image is lazy-loaded, so wait for the decoded width instead of reading it once.
    logo_image.scroll_into_view_if_needed()
    expect(logo_image).to_have_js_property("naturalWidth", 120)
