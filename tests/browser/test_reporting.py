"""运营数据填报 in a real browser: an institution admin opens 07 from the navigation, opens the task the city
bureau published, fills part of the form and saves a draft, tries to submit with a required answer
missing (the error is shown by the field and in the summary, what was typed stays), completes it, submits
and sees it 待审核 on a read-only page and in the list."""

from playwright.sync_api import expect

from reporting.choices import AssignmentStatus
from reporting.models import ReportAssignment
from sujt.accounts.choices import MembershipRole
from sujt.accounts.services import regulator_group_ensure
from tests.browser.helpers import log_in
from tests.factories import InstitutionFactory, MembershipFactory, RegulatorFactory
from tests.reporting.factories import task_published


def test_the_institution_fills_saves_and_submits_a_report(page, transactional_db):
    institution = InstitutionFactory(name="玄武示例检测有限公司", region_code="320102")
    admin = MembershipFactory(institution=institution, role=MembershipRole.ADMIN).user
    regulator = RegulatorFactory(region_code="320100", bureau="南京市市场监督管理局").user
    regulator.groups.add(regulator_group_ensure())
    task = task_published(regulator, criteria={"usccs": [institution.uscc]}, period="2026年度")

    log_in(page, admin.phone)
    page.get_by_role("link", name="技术机构运营数据填报").first.click()
    expect(page.locator("[data-tab=pending]")).to_contain_text("（1）")
    page.get_by_role("link", name=task.title).click()
    expect(page.get_by_role("heading", name=task.title)).to_be_visible()

    # A draft may hold part of the answers.
    page.get_by_label("营业收入（万元）").fill("1200.5")
    page.get_by_label("其中检验检测服务收入（万元）").fill("1000")
    page.get_by_label("出具检验检测报告数（份）").fill("5200")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".message-success")).to_contain_text("草稿已保存")
    expect(page.locator("[data-assignment-status]")).to_contain_text("草稿")
    expect(page.get_by_label("营业收入（万元）")).to_have_value("1200.5")

    # Submitting with a required answer missing: refused, the reason by the field, the rest kept.
    page.get_by_label("研发经费投入（万元）").fill("80")
    page.get_by_label("从业人员数（人）").fill("96")
    page.get_by_label("其中高级职称人数（人）").fill("12")
    page.get_by_label("中级职称人数（人）").fill("30")
    page.get_by_label("仪器设备数量（台套）").fill("420")
    page.get_by_label("仪器设备原值（万元）").fill("3600")
    page.get_by_label("实验室面积（㎡）").fill("5200.5")
    page.get_by_role("group", name="是否专精特新企业").get_by_label("否").check()
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".message-error")).to_contain_text("填报内容有误")
    summary = page.locator(".report-error-summary")
    expect(summary).to_contain_text("有 1 处需要修改")
    expect(summary).to_contain_text("请至少选择一项「主要服务领域」")
    expect(page.locator("[data-field-key=service_fields] .field-error")).to_be_visible()
    expect(page.get_by_label("实验室面积（㎡）")).to_have_value("5200.5")
    assert ReportAssignment.objects.get().status == AssignmentStatus.DRAFT

    fields = page.get_by_role("group", name="主要服务领域")
    fields.get_by_label("水质").check()
    fields.get_by_label("环境与环保").check()
    page.get_by_label("年度运营情况说明").fill("新增水质检测能力。")
    page.get_by_role("button", name="提交", exact=True).click()

    expect(page.locator(".message-success")).to_contain_text("已提交，等待监管部门审核")
    expect(page.locator("[data-assignment-status]")).to_contain_text("待审核")
    expect(page.get_by_role("button", name="提交", exact=True)).to_have_count(0)
    expect(page.locator(".report-answers")).to_contain_text("环境与环保、水质")
    assignment = ReportAssignment.objects.get()
    assert assignment.status == AssignmentStatus.SUBMITTED
    assert assignment.values["specialized"] is False and assignment.values["lab_area"] == "5200.5"

    page.get_by_role("link", name="技术机构运营数据填报").first.click()
    expect(page.locator("[data-tab=submitted]")).to_contain_text("（1）")
    expect(page.locator("table.list-table")).to_contain_text("待审核")
