"""The read-only qualification lists of module 02 (证书, 场所, 能力, 设备, 签字人, 人员) and their exports."""

import datetime
import io
import re
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from institutions.models import Capability, Certificate, Equipment, Personnel, Signatory, Site
from sujt.core.attachments import attachment_create
from sujt.core.choices import AttachmentKind
from sujt.core.dates import add_months
from tests.core.samples import PDF_BYTES, upload
from tests.factories import (
    CapabilityFactory,
    CertificateFactory,
    EquipmentFactory,
    PersonnelFactory,
    SignatoryFactory,
    SiteFactory,
    days_from_today,
)

LISTS = ["certificate", "site", "capability", "equipment", "signatory", "personnel"]
LIST_URLS = [reverse(f"institutions:{name}_list") for name in LISTS]
EXPORT_URLS = [reverse(f"institutions:{name}_export") for name in LISTS]


def sheet_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def data(institution, other_institution):
    """A little of everything for `institution`, and one of each for the other institution."""
    certificate = CertificateFactory(institution=institution, number="211013010001")
    site = SiteFactory(institution=institution, name="玄武实验室")
    CapabilityFactory(
        certificate=certificate, site=site, item="铅", standard="GB 5009.12-2017 食品中铅的测定"
    )
    EquipmentFactory(institution=institution, site=site, name="原子吸收分光光度计")
    SignatoryFactory(institution=institution, site=site, name="王审签")
    PersonnelFactory(institution=institution, name="赵检测")
    foreign_certificate = CertificateFactory(institution=other_institution, number="221013020002")
    foreign_site = SiteFactory(institution=other_institution, name="姑苏实验室")
    CapabilityFactory(certificate=foreign_certificate, site=foreign_site, item="他机构参数")
    EquipmentFactory(institution=other_institution, name="他机构设备")
    SignatoryFactory(institution=other_institution, name="他机构签字人")
    PersonnelFactory(institution=other_institution, name="他机构人员")
    return {"certificate": certificate, "site": site, "foreign_certificate": foreign_certificate}


# --- Permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LIST_URLS + EXPORT_URLS)
@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("inst_staff", 403), ("city_regulator", 404), ("inst_admin", 200)]
)
def test_permission_matrix_of_the_lists_and_exports(client_for, data, url, who, status):
    response = client_for(who).get(url)
    assert response.status_code == status
    if who == "anonymous":
        assert response.url.startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("url", LIST_URLS)
def test_a_staff_member_granted_manage_profile_may_read_the_lists(
    client_for, inst_staff, institution, grant, url
):
    grant(inst_staff, institution, "manage_profile")
    assert client_for("inst_staff").get(url).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 404), ("inst_admin", 200)],
)
def test_certificate_detail_is_only_for_its_institution(client_for, data, who, status):
    url = reverse("institutions:certificate_detail", args=[data["certificate"].pk])
    assert client_for(who).get(url).status_code == status


def test_another_institutions_certificate_is_a_404(client_for, data):
    url = reverse("institutions:certificate_detail", args=[data["foreign_certificate"].pk])
    assert client_for("inst_admin").get(url).status_code == 404


# --- Read-only -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["certificate", "site", "capability", "equipment", "signatory", "personnel"])
@pytest.mark.parametrize("action", ["add", "edit", "delete", "import", "update"])
def test_no_url_writes_qualification_data(name, action):
    with pytest.raises(NoReverseMatch):
        reverse(f"institutions:{name}_{action}")


def _snapshot() -> dict:
    models = [Certificate, Site, Capability, Equipment, Signatory, Personnel]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.mark.parametrize("url", LIST_URLS + EXPORT_URLS)
def test_forged_posts_change_nothing(client_for, data, url):
    before = _snapshot()
    forged = {
        "number": "231013019999",
        "name": "伪造",
        "item": "伪造参数",
        "valid_until": "2099-01-01",
        "status": "valid",
        "pk": data["certificate"].pk,
    }
    response = client_for("inst_admin").post(url, forged)
    assert response.status_code == 405
    assert _snapshot() == before


def test_a_forged_post_to_a_certificate_page_changes_nothing(client_for, data):
    before = _snapshot()
    url = reverse("institutions:certificate_detail", args=[data["certificate"].pk])
    response = client_for("inst_admin").post(url, {"expires_on": "2099-12-31", "status": "valid"})
    assert response.status_code == 405
    assert _snapshot() == before


# --- Certificates --------------------------------------------------------------------------------


