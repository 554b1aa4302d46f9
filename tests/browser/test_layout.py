"""Every main page fits a phone (390 px) and a laptop (1366 px) without sideways scrolling, with data that
stresses the layout: long titles and names, unbroken Latin strings, returned items with their action
links. Wide tables scroll inside their own frame; the portal header stays compact on a phone; on a laptop
the status and action columns of the lists stay in view (issue 10, item 17)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from institutions.choices import ErrorItemType
from institutions.services.confirmation import error_report_submit
from news import services as news_services
from sujt.accounts.choices import MembershipRole
from sujt.core.models import Notification
from sujt.core.workflow import review_return
from tests.browser.helpers import log_in
from tests.core.samples import PDF_BYTES, upload
from tests.factories import (
    ArticleFactory,
    CapabilityFactory,
    CertificateFactory,
    EquipmentFactory,
    MembershipFactory,
    NewsSubmissionFactory,
    PatentFactory,
    PersonnelFactory,
    SignatoryFactory,
    SiteFactory,
    SoftwareCopyrightFactory,
    TrademarkFactory,
)

VIEWPORTS = {390: 844, 1366: 768}
LONG = "关于进一步加强检验检测机构资质认定事中事后监管、规范检验检测市场秩序和提升检验检测服务质量的实施意见"
LONG_STANDARD = (
    "GB 5009.28-2016 食品安全国家标准 食品中苯甲酸、山梨酸和糖精钠的测定 "
    "GB/T5009.29-2003/ISO/IEC17025:2017-AMENDMENT-2024-CORRIGENDUM-0001"
)
LONG_COMMENT = (
    "请补充活动的时间、地点和参加人数，核对文中引用的标准编号与年号，并删除与检验检测无关的宣传内容后"
    "重新提交；如有附件，请一并上传盖章扫描件。"
)
# The share of a phone screen the portal's header (with the top bar above it) may take.
PHONE_HEADER_SHARE = 0.25


@pytest.fixture
def stressed(transactional_db, institution, inst_admin, inst_staff, city_regulator):
    """The institution's every list filled with long entries, returned items included; public articles
    with long titles; unread notifications. Returns the ids the page list needs."""
    institution.address = "江苏省南京市玄武区珠江路示例科技园区创新大道一千二百三十四号检验检测综合楼十九层"
    institution.website = "https://www.jinling-testing-inspection-certification-service-centre.example.cn/"
    institution.email = "quality-management-department.jinling-testing@example.cn"
    institution.save()
    MembershipFactory(institution=institution, role=MembershipRole.STAFF, user__name="欧阳司马慕容端木长名")

    certificate = CertificateFactory(institution=institution)
    CertificateFactory(institution=institution)
    site = SiteFactory(institution=institution, name="金陵测试第二实验基地（食品与农产品综合检测中心）")
    for n in range(3):
        CapabilityFactory(certificate=certificate, site=site, item=f"{LONG[:24]}{n}", standard=LONG_STANDARD)
    EquipmentFactory(
        institution=institution, name="超高效液相色谱-串联四极杆飞行时间质谱联用仪（含自动进样器）"
    )
    SignatoryFactory(institution=institution, authorised_fields=LONG + "（食品、农产品、水质、环境）")
    PersonnelFactory(
        institution=institution, department="食品与农产品理化检测第三研究室（重金属与元素分析组）"
    )
    SoftwareCopyrightFactory(institution=institution, name=LONG[:40] + "信息管理系统")
    PatentFactory(
        institution=institution, name="一种" + LONG[:30] + "的检测装置", inventors="张三、李四、王五、赵六"
    )
    TrademarkFactory(institution=institution, name="金陵测试JINLINGTESTINGINSPECTIONCERTIFICATION")

    def report(**kwargs):
        return error_report_submit(
            institution=institution,
            by=inst_admin,
            description=LONG_COMMENT,
            evidence=[upload("营业执照.pdf", PDF_BYTES, "application/pdf")],
            **kwargs,
        )

    report(item_type=ErrorItemType.BASIC, item_id=None, item_label="机构地址：" + institution.address)
    returned_report = report(item_type=ErrorItemType.CERTIFICATE, item_id=certificate.pk)
    review_return(obj=returned_report, by=city_regulator, comment=LONG_COMMENT)

    def submission(title: str):
        return NewsSubmissionFactory(institution=institution, author=inst_admin, title=title)

    submission("草稿：" + LONG)
    news_services.submission_submit(submission=submission("待审核：" + LONG), by=inst_admin)
    returned = news_services.submission_submit(submission=submission("已退回：" + LONG), by=inst_admin)
    review_return(obj=returned, by=city_regulator, comment=LONG_COMMENT)
    approved = news_services.submission_submit(submission=submission("已通过：" + LONG), by=inst_admin)
    news_services.submission_approve(obj=approved, by=city_regulator)

    for category in ("supervision", "policy", "notice"):
        ArticleFactory(category=category, title=f"{LONG}（{category}）", summary=LONG_COMMENT)
    article = ArticleFactory(category="industry", title=LONG, summary=LONG_COMMENT, source=LONG[:60])
    for n in range(3):
        Notification.objects.create(
            recipient=inst_admin, title=f"审核结果通知：{LONG}（{n}）", body=LONG_COMMENT
        )

    return {
        "institution": institution.pk,
        "certificate": certificate.pk,
        "article": article.pk,
        "returned_report": returned_report.pk,
        "returned_submission": returned.pk,
        "staff_membership": inst_staff.memberships.get().pk,
    }


def public_pages(ids) -> list[str]:
    return [
        reverse("portal:home"),
        reverse("news:news_list"),
        reverse("news:laws_list"),
        reverse("news:notices_list"),
        reverse("news:article_detail", args=[ids["article"]]),
        reverse("institutions:directory"),
        reverse("institutions:directory") + "?q=金陵",
        reverse("institutions:public_detail", args=[ids["institution"]]),
        reverse("accounts:login"),
    ]


def workspace_pages(ids) -> list[str]:
    return [
        reverse("portal:dashboard"),
        reverse("portal:notifications"),
        reverse("portal:help"),
        reverse("accounts:user_list"),
        reverse("accounts:user_add"),
        reverse("accounts:user_edit", args=[ids["staff_membership"]]),
        reverse("accounts:password_change"),
        reverse("accounts:confirm_info"),
        reverse("institutions:overview"),
        reverse("institutions:profile_edit"),
        reverse("institutions:certificate_list"),
        reverse("institutions:certificate_detail", args=[ids["certificate"]]),
        reverse("institutions:site_list"),
        reverse("institutions:capability_list"),
        reverse("institutions:equipment_list"),
        reverse("institutions:signatory_list"),
        reverse("institutions:personnel_list"),
        reverse("institutions:ip_list"),
        reverse("institutions:ip_list") + "?kind=patent",
        reverse("institutions:ip_list") + "?kind=trademark",
        reverse("institutions:patent_add"),
        reverse("institutions:copyright_import"),
        reverse("institutions:confirm"),
        reverse("institutions:error_report_add"),
        reverse("institutions:error_report_list"),
        reverse("institutions:error_report_detail", args=[ids["returned_report"]]),
        reverse("institutions:error_report_edit", args=[ids["returned_report"]]),
        reverse("news:submission_list"),
        reverse("news:submission_add"),
        reverse("news:submission_detail", args=[ids["returned_submission"]]),
        reverse("news:submission_edit", args=[ids["returned_submission"]]),
        # The portal as a logged-in user (进入工作台 in the header).
        reverse("portal:home"),
    ]


def admin_pages(ids) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:news_newssubmission_changelist"),
        reverse("admin:news_newssubmission_change", args=[ids["returned_submission"]]),
        reverse("admin:news_article_changelist"),
        reverse("admin:institutions_institution_changelist"),
        reverse("admin:institutions_errorreport_changelist"),
        reverse("admin:institutions_capability_changelist"),
    ]


# What sticks out of the viewport, for the failure message.
WIDEST = """() => Array.from(document.querySelectorAll("body *"))
    .map(e => [e, Math.round(e.getBoundingClientRect().right)])
    .filter(([e, right]) => right > window.innerWidth)
    .slice(-3).map(([e, right]) => `${e.tagName.toLowerCase()}.${e.className} → ${right}px`)"""


def _context(browser, live_server, width: int, display: str = ""):
    """A browser at `width`; `display` is a 适老化 choice such as "large" or "large.contrast"."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": VIEWPORTS[width]}
    )
    if display:
        context.add_cookies([{"name": "sujt_a11y", "value": display, "url": live_server.url}])
    context.set_default_timeout(15_000)
    return context


