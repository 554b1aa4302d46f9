"""The regulators' institution record in admin: the whole record on the change page, search, district and
confirmation filters, and the Excel export of the whole filtered list."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from institutions.admin import InstitutionAdmin
from institutions.choices import InstitutionStatus
from institutions.models import Institution
from sujt.accounts.choices import MembershipRole
from sujt.accounts.services import regulator_group_ensure
from sujt.core.attachments import attachment_create
from sujt.core.choices import AttachmentKind
from sujt.core.excel import XLSX_CONTENT_TYPE
from tests.core.samples import png_bytes, upload
from tests.factories import (
    CertificateFactory,
    InstitutionFactory,
    MembershipFactory,
    PatentFactory,
    RegulatorFactory,
    SoftwareCopyrightFactory,
    TrademarkFactory,
    make_cma_number,
)

LIST_URL = reverse("admin:institutions_institution_changelist")
EXPORT_URL = reverse("admin:institutions_institution_export_xlsx")
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def change_url(institution) -> str:
    return reverse("admin:institutions_institution_change", args=[institution.pk])


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def as_dicts(rows: list[tuple]) -> list[dict]:
    header, *data = rows
    return [dict(zip(header, row, strict=True)) for row in data]


def district_regulator(code: str):
    user = RegulatorFactory(region_code=code).user
    user.groups.add(regulator_group_ensure())
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def filled_in(institution, inst_admin):
    """`institution` with its basic info, 完善信息, IP, a confirmation and a member who logged in."""
    Institution.objects.filter(pk=institution.pk).update(
        legal_representative="赵法人",
        address="南京市玄武区示例路8号",
        contact_person="钱联系",
        contact_phone="025-83456789",
        email="info@example.test",
        website="https://lab.example.test",
        introduction="一家虚构的综合检测机构。",
        is_high_tech=False,
        legal_person_type="enterprise",
        ownership="private",
        investor_type="private",
        is_listed=True,
        listed_market="star",
        stock_code="688999",
        business_scope="<p>食品、水质检测</p>",
        info_confirmed_at=datetime.datetime(2026, 3, 1, 1, 5, tzinfo=datetime.UTC),
        info_confirmed_by=inst_admin,
        completeness=85,
    )
    institution.fields.create(code="13")
    SoftwareCopyrightFactory(institution=institution, name="实验室信息管理系统")
    PatentFactory(institution=institution, name="一种水样采集装置")
    TrademarkFactory(institution=institution, name="金陵检测")
    inst_admin.last_login = datetime.datetime(2026, 11, 20, 1, 30, tzinfo=datetime.UTC)
    inst_admin.save(update_fields=["last_login"])
    institution.refresh_from_db()
    return institution


# --- The change page ---------------------------------------------------------------------------------------


def test_the_change_page_shows_the_basic_info_and_the_institutions_answers(client_for, filled_in):
    response = client_for("city_regulator").get(change_url(filled_in))
    body = response.content.decode()
    for text in (
        "基本信息",
        "联系方式",
        "完善信息",
        "完整度与确认",
        "赵法人",
        "南京市玄武区示例路8号",
        "钱联系",
        "025-83456789",
        "info@example.test",
        "一家虚构的综合检测机构。",
        "企业法人",  # 法人类型
        "私营",  # 所有制结构 / 出资人类型
        "是，科创板，股票代码 688999",  # 上市
        "<p>食品、水质检测</p>",  # sanitised rich text, rendered
        "水质",  # declared field
        "85%",
        "已确认：机构管理员甲",
        "2026-03-01 09:05",  # confirmed at, Shanghai time
    ):
        assert text in body, text
    # Synced and institution-entered fields are shown, not offered for editing.
    form_fields = response.context["adminform"].form.fields
    assert set(form_fields) == {"name", "uscc", "region_code", "status", "centers_enabled"}


def test_the_change_page_lists_ip_and_members_with_modules_and_last_login(
    client_for, filled_in, inst_admin, clerk
):
    clerk(filled_in, "经办人丙", "submit_news")
    body = client_for("city_regulator").get(change_url(filled_in)).content.decode()
    for text in ("知识产权", "实验室信息管理系统", "一种水样采集装置", "金陵检测"):
        assert text in body, text
    assert "机构用户（2）" in body
    assert inst_admin.phone in body
    assert "2026-11-20 09:30" in body  # last login, Shanghai time
    assert "全部模块（机构管理员）" in body
    assert "经办人丙" in body and "新闻资讯发布" in body and "从未登录" in body
    # No ID card number of anyone reaches the page.
    assert inst_admin.id_card_number not in body


def test_the_logo_is_shown_through_the_permission_checked_file_url(client_for, institution, inst_admin):
    logo = attachment_create(
        owner=institution,
        file=upload("logo.png", png_bytes()),
        kinds=[AttachmentKind.IMAGE],
        purpose="logo",
        by=inst_admin,
    )
    Institution.objects.filter(pk=institution.pk).update(logo=logo)
    client = client_for("city_regulator")
    body = client.get(change_url(institution)).content.decode()
    url = reverse("core:attachment_download", args=[logo.pk])
    assert f'src="{url}"' in body
    assert client.get(url).status_code == 200


def test_a_nanjing_regulator_cannot_open_a_suzhou_institution(client_for, other_institution):
    client = client_for("city_regulator")
    # Django admin answers an object outside the queryset exactly as an id that never existed.
    missing = client.get(reverse("admin:institutions_institution_change", args=[999999]))
    response = client.get(change_url(other_institution))
    assert response.status_code == missing.status_code == 302
    assert response.url == missing.url == reverse("admin:index")
    assert other_institution.name not in client.get(response.url).content.decode()
    history = reverse("admin:institutions_institution_history", args=[other_institution.pk])
    assert client.get(history).status_code == 404


# --- Search and filters ------------------------------------------------------------------------------------


@pytest.fixture
def searchable(institution, other_institution):
    """Two certificates and two admins that match the same searches: the institution must come once."""
    CertificateFactory(institution=institution, number=make_cma_number(year=2023, field="13"))
    CertificateFactory(institution=institution, number=make_cma_number(year=2023, field="13"))
    for phone, name in (("13911110001", "孙管理"), ("13911110002", "孙管理员")):
        MembershipFactory(
            institution=institution, role=MembershipRole.ADMIN, user__phone=phone, user__name=name
        )
    # A staff member's phone and an inactive admin's name are not searched.
    MembershipFactory(institution=other_institution, user__phone="13922220001", user__name="李经办")
    MembershipFactory(
        institution=other_institution,
        role=MembershipRole.ADMIN,
        is_active=False,
        user__phone="13922220002",
        user__name="周停用",
    )
    return institution


@pytest.mark.parametrize(
    "term",
    [
        "231013",  # the shared start of both CMA numbers (YY AA FF)
        "1391111000",  # both admins' phones
        "孙管理",  # both admins' names
        "金陵 孙管理",  # every word must match something
    ],
)
def test_search_by_cma_number_admin_phone_or_admin_name_finds_the_institution_once(
    client_for, searchable, term
):
    response = client_for("province_regulator").get(LIST_URL, {"q": term})
    assert listed(response) == [searchable]
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("term", ["13922220001", "李经办", "周停用", "金陵 李经办"])
def test_search_ignores_staff_and_inactive_admins(client_for, searchable, term):
    assert listed(client_for("province_regulator").get(LIST_URL, {"q": term})) == []


def district_choices(response) -> list[str]:
    for spec in response.context["cl"].filter_specs:
        if getattr(spec, "parameter_name", "") == "district":
            return [code for code, _name in spec.lookup_choices]
    return []


def test_the_district_filter_offers_a_city_regulator_their_districts_only(client_for, institution):
    choices = district_choices(client_for("city_regulator").get(LIST_URL))
    assert "320102" in choices and "320115" in choices
    assert all(code.startswith("3201") for code in choices)


def test_the_district_filter_follows_the_provinces_chosen_city(client_for, institution):
    client = client_for("province_regulator")
    assert district_choices(client.get(LIST_URL)) == []
    suzhou = district_choices(client.get(LIST_URL, {"city": "320500"}))
    assert "320505" in suzhou and all(code.startswith("3205") for code in suzhou)
    # A dashboard link to a district alone shows that district's city.
    assert "320115" in district_choices(client.get(LIST_URL, {"district": "320115"}))


def test_the_district_filter_is_hidden_for_a_district_regulator(institution):
    assert district_choices(district_regulator("320102").get(LIST_URL)) == []


def test_filter_by_district(client_for, institution, other_institution):
    jiangning = InstitutionFactory(name="江宁示例质检有限公司", region_code="320115")
    client = client_for("province_regulator")
    assert listed(client.get(LIST_URL, {"district": "320115"})) == [jiangning]
    assert listed(client.get(LIST_URL, {"city": "320100", "district": "320102"})) == [institution]
    # Another city's district in a Nanjing regulator's list matches nothing of Suzhou's.
    assert listed(client_for("city_regulator").get(LIST_URL, {"district": "320505"})) == []


def test_filter_by_confirmation(client_for, institution, other_institution):
    Institution.objects.filter(pk=institution.pk).update(info_confirmed_at=timezone.now())
    client = client_for("province_regulator")
    assert listed(client.get(LIST_URL, {"confirmed": "yes"})) == [institution]
    assert listed(client.get(LIST_URL, {"confirmed": "no"})) == [other_institution]


# --- Export of the whole filtered list ---------------------------------------------------------------------


def test_the_list_links_to_the_export_of_its_current_filters(client_for, institution):
    body = (
        client_for("city_regulator").get(LIST_URL, {"status__exact": "normal", "q": "金陵"}).content.decode()
    )
    assert "导出 Excel（当前筛选结果）" in body
    assert f"{EXPORT_URL}?status__exact=normal&amp;q=%E9%87%91%E9%99%B5" in body


def test_the_export_reads_back_with_every_column_a_regulator_uses(client_for, filled_in, inst_admin):
    certificate = CertificateFactory(institution=filled_in)
    rows = sheet_rows(client_for("city_regulator").get(EXPORT_URL))
    header = rows[0]
    for title in (
        "机构名称",
        "统一社会信用代码",
        "所在城市",
        "所在地区",
        "地址",
        "法定代表人",
        "联系人",
        "联系人电话",
        "机构邮箱",
        "网站",
        "状态",
        "检验检测领域",
        "高新技术企业",
        "法人类型",
        "所有制结构",
        "上市公司",
        "信息完整度（%）",
        "信息确认时间",
        "信息确认人",
        "资质认定证书（编号、状态、有效期）",
        "机构管理员",
        "管理员手机号",
        "用户数（启用）",
        "更新时间",
    ):
        assert title in header, title
    assert not any("身份证" in title for title in header)
    (row,) = as_dicts(rows)
    assert row["机构名称"] == filled_in.name
    assert row["所在城市"] == "南京市"
    assert row["所在地区"] == "南京市玄武区"
    assert row["法定代表人"] == "赵法人"
    assert row["检验检测领域"] == "水质"
    assert row["高新技术企业"] == "否"
    assert row["法人类型"] == "企业法人"
    assert row["上市公司"] == "是"
    assert row["信息完整度（%）"] == 85
    assert row["信息确认时间"] == datetime.datetime(2026, 3, 1, 9, 5)
    assert row["信息确认人"] == "机构管理员甲"
    assert certificate.number in row["资质认定证书（编号、状态、有效期）"]
    assert "有效" in row["资质认定证书（编号、状态、有效期）"]
    assert row["机构管理员"] == "机构管理员甲"
    assert row["管理员手机号"] == inst_admin.phone
    assert row["用户数（启用）"] == 1
    flat = " ".join(str(value) for value in row.values())
    assert inst_admin.id_card_number not in flat


def test_the_export_of_a_nanjing_regulator_has_none_of_suzhous_rows(
    client_for, institution, other_institution
):
    InstitutionFactory.create_batch(3, region_code="320505")
    names = {row["机构名称"] for row in as_dicts(sheet_rows(client_for("city_regulator").get(EXPORT_URL)))}
    assert names == {institution.name}
    # Not even when asked for by the Suzhou filter.
    rows = sheet_rows(client_for("city_regulator").get(EXPORT_URL, {"city": "320500"}))
    assert len(rows) == 1


def test_the_export_applies_the_filters_and_search_and_covers_every_page(client_for, monkeypatch):
    monkeypatch.setattr(InstitutionAdmin, "list_per_page", 2)
    confirmed = InstitutionFactory.create_batch(
        5, region_code="320115", info_confirmed_at=timezone.now(), name=factory_name("江宁")
    )
    InstitutionFactory.create_batch(2, region_code="320115")  # not confirmed
    InstitutionFactory(region_code="320102", info_confirmed_at=timezone.now())  # another district
    InstitutionFactory(
        region_code="320115", info_confirmed_at=timezone.now(), status=InstitutionStatus.REVOKED
    )
    client = client_for("city_regulator")
    query = {"district": "320115", "confirmed": "yes", "status__exact": "normal", "q": "江宁", "p": "2"}
    page = client.get(LIST_URL, query)
    assert len(listed(page)) == 2  # the list shows a page ...
    rows = sheet_rows(client.get(EXPORT_URL, query))
    assert {row["机构名称"] for row in as_dicts(rows)} == {
        inst.name for inst in confirmed
    }  # ... the file all


def factory_name(prefix: str):
    import factory

    return factory.Sequence(lambda n: f"{prefix}示例检测有限公司{n}")


def test_an_export_over_the_bound_is_refused_with_a_message(client_for, institution, settings):
    InstitutionFactory(region_code="320115")
    settings.ADMIN_EXCEL_EXPORT_MAX_ROWS = 1
    response = client_for("city_regulator").get(EXPORT_URL, {"status__exact": "normal"})
    assert response.status_code == 302
    assert response.url == f"{LIST_URL}?status__exact=normal"
    texts = [str(message) for message in response.wsgi_request._messages]
    assert any("超过单次导出上限" in text for text in texts)


def test_the_export_is_for_regulators_and_only_by_get(client_for, institution):
    response = client_for("inst_admin").get(EXPORT_URL)
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert client_for("anonymous").get(EXPORT_URL).status_code == 302
    assert client_for("city_regulator").post(EXPORT_URL).status_code == 405


def test_a_bad_filter_value_in_the_export_goes_back_to_the_list(client_for, institution):
    response = client_for("city_regulator").get(EXPORT_URL, {"centers_enabled__exact": "maybe"})
    assert response.status_code == 302
    assert response.url.startswith(LIST_URL)


# --- Query counts ------------------------------------------------------------------------------------------


def make_full_institutions(count: int) -> None:
    for inst in InstitutionFactory.create_batch(count, region_code="320104"):
        inst.fields.create(code="00")
        CertificateFactory.create_batch(2, institution=inst)
        MembershipFactory.create_batch(2, institution=inst, role=MembershipRole.ADMIN)
        MembershipFactory(institution=inst)


@pytest.mark.parametrize("count", [5, 10])
def test_the_export_queries_do_not_grow_with_rows(client_for, count, django_assert_max_num_queries):
    make_full_institutions(count)
    client = client_for("city_regulator")
    with django_assert_max_num_queries(14):
        response = client.get(EXPORT_URL, {"q": "测试"})
        rows = sheet_rows(response)
    assert len(rows) == count + 1
    assert all(row["机构管理员"].count("\n") == 1 for row in as_dicts(rows))


@pytest.mark.parametrize("count", [5, 10])
def test_the_changelist_queries_do_not_grow_with_rows(client_for, count, django_assert_max_num_queries):
    make_full_institutions(count)
    client = client_for("city_regulator")
    with django_assert_max_num_queries(16):
        response = client.get(LIST_URL, {"q": "测试", "confirmed": "no", "district": "320104"})
    assert response.context["cl"].result_count == count