def test_certificates_show_derived_fields_and_highlight_expiry(client_for, institution):
    today = timezone.localdate()
    CertificateFactory(institution=institution, number="201013010011", expires_on=days_from_today(-1))
    CertificateFactory(institution=institution, number="211013010012", expires_on=days_from_today(40))
    CertificateFactory(
        institution=institution,
        number="220013010013",
        expires_on=add_months(today, 3) + datetime.timedelta(days=1),
    )
    html = text_of(client_for("inst_admin").get(reverse("institutions:certificate_list")))
    assert re.search(r'<tr class="row-expired">.*?201013010011.*?已过期', html)
    assert re.search(r'<tr class="row-warning">.*?211013010012.*?3个月内到期', html)
    row = re.search(r"<tr>\s*<td class=\"mono\"><a [^>]*>220013010013</a>.*?</tr>", html).group(0)
    assert "到期" not in row and "过期" not in row
    assert "国家认证认可监督管理委员会" in row  # authority 00
    assert "江苏省市场监督管理局" in html  # authority 10
    assert "水质" in row  # field 13
    assert "市场监督管理" in row  # department 01


def test_certificate_filters_by_expiry_and_status_and_number(client_for, institution):
    CertificateFactory(institution=institution, number="201013010021", expires_on=days_from_today(-3))
    CertificateFactory(institution=institution, number="211013010022", expires_on=days_from_today(30))
    CertificateFactory(institution=institution, number="221013010023", status="suspended")
    client = client_for("inst_admin")
    url = reverse("institutions:certificate_list")

    def numbers(**params) -> list[str]:
        return [c.number for c in client.get(url, params).context["rows"]]

    assert numbers(expiry="expired") == ["201013010021"]
    assert numbers(expiry="expiring") == ["211013010022"]
    assert numbers(status="suspended") == ["221013010023"]
    assert numbers(q="0022") == ["211013010022"]
    assert sorted(numbers(expiry="nonsense")) == ["201013010021", "211013010022", "221013010023"]


@pytest.mark.parametrize("owner", ["institution", "certificate"])
def test_the_scan_download_link_serves_the_file_to_members_only(client_for, institution, inst_admin, owner):
    certificate = CertificateFactory(institution=institution)
    scan = attachment_create(
        owner=institution if owner == "institution" else certificate,
        file=upload("证书.pdf", PDF_BYTES),
        kinds=[AttachmentKind.PDF],
        by=inst_admin,
    )
    certificate.scan = scan
    certificate.save()
    client = client_for("inst_admin")
    link = reverse("core:attachment_download", args=[scan.pk])
    for page in [
        reverse("institutions:certificate_list"),
        reverse("institutions:certificate_detail", args=[certificate.pk]),
    ]:
        assert f'href="{link}"' in client.get(page).content.decode()
    assert client.get(link).status_code == 200
    assert client_for("other_inst_admin").get(link).status_code == 404
    assert client_for("anonymous").get(link).status_code in (302, 404)


def test_certificate_detail_shows_the_parsed_number_and_its_capability_count(client_for, data):
    certificate = data["certificate"]
    CapabilityFactory.create_batch(2, certificate=certificate)
    response = client_for("inst_admin").get(reverse("institutions:certificate_detail", args=[certificate.pk]))
    html = text_of(response)
    assert "2021 年" in html
    assert "江苏省市场监督管理局" in html
    assert "水质" in html
    assert "3 项" in html
    assert f"?certificate={certificate.pk}" in html


def test_the_empty_state_explains_where_the_data_comes_from(client_for, institution):
    html = client_for("inst_admin").get(reverse("institutions:certificate_list")).content.decode()
    assert "暂无资质认定证书" in html
    assert "资质认定审批系统" in html


# --- Capabilities --------------------------------------------------------------------------------


@pytest.fixture
def schedule(institution):
    first = CertificateFactory(institution=institution, number="211013010031")
    second = CertificateFactory(institution=institution, number="221013010032")
    lab = SiteFactory(institution=institution, name="理化实验室")
    field = SiteFactory(institution=institution, name="现场检测点")
    CapabilityFactory(
        certificate=first,
        seq=1,
        category="生活饮用水",
        item="铅",
        standard="GB/T 5750.6-2023 金属指标",
        site=lab,
    )
    CapabilityFactory(
        certificate=first,
        seq=2,
        category="生活饮用水",
        item="菌落总数",
        standard="GB/T 5750.12-2023 微生物指标",
        site=lab,
    )
    CapabilityFactory(
        certificate=second,
        seq=1,
        category="食品",
        item="水分",
        standard="GB 5009.3-2016 食品中水分的测定",
        site=field,
    )
    CapabilityFactory(
        certificate=second,
        seq=2,
        category="食品",
        item="铅含量",
        standard="GB 5009.12-2017 食品中铅的测定",
        site=field,
    )
    return {"first": first, "second": second, "lab": lab, "field": field}


