"""服务检索 in a real browser: someone types what they need tested on the home page, finds the lab, opens its
public profile and downloads its capability schedule."""

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import CapabilityFactory, CertificateFactory, InstitutionFactory


def test_search_a_capability_from_the_home_page_to_the_schedule_download(page, transactional_db):
    lab = InstitutionFactory(name="江北建设工程检测有限公司", region_code="320111")
    certificate = CertificateFactory(institution=lab)
    for seq, (item, standard) in enumerate(
        [
            ("钢筋 拉伸性能", "GB/T 28900-2012 钢筋混凝土用钢材试验方法"),
            ("混凝土抗压强度", "GB/T 50081-2019 混凝土物理力学性能试验方法标准"),
        ],
        1,
    ):
        CapabilityFactory(
            certificate=certificate,
            institution=lab,
            seq=seq,
            category="建筑材料",
            item=item,
            standard=standard,
        )
    other = InstitutionFactory(name="太湖水质检测中心", region_code="320505")
    CapabilityFactory(
        certificate=CertificateFactory(institution=other),
        institution=other,
        seq=1,
        category="水质",
        item="生活饮用水 pH值",
        standard="GB/T 5750.4-2006",
    )

    page.goto("/")
    page.fill("#home-q", "钢筋")
    page.locator("#home-q").press("Enter")
    result = page.get_by_role("link", name="江北建设工程检测有限公司")
    expect(result).to_be_visible()
    expect(page.get_by_role("link", name="太湖水质检测中心")).to_have_count(0)
    expect(page.locator("mark", has_text="钢筋").first).to_be_visible()

    result.click()
    expect(page.get_by_role("heading", name="江北建设工程检测有限公司").first).to_be_visible()
    page.get_by_role("link", name="查看能力附表").click()
    expect(page.get_by_text("混凝土抗压强度").first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 Excel").click()
    with open(download_info.value.path(), "rb") as downloaded:
        sheet = load_workbook(downloaded).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert any("钢筋 拉伸性能" in value for value in cells)
    assert any("GB/T 50081-2019" in value for value in cells)
