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


def test_who_can_test_compares_labs_near_you_and_downloads_the_rows(page, transactional_db):
    """谁能检: from the portal's navigation, a parameter under a standard, narrowed to one city."""
    for name, region in (("金陵食品检验有限公司", "320104"), ("姑苏食品检测有限公司", "320505")):
        lab = InstitutionFactory(name=name, region_code=region)
        CapabilityFactory(
            certificate=CertificateFactory(institution=lab),
            institution=lab,
            seq=1,
            category="食品",
            item="铅（以Pb计）",
            standard="GB 5009.12-2017 食品安全国家标准 食品中铅的测定",
        )

    page.goto("/")
    page.get_by_role("link", name="谁能检").click()
    page.get_by_role("link", name="GB 5009.12").click()
    expect(page.get_by_text("共找到 2 条能力")).to_be_visible()
    page.select_option("#cap-city", label="苏州市")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("共找到 1 条能力")).to_be_visible()
    expect(page.get_by_role("link", name="姑苏食品检测有限公司")).to_be_visible()
    expect(page.get_by_role("link", name="金陵食品检验有限公司")).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 Excel").click()
    with open(download_info.value.path(), "rb") as downloaded:
        names = [row[0] for row in load_workbook(downloaded).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["姑苏食品检测有限公司"]