def items(client, **params) -> list[str]:
    return [row.item for row in client.get(reverse("institutions:capability_list"), params).context["rows"]]


def test_capabilities_are_found_by_parameter(client_for, schedule):
    client = client_for("inst_admin")
    assert items(client, q="铅", scope="item") == ["铅", "铅含量"]
    assert items(client, q="菌落") == ["菌落总数"]


def test_capabilities_are_found_by_standard_number(client_for, schedule):
    client = client_for("inst_admin")
    assert items(client, q="GB 5009.12", scope="standard") == ["铅含量"]
    assert items(client, q="5750", scope="standard") == ["铅", "菌落总数"]
    assert items(client, q="5750", scope="item") == []
    assert items(client, q="GB 5009.3-2016") == ["水分"]


def test_capabilities_filter_by_certificate_category_and_site(client_for, schedule):
    client = client_for("inst_admin")
    assert items(client, certificate=schedule["second"].pk) == ["水分", "铅含量"]
    assert items(client, category="生活饮用水") == ["铅", "菌落总数"]
    assert items(client, site=schedule["field"].pk, q="铅") == ["铅含量"]
    assert items(client, certificate="not-a-number") == ["铅", "菌落总数", "水分", "铅含量"]


def test_capabilities_of_another_institution_are_never_listed(client_for, schedule, data):
    client = client_for("inst_admin")
    assert "他机构参数" not in items(client)
    assert items(client, certificate=data["foreign_certificate"].pk) == []


def test_the_capability_filters_offer_only_the_institutions_own_choices(client_for, schedule, data):
    context = client_for("inst_admin").get(reverse("institutions:capability_list")).context
    assert {number for _, number in context["certificate_choices"]} == {
        "211013010031",
        "221013010032",
        "211013010001",
    }
    assert "姑苏实验室" not in {name for _, name in context["site_choices"]}
    assert context["category_choices"] == ["生活饮用水", "食品"]


def _make_capabilities(institution, count: int) -> None:
    certificate = Certificate.objects.filter(institution=institution).first() or CertificateFactory(
        institution=institution
    )
    site = SiteFactory(institution=institution)
    start = Capability.objects.filter(institution=institution).count()
    Capability.objects.bulk_create(
        Capability(
            institution=institution,
            certificate=certificate,
            seq=start + i + 1,
            category=f"类别{(start + i) % 7}",
            item=f"参数{start + i}",
            standard=f"GB/T {1000 + start + i}-2020",
            site=site,
        )
        for i in range(count)
    )


def test_the_capability_list_shows_fifty_rows_a_page(client_for, institution):
    _make_capabilities(institution, 120)
    client = client_for("inst_admin")
    first = client.get(reverse("institutions:capability_list"))
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.num_pages == 3
    last = client.get(reverse("institutions:capability_list"), {"page": 3})
    assert [row.item for row in last.context["rows"]][-1] == "参数119"


@pytest.mark.parametrize("rows", [60, 120])
def test_the_capability_list_query_count_is_bounded(
    rows, client_for, institution, django_assert_max_num_queries
):
    _make_capabilities(institution, rows)
    client = client_for("inst_admin")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("institutions:capability_list"), {"q": "参数"})
    assert len(response.context["rows"]) == 50