def _log_in(page, phone: str, *, admin: bool = False) -> None:
    log_in(page, phone, admin=admin)
    expect(page.locator("#user-tools" if admin else ".ws-header, .portal-account").first).to_be_visible()


def _overflows(page, urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        response = page.goto(url)
        assert response.ok, f"{url} answered {response.status}"
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll_width > inner_width:
            found.append(f"{url}: {scroll_width}px > {inner_width}px ({'; '.join(page.evaluate(WIDEST))})")
    return found


@pytest.mark.parametrize(
    ("width", "display"), [(390, ""), (1366, ""), (390, "large")], ids=["390", "1366", "390-大字体"]
)
def test_no_main_page_is_wider_than_the_viewport(
    browser, live_server, stressed, inst_admin, city_regulator, width, display
):
    overflowing = []

    visitor = _context(browser, live_server, width, display)
    overflowing += _overflows(visitor.new_page(), public_pages(stressed))
    visitor.close()

    staff = _context(browser, live_server, width, display)
    page = staff.new_page()
    _log_in(page, inst_admin.phone)
    overflowing += _overflows(page, workspace_pages(stressed))
    # The downloadable manual is a page of its own once opened.
    manual = page.request.get(reverse("portal:manual_download"))
    assert manual.ok
    page.set_content(manual.text())
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        overflowing.append(f"the downloaded manual ({'; '.join(page.evaluate(WIDEST))})")
    staff.close()

    regulator = _context(browser, live_server, width, display)
    page = regulator.new_page()
    _log_in(page, city_regulator.phone, admin=True)
    overflowing += _overflows(page, admin_pages(stressed))
    regulator.close()

    assert overflowing == []


def test_the_portal_header_is_compact_on_a_phone(browser, live_server, stressed, inst_admin):
    limit = VIEWPORTS[390] * PHONE_HEADER_SHARE
    too_tall = []

    def measure(page, urls):
        for url in urls:
            page.goto(url)
            header = page.locator(".portal-header")
            expect(header).to_be_visible()
            # From the top of the page: the top bar (site name, 适老化) counts as header too.
            bottom = header.evaluate("e => e.getBoundingClientRect().bottom")
            if bottom > limit:
                too_tall.append(f"{url}: {bottom:.0f}px > {limit:.0f}px")

    visitor = _context(browser, live_server, 390)
    page = visitor.new_page()
    measure(page, public_pages(stressed))
    # Every channel is reachable from the header without a script.
    nav = page.get_by_role("navigation", name="主导航")
    for title in ("首页", "新闻资讯", "法律法规", "通知公告", "机构查询"):
        expect(nav.get_by_role("link", name=title)).to_be_visible()
    visitor.close()

    member = _context(browser, live_server, 390)
    page = member.new_page()
    _log_in(page, inst_admin.phone)
    measure(page, [reverse("portal:home"), reverse("portal:help")])
    member.close()

    assert too_tall == []


def test_list_status_and_actions_stay_in_view_on_a_laptop(browser, live_server, stressed, inst_admin):
    context = _context(browser, live_server, 1366)
    page = context.new_page()
    _log_in(page, inst_admin.phone)

    for url, row in [
        (reverse("news:submission_list"), f"[data-submission='{stressed['returned_submission']}']"),
        (reverse("institutions:error_report_list"), f"[data-report='{stressed['returned_report']}']"),
    ]:
        page.goto(url)
        wrap = page.locator(".table-wrap")
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), f"{url}: the table scrolls sideways"
        returned = page.locator(row)
        for piece in (returned.locator(".badge"), returned.get_by_role("link", name="修改并重新提交")):
            expect(piece).to_be_in_viewport()
            box = piece.bounding_box()
            assert box["x"] + box["width"] <= 1366, f"{url}: {piece} is cut off"
    context.close()
