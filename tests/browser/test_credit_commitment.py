"""信用承诺书 in a real browser: an institution admin opens 信用管理 › 信用承诺书, uploads the signed
letter as a PDF and sees this year's letter listed as uploaded."""

from django.utils import timezone
from playwright.sync_api import expect

from credit.models import CommitmentLetter
from sujt.accounts.choices import MembershipRole
from sujt.core.attachments import attachments_of
from tests.browser.helpers import log_in
from tests.core.samples import PDF_BYTES
from tests.factories import CertificateFactory, InstitutionFactory, MembershipFactory, make_cma_number


def test_the_institution_uploads_its_commitment_letter(page, transactional_db, tmp_path):
    institution = InstitutionFactory(name="秦淮示例检测技术有限公司", region_code="320104")
    CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    admin = MembershipFactory(institution=institution, role=MembershipRole.ADMIN).user
    letter_file = tmp_path / "信用承诺书（盖章）.pdf"
    letter_file.write_bytes(PDF_BYTES)
    year = timezone.localdate().year

    log_in(page, admin.phone)
    page.get_by_role("link", name="信用管理").first.click()
    page.get_by_role("link", name="信用承诺书").first.click()
    expect(page.get_by_role("heading", name=f"{year} 年度信用承诺书")).to_be_visible()
    expect(page.locator("[data-commitment-current]")).to_contain_text("未上传")

    page.get_by_label("签字盖章的信用承诺书").set_input_files(str(letter_file))
    page.get_by_role("button", name="上传", exact=True).click()

    expect(page.locator(".message-success")).to_contain_text(f"{year} 年度信用承诺书已上传")
    current = page.locator("[data-commitment-current]")
    expect(current).to_contain_text("已上传")
    expect(current.get_by_role("link", name="信用承诺书（盖章）.pdf")).to_be_visible()
    letter = CommitmentLetter.objects.get(institution=institution, year=year)
    assert attachments_of(letter).get().original_name == "信用承诺书（盖章）.pdf"
