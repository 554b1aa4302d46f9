"""申疑 in a real browser: an institution admin opens 信用管理 › 信用修复, files an objection to a deduction
with a PDF as evidence, and sees the deduction 异议中 (still counted) and the objection 待审核."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from credit.choices import Dimension, Direction, EventSource, EventState
from credit.models import CreditItem, CreditObjection
from credit.services import event_record
from sujt.accounts.choices import MembershipRole
from tests.browser.helpers import log_in
from tests.core.samples import PDF_BYTES
from tests.factories import CertificateFactory, InstitutionFactory, MembershipFactory, make_cma_number


def test_the_institution_files_an_objection_to_a_deduction(page, transactional_db, tmp_path):
    # A transactional test before this one may have flushed the point table the migration seeded.
    CreditItem.objects.get_or_create(
        code="K02",
        defaults={
            "name": "监督检查发现一般问题（每项）",
            "direction": Direction.DEDUCTION,
            "points": 2,
            "months_valid": 12,
            "dimension": Dimension.SUPERVISION,
        },
    )
    institution = InstitutionFactory(name="秦淮示例检测技术有限公司", region_code="320104")
    CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    admin = MembershipFactory(institution=institution, role=MembershipRole.ADMIN).user
    event = event_record(
        institution_id=institution.pk,
        item_code="K02",
        occurred_on=timezone.localdate() - datetime.timedelta(days=12),
        source=EventSource.MANUAL,
        source_key="browser:k02",
        reason="监督检查发现设备未按期检定。",
    )
    evidence = tmp_path / "设备检定证书.pdf"
    evidence.write_bytes(PDF_BYTES)

    log_in(page, admin.phone)
    page.get_by_role("link", name="信用管理").first.click()
    page.get_by_role("link", name="信用修复").first.click()
    row = page.locator(f"tr[data-event='{event.pk}']")
    expect(row).to_contain_text("计分中")
    row.get_by_role("link", name="申疑").click()

    expect(page.get_by_role("heading", name="提出申疑")).to_be_visible()
    page.get_by_label("申疑理由").fill("该设备在检查前已完成检定，附检定证书。")
    page.get_by_label("证明材料").set_input_files(str(evidence))
    page.get_by_role("button", name="提交申疑").click()

    expect(page.locator(".message-success")).to_contain_text("申疑已提交")
    expect(page.locator("[data-application-status]")).to_contain_text("待审核")
    expect(page.locator("[data-event-state]")).to_contain_text("异议中")
    page.get_by_role("link", name="信用修复", exact=True).first.click()
    expect(page.locator(f"tr[data-event='{event.pk}']")).to_contain_text("异议中")
    objection = CreditObjection.objects.get()
    assert objection.event_id == event.pk
    event.refresh_from_db()
    assert event.state == EventState.OBJECTED
