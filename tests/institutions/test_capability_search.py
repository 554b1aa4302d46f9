"""谁能检 (/capabilities/?q=, issue 13 item 2): capability rows across the public institutions."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.choices import InstitutionStatus
from institutions.models import InstitutionField
from institutions.search.services import search_index_update
from institutions.selectors.capability_search import public_capability_rows
from tests.factories import CapabilityFactory, CertificateFactory, InstitutionFactory, SiteFactory

SEARCH = reverse("capabilities:search")


def rows(response) -> list[tuple[str, str]]:
    """(institution, item without marks) of each row of the page."""
    html = response.content.decode()
    found = re.findall(
        r'<td data-label="检验检测机构"><div><a href="/institutions/\d+/">([^<]+)</a>.*?'
        r'<td data-label="产品/项目/参数"><div>(.*?)(?:<span|</div>)',
        html,
        re.S,
    )
    return [(name, re.sub(r"</?mark>", "", item)) for name, item in found]


def _schedule(institution, *items: tuple[str, str], site=None) -> None:
    certificate = CertificateFactory(institution=institution)
    for seq, (item, standard) in enumerate(items, 1):
        CapabilityFactory(
            certificate=certificate, institution=institution, seq=seq, item=item, standard=standard, site=site
        )


@pytest.fixture
def labs(db):
    nanjing = InstitutionFactory(name="金陵食品检验所", region_code="320104", completeness=90)
    InstitutionField.objects.create(institution=nanjing, code="00")
    _schedule(
        nanjing,
        ("食品中铅", "GB 5009.12-2017 食品安全国家标准 食品中铅的测定"),
        ("水分", "GB 5009.3-2016 食品安全国家标准 食品中水分的测定"),
        site=SiteFactory(institution=nanjing, name="江宁实验室"),
    )
    suzhou = InstitutionFactory(name="姑苏环境检测有限公司", region_code="320505", completeness=60)
    InstitutionField.objects.create(institution=suzhou, code="12")
    _schedule(
        suzhou,
        ("土壤 铅", "GB/T 17141-1997 土壤质量 铅、镉的测定 石墨炉原子吸收分光光度法"),
        ("地表水 化学需氧量", "HJ 828-2017 水质 化学需氧量的测定 重铬酸盐法"),
    )
    building = InstitutionFactory(name="江南建材检测有限公司", region_code="320102", completeness=70)
    _schedule(building, ("钢筋 屈服强度", "GB/T 28900-2012 钢筋混凝土用钢材试验方法"))
    revoked = InstitutionFactory(name="已撤销检测所", status=InstitutionStatus.REVOKED)
    _schedule(revoked, ("食品中铅", "GB 5009.12-2017"))
    institutions = [nanjing, suzhou, building, revoked]
    search_index_update(institution_ids=[i.pk for i in institutions])
    return {"nanjing": nanjing, "suzhou": suzhou, "building": building, "revoked": revoked}


def test_rows_of_every_public_institution_that_can_test_it_most_complete_first(client, labs):
    assert rows(client.get(SEARCH, {"q": "铅"})) == [
        ("金陵食品检验所", "食品中铅"),
        ("姑苏环境检测有限公司", "土壤 铅"),
    ]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("GB 5009.12", [("金陵食品检验所", "食品中铅")]),
        ("gb5009.12-2017", [("金陵食品检验所", "食品中铅")]),
        ("水质", [("姑苏环境检测有限公司", "地表水 化学需氧量")]),
        ("钢筋 屈服强度", [("江南建材检测有限公司", "钢筋 屈服强度")]),
        ("钢筋 铅", []),  # every word must match one and the same capability
        ("钛合金", []),
    ],
)
def test_product_parameter_and_standard_number_spellings(client, labs, q, expected):
    assert rows(client.get(SEARCH, {"q": q})) == expected


def test_filters_by_city_and_by_declared_field(client, labs):
    assert rows(client.get(SEARCH, {"q": "铅", "city": "320500"})) == [("姑苏环境检测有限公司", "土壤 铅")]
    assert rows(client.get(SEARCH, {"q": "铅", "field": "00"})) == [("金陵食品检验所", "食品中铅")]
    assert rows(client.get(SEARCH, {"q": "铅", "city": "999999", "field": "zz"})) == rows(
        client.get(SEARCH, {"q": "铅"})
    )  # unknown codes are ignored


def test_a_row_shows_standard_site_certificate_and_region_with_the_match_highlighted(client, labs):
    html = client.get(SEARCH, {"q": "GB 5009.12"}).content.decode()
    assert "<mark>GB 5009.12</mark>-2017 食品安全国家标准" in html
    assert "江宁实验室" in html and "南京市秦淮区" in html
    certificate = labs["nanjing"].certificates.get()
    assert certificate.number in html
    assert "共找到 1 条能力" in html


def test_without_a_query_the_page_asks_what_to_test(client, labs):
    html = client.get(SEARCH).content.decode()
    assert "请输入需要检测的内容" in html and "?q=%E9%92%A2%E7%AD%8B" in html
    assert public_capability_rows(q="  ").count() == 0


def test_nothing_found_says_what_to_try(client, labs):
    html = client.get(SEARCH, {"q": "钛合金"}).content.decode()
    assert "没有找到具备该项能力的机构" in html


def test_withdrawn_capabilities_and_withdrawn_certificates_are_left_out(client, labs):
    nanjing = labs["nanjing"]
    nanjing.capabilities.filter(item="食品中铅").update(withdrawn_at=timezone.now())
    assert rows(client.get(SEARCH, {"q": "铅"})) == [("姑苏环境检测有限公司", "土壤 铅")]
    labs["suzhou"].certificates.update(withdrawn_at=timezone.now())
    assert rows(client.get(SEARCH, {"q": "铅"})) == []


def test_a_capability_text_is_escaped(client, labs):
    _schedule(labs["building"], ("<script>alert(1)</script>钢筋", "GB 1499.2-2018"))
    search_index_update(institution_ids=[labs["building"].pk])
    html = client.get(SEARCH, {"q": "钢筋"}).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_portal_navigation_offers_it(client, labs):
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{SEARCH}"' in html and "谁能检" in html


def test_queries_do_not_grow_with_rows(client, labs, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        assert client.get(SEARCH, {"q": "铅"}).status_code == 200
    for n in range(8):
        lab = InstitutionFactory(name=f"新增检测{n}", region_code="320205")
        _schedule(
            lab,
            ("食品中铅", "GB 5009.12-2017"),
            ("蔬菜中铅", "GB 5009.12-2017"),
            site=SiteFactory(institution=lab),
        )
        search_index_update(institution_ids=[lab.pk])
    # The term's institutions and counts, the matching public institutions in order, the page's rows.
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as large:
        response = client.get(SEARCH, {"q": "铅", "page": "1"})
    assert len(rows(response)) == 18
    assert len(large) == len(small)