def test_the_capability_list_query_count_stays_the_same_when_rows_double(client_for, institution):
    client = client_for("inst_admin")
    url = reverse("institutions:capability_list")
    counts = []
    for _ in range(2):
        _make_capabilities(institution, 60)  # 60 rows, then 120
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"page": 2})
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_capability_page_reads_one_page_of_rows_not_all(client_for, institution):
    _make_capabilities(institution, 120)
    with CaptureQueriesContext(connection) as queries:
        client_for("inst_admin").get(reverse("institutions:capability_list"))
    row_queries = [
        q["sql"] for q in queries if 'FROM "institutions_capability"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert row_queries and all("LIMIT 50" in sql for sql in row_queries)


# --- Equipment -----------------------------------------------------------------------------------


@pytest.fixture
def equipment(institution):
    return {
        "expired": EquipmentFactory(
            institution=institution, name="过期天平", valid_until=days_from_today(-1)
        ),
        "today": EquipmentFactory(
            institution=institution, name="今日到期天平", valid_until=days_from_today(0)
        ),
        "soon": EquipmentFactory(institution=institution, name="将到期天平", valid_until=days_from_today(20)),
        "valid": EquipmentFactory(institution=institution, name="有效天平", valid_until=days_from_today(200)),
        "none": EquipmentFactory(
            institution=institution, name="内校天平", valid_until=None, traceability="internal"
        ),
    }


def test_expired_calibration_is_highlighted_in_text_and_colour(client_for, equipment):
    html = text_of(client_for("inst_admin").get(reverse("institutions:equipment_list")))
    assert re.search(
        r'<tr class="row-expired"> <td>过期天平</td>.*?<span class="badge badge-danger">已过期</span>', html
    )
    assert re.search(r'<tr class="row-warning"> <td>将到期天平</td>.*?30天内到期', html)
    valid_row = re.search(r"<tr> <td>有效天平</td>.*?</tr>", html).group(0)
    assert "过期" not in valid_row
    # valid_until == today is still valid today: not expired.
    today_row = re.search(r"<tr[^>]*> <td>今日到期天平</td>.*?</tr>", html).group(0)
    assert "row-expired" not in today_row and "已过期" not in today_row


@pytest.mark.parametrize(
    ("calibration", "names"),
    [
        ("expired", ["过期天平"]),
        ("soon", ["今日到期天平", "将到期天平"]),
        ("valid", ["有效天平"]),
        ("none", ["内校天平"]),
        ("", ["今日到期天平", "内校天平", "将到期天平", "有效天平", "过期天平"]),
    ],
)
def test_equipment_filters_by_calibration_state(client_for, equipment, calibration, names):
    response = client_for("inst_admin").get(
        reverse("institutions:equipment_list"), {"calibration": calibration}
    )
    assert sorted(item.name for item in response.context["rows"]) == sorted(names)


def test_equipment_search_and_traceability_filter(client_for, equipment):
    client = client_for("inst_admin")
    url = reverse("institutions:equipment_list")
    assert [e.name for e in client.get(url, {"traceability": "internal"}).context["rows"]] == ["内校天平"]
    assert [e.name for e in client.get(url, {"q": "将到期"}).context["rows"]] == ["将到期天平"]


# --- Sites, signatories, personnel ----------------------------------------------------------------


def test_sites_search_and_filters(client_for, institution, data):
    SiteFactory(
        institution=institution,
        name="流动检测车",
        site_type="mobile",
        tenure="leased",
        address="江宁区某路1号",
    )
    client = client_for("inst_admin")
    url = reverse("institutions:site_list")
    assert [s.name for s in client.get(url).context["rows"]] == ["流动检测车", "玄武实验室"]
    assert [s.name for s in client.get(url, {"site_type": "mobile"}).context["rows"]] == ["流动检测车"]
    assert [s.name for s in client.get(url, {"tenure": "owned"}).context["rows"]] == ["玄武实验室"]
    assert [s.name for s in client.get(url, {"q": "江宁"}).context["rows"]] == ["流动检测车"]


def test_signatories_search_and_site_filter(client_for, institution, data):
    SignatoryFactory(institution=institution, name="李签发", authorised_fields="建筑材料力学性能")
    client = client_for("inst_admin")
    url = reverse("institutions:signatory_list")
    assert [s.name for s in client.get(url, {"q": "建筑材料"}).context["rows"]] == ["李签发"]
    assert [s.name for s in client.get(url, {"site": data["site"].pk}).context["rows"]] == ["王审签"]


def test_personnel_search_and_filters(client_for, institution, data):
    PersonnelFactory(
        institution=institution, name="钱博士", education="doctorate", department="微生物室", major="微生物学"
    )
    client = client_for("inst_admin")
    url = reverse("institutions:personnel_list")
    response = client.get(url)
    assert [p.name for p in response.context["rows"]] == ["钱博士", "赵检测"]
    assert response.context["department_choices"] == ["微生物室", "理化室"]
    assert [p.name for p in client.get(url, {"education": "doctorate"}).context["rows"]] == ["钱博士"]
    assert [p.name for p in client.get(url, {"department": "理化室"}).context["rows"]] == ["赵检测"]
    assert [p.name for p in client.get(url, {"q": "微生物学"}).context["rows"]] == ["钱博士"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_filtered_empty_lists_say_so(client_for, data, url):
    html = client_for("inst_admin").get(url, {"q": "不存在的内容"}).content.decode()
    assert "没有符合条件的记录" in html
    assert "清除条件" in html


# --- Exports -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "header", "ours", "theirs"),
    [
        ("certificate", "证书编号", "211013010001", "221013020002"),
        ("site", "场所名称", "玄武实验室", "姑苏实验室"),
        ("capability", "产品/项目/参数", "铅", "他机构参数"),
        ("equipment", "设备名称", "原子吸收分光光度计", "他机构设备"),
        ("signatory", "姓名", "王审签", "他机构签字人"),
        ("personnel", "姓名", "赵检测", "他机构人员"),
    ],
)
def test_exports_contain_only_the_current_institutions_rows(client_for, data, name, header, ours, theirs):
    rows = sheet_rows(client_for("inst_admin").get(reverse(f"institutions:{name}_export")))
    assert header in rows[0]
    values = {value for row in rows[1:] for value in row}
    assert ours in values
    assert theirs not in values
    assert len(rows) == 2


def test_the_capability_export_has_the_schedule_columns_and_the_lists_filters(client_for, schedule):
    client = client_for("inst_admin")
    list_page = client.get(reverse("institutions:capability_list"), {"q": "铅", "scope": "item"})
    export_url = list_page.context["export_url"]
    assert "q=" in export_url and "scope=item" in export_url
    rows = sheet_rows(client.get(export_url))
    assert rows[0] == (
        "证书编号",
        "序号",
        "类别",
        "产品/项目/参数",
        "依据的标准（方法）名称及编号（含年号）",
        "限制范围",
        "说明",
        "检验检测场所",
    )
    assert [(row[0], row[1], row[3], row[7]) for row in rows[1:]] == [
        ("211013010031", 1, "铅", "理化实验室"),
        ("221013010032", 2, "铅含量", "现场检测点"),
    ]


def test_the_capability_export_iterates_the_queryset_in_chunks(client_for, institution):
    _make_capabilities(institution, 30)
    original = QuerySet.iterator
    with mock.patch.object(QuerySet, "iterator", autospec=True, side_effect=original) as iterator:
        rows = sheet_rows(client_for("inst_admin").get(reverse("institutions:capability_export")))
    assert len(rows) == 31
    assert iterator.call_args.kwargs["chunk_size"] > 0


def test_the_equipment_export_states_expired_calibration(client_for, equipment):
    rows = sheet_rows(
        client_for("inst_admin").get(reverse("institutions:equipment_export"), {"calibration": "expired"})
    )
    assert rows[0][5] == "检定/校准状态"
    assert [(row[0], row[5]) for row in rows[1:]] == [("过期天平", "已过期")]


def test_the_certificate_export_marks_expiry(client_for, institution):
    CertificateFactory(institution=institution, number="201013010041", expires_on=days_from_today(-5))
    rows = sheet_rows(client_for("inst_admin").get(reverse("institutions:certificate_export")))
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert row["证书编号"] == "201013010041"
    assert row["发证机关"] == "江苏省市场监督管理局"
    assert row["检验检测领域"] == "水质"
    assert row["到期提示"] == "已过期"
    assert isinstance(row["有效期至"], datetime.datetime)


def test_the_export_link_keeps_the_lists_filters(client_for, equipment):
    response = client_for("inst_admin").get(
        reverse("institutions:equipment_list"), {"calibration": "soon", "q": "天平"}
    )
    html = response.content.decode()
    assert (
        f'href="{reverse("institutions:equipment_export")}?q=%E5%A4%A9%E5%B9%B3&amp;calibration=soon"' in html
    )


def test_a_certificate_stored_with_a_malformed_number_still_lists(client_for, institution):
    certificate = CertificateFactory(institution=institution)
    Certificate.objects.filter(pk=certificate.pk).update(number="21101301000X")
    client = client_for("inst_admin")
    for url in (
        reverse("institutions:certificate_list"),
        reverse("institutions:certificate_detail", args=[certificate.pk]),
        reverse("institutions:certificate_export"),
    ):
        assert client.get(url).status_code == 200, url
    rows = sheet_rows(client.get(reverse("institutions:certificate_export")))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["证书编号"], row["发证机关"]) == ("21101301000X", "—")
