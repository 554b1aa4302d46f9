"""机构整改 in a real browser: the institution answers a rectification order with evidence and submits it."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from rectification import services
from rectification.choices import OrderStatus
from rectification.models import RectificationOrder
from sujt.accounts.choices import MembershipRole
from sujt.core.models import Attachment
from tests.browser.helpers import log_in
from tests.core.samples import PDF_BYTES
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory


def test_the_institution_answers_an_order_with_an_attachment(page, transactional_db, tmp_path):
    institution = InstitutionFactory(name="江宁示例检测有限公司", region_code="320115")
    admin = MembershipFactory(institution=institution, role=MembershipRole.ADMIN).user
    regulator = UserFactory(name="南京检查员")
    inspection = services.inspection_record(
        institution=institution,
        kind="special",
        inspected_on=timezone.localdate() - datetime.timedelta(days=2),
        inspectors="检查员甲",
        by=regulator,
        findings=[
            {"category": "equipment", "severity": "general", "description": "电子天平超过检定有效期。"}
        ],
    )
    order = services.order_issue(inspection=inspection, findings=inspection.findings.all(), by=regulator)
    evidence = tmp_path / "检定证书.pdf"
    evidence.write_bytes(PDF_BYTES)

    log_in(page, admin.phone)
    page.get_by_role("link", name="机构整改").first.click()
    page.get_by_role("link", name=str(inspection)).click()
    expect(page.get_by_text("电子天平超过检定有效期。")).to_be_visible()
    page.get_by_role("link", name="填写整改答复").click()
    page.get_by_label("整改措施及结果").fill("已将电子天平送检，取得新的检定证书。")
    page.get_by_label("上传证明材料").set_input_files(str(evidence))
    page.get_by_role("button", name="提交整改").click()

    expect(page.locator(".message-success")).to_contain_text("整改材料已提交")
    expect(page.get_by_role("link", name="检定证书.pdf")).to_be_visible()
    order = RectificationOrder.objects.get(pk=order.pk)
    assert order.status == OrderStatus.SUBMITTED
    assert Attachment.objects.get().original_name == "检定证书.pdf"
