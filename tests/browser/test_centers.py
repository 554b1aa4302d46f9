"""中心建设 in a real browser: an institution admin opens 中心建设, fills a 筹建申请 with an equipment line,
the feasibility report and another material, submits it, and sees it 待市局审核 with its center 筹建申请中;
the city regulator then finds it in the admin queue and passes it to the province."""

from playwright.sync_api import expect

from centers.choices import CenterStatus, TwoStepStatus
from centers.models import ConstructionApplication
from sujt.accounts.choices import MembershipRole
from sujt.accounts.services import regulator_group_ensure
from sujt.core.attachments import attachments_of
from tests.browser.helpers import log_in
from tests.core.samples import PDF_BYTES
from tests.factories import InstitutionFactory, MembershipFactory, RegulatorFactory


def test_the_institution_submits_a_construction_application_with_materials(page, transactional_db, tmp_path):
    institution = InstitutionFactory(name="玄武示例检测有限公司", region_code="320102", centers_enabled=True)
    admin = MembershipFactory(institution=institution, role=MembershipRole.ADMIN).user
    regulator = RegulatorFactory(region_code="320100", bureau="南京市市场监督管理局").user
    regulator.groups.add(regulator_group_ensure())
    report = tmp_path / "可行性研究报告.pdf"
    report.write_bytes(PDF_BYTES)
    other = tmp_path / "场地证明.pdf"
    other.write_bytes(PDF_BYTES)

    log_in(page, admin.phone)
    page.get_by_role("link", name="中心建设").first.click()
    expect(page.get_by_text("本机构还没有中心")).to_be_visible()
    page.get_by_role("link", name="申请筹建中心").click()
    page.get_by_label("中心名称").fill("江苏省示例塑料制品质量检验中心")
    page.get_by_label("级别").select_option(label="省级")
    page.get_by_label("类型").select_option(label="质检中心")
    page.get_by_label("所属行业").fill("轻工")
    page.get_by_label("产品范围").fill("塑料制品及其原料")
    page.get_by_label("建设内容与目标").fill("建成覆盖塑料制品国家标准的检测能力。")
    page.get_by_label("计划投资（万元）").fill("600")
    page.get_by_label("资金来源").fill("企业自筹")
    page.get_by_label("预计建设周期（月）").fill("18")
    page.get_by_label("人员配备计划").fill("新增检测人员 8 名。")
    page.get_by_label("第 1 行设备名称").fill("万能材料试验机")
    page.get_by_label("第 1 行规格型号").fill("WDW-100")
    page.get_by_label("第 1 行单价（万元）").fill("35")
    page.get_by_label("第 1 行数量").fill("2")
    page.get_by_label("可行性研究报告").set_input_files(str(report))
    page.get_by_label("其他材料").set_input_files(str(other))
    page.get_by_role("button", name="提交申请").click()

    expect(page.locator(".message-success")).to_contain_text("筹建申请已提交")
    expect(page.locator("[data-application-status]")).to_contain_text("待市局审核")
    expect(page.locator("tfoot")).to_contain_text("70.00")  # 35 万元 × 2
    application = ConstructionApplication.objects.get()
    assert application.status == TwoStepStatus.CITY_REVIEW
    assert application.center.status == CenterStatus.APPLYING
    assert sorted(a.original_name for a in attachments_of(application)) == [
        "可行性研究报告.pdf",
        "场地证明.pdf",
    ]

    page.context.clear_cookies()
    log_in(page, regulator.phone, admin=True)
    page.goto(f"/admin/centers/constructionapplication/{application.pk}/change/")
    expect(page.get_by_text("万能材料试验机")).to_be_visible()
    page.get_by_label("审核意见").first.fill("材料齐全，同意报省局审批。")
    page.get_by_role("button", name="市局审核通过").click()
    application.refresh_from_db()
    assert application.status == TwoStepStatus.PROVINCE_REVIEW
