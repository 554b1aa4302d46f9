"""The public institution directory (机构查询): search, city filter, status rule, pagination, privacy."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.choices import CertificateStatus, InstitutionStatus
from institutions.models import Certificate, Institution, InstitutionField
from institutions.selectors import public_institutions
from sujt.accounts.choices import MembershipRole
from tests.factories import InstitutionFactory, MembershipFactory

DIRECTORY = reverse("institutions:directory")


def names(response) -> list[str]:
    return re.findall(r'<td><a href="/institutions/\d+/">([^<]+)</a></td>', response.content.decode())


@pytest.fixture
def sample(db):
    return {
        "nanjing": InstitutionFactory(name="金陵精诚检测有限公司", region_code="320102"),
        "nanjing2": InstitutionFactory(name="秦淮环境监测站", region_code="320104"),
        "suzhou": InstitutionFactory(name="姑苏精诚检验有限公司", region_code="320505"),
        "suspended": InstitutionFactory(
            name="锡山暂停检测中心", region_code="320205", status=InstitutionStatus.SUSPENDED
        ),
        "revoked": InstitutionFactory(
            name="已撤销精诚检测所", region_code="320102", status=InstitutionStatus.REVOKED
        ),
        "cancelled": InstitutionFactory(
            name="已注销检测所", region_code="320102", status=InstitutionStatus.CANCELLED
        ),
    }


def test_lists_normal_and_suspended_institutions_with_their_status(client, sample):
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(
        [sample[k].name for k in ("nanjing", "nanjing2", "suzhou", "suspended")]
    )
    html = response.content.decode()
    assert '<span class="badge badge-warning">暂停</span>' in html
    assert '<span class="badge badge-success">正常</span>' in html
    assert "南京市玄武区" in html


def test_search_by_name(client, sample):
    assert sorted(names(client.get(DIRECTORY, {"q": "精诚"}))) == [
        "姑苏精诚检验有限公司",
        "金陵精诚检测有限公司",
    ]


def test_search_by_credit_code_whole_or_leading_part(client, sample):
    uscc = sample["suzhou"].uscc
    assert names(client.get(DIRECTORY, {"q": uscc})) == [sample["suzhou"].name]
    assert names(client.get(DIRECTORY, {"q": uscc.lower()})) == [sample["suzhou"].name]
    assert sample["suzhou"].name in names(client.get(DIRECTORY, {"q": uscc[:8]}))


def test_filter_by_city_includes_its_districts(client, sample):
    assert sorted(names(client.get(DIRECTORY, {"city": "320100"}))) == [
        "秦淮环境监测站",
        "金陵精诚检测有限公司",
    ]
    assert names(client.get(DIRECTORY, {"city": "320500", "q": "精诚"})) == ["姑苏精诚检验有限公司"]


def test_unknown_city_is_ignored(client, sample):
    assert len(names(client.get(DIRECTORY, {"city": "999900"}))) == 4


def test_empty_state_when_nothing_matches(client, sample):
    response = client.get(DIRECTORY, {"q": "不存在的机构"})
    assert names(response) == []
    assert "没有找到符合条件的机构" in response.content.decode()


def test_empty_state_without_any_institution(client, db):
    assert "暂无可查询的机构" in client.get(DIRECTORY).content.decode()


def test_pagination_by_twenty_keeps_the_search(client, db):
    for i in range(25):
        InstitutionFactory(name=f"分页测试检测公司{i:02d}", region_code="320102")
    InstitutionFactory(name="其他城市检测公司", region_code="320505")
    first = client.get(DIRECTORY, {"q": "分页", "city": "320100"})
    assert len(names(first)) == 20
    assert "共 25 条" in first.content.decode()
    assert 'href="?q=%E5%88%86%E9%A1%B5&amp;city=320100&amp;page=2"' in first.content.decode()
    second = client.get(DIRECTORY, {"q": "分页", "city": "320100", "page": 2})
    assert names(second) == [f"分页测试检测公司{i:02d}" for i in range(20, 25)]
    assert names(client.get(DIRECTORY, {"q": "分页", "page": 99})) == names(second)


def test_public_detail_shows_the_public_profile(client, sample):
    institution = sample["suspended"]
    response = client.get(reverse("institutions:public_detail", args=[institution.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert institution.name in html and institution.uscc in html
    assert "无锡市锡山区" in html and "暂停" in html


@pytest.mark.parametrize("key", ["revoked", "cancelled"])
def test_revoked_and_cancelled_institutions_are_not_public(client, sample, key):
    assert client.get(reverse("institutions:public_detail", args=[sample[key].pk])).status_code == 404
    assert sample[key].name not in names(client.get(DIRECTORY, {"q": sample[key].name}))


def test_unknown_institution_is_a_404(client, db):
    assert client.get(reverse("institutions:public_detail", args=[999999])).status_code == 404


def test_no_personal_data_appears(client, sample):
    institution = sample["nanjing"]
    admin = MembershipFactory(institution=institution, role=MembershipRole.ADMIN, user__name="张保密").user
    for url in [DIRECTORY, reverse("institutions:public_detail", args=[institution.pk])]:
        html = client.get(url, {"q": institution.name} if url == DIRECTORY else {}).content.decode()
        assert institution.name in html
        assert admin.name not in html
        assert admin.phone not in html
        assert admin.id_card_number not in html
        assert admin.masked_id_card not in html


def test_selector_matches_the_view(db, sample):
    assert set(public_institutions(q="精诚", city="320100")) == {sample["nanjing"]}
    assert public_institutions().count() == 4


_cma_serial = itertools.count(1)


def _certificate(institution, field: str = "00", **extra) -> Certificate:
    extra.setdefault("issued_on", datetime.date(2023, 5, 1))
    extra.setdefault("expires_on", datetime.date(2029, 4, 30))
    number = f"2310{field}01{next(_cma_serial):04d}"
    return Certificate.objects.create(institution=institution, number=number, **extra)


def _make(n: int) -> None:
    """n institutions, each with a member, two testing fields and a certificate."""
    for i in range(n):
        institution = InstitutionFactory(region_code=["320102", "320505", "320205"][i % 3])
        MembershipFactory(institution=institution)
        for code in ("00", "13"):
            InstitutionField.objects.create(institution=institution, code=code)
        _certificate(institution)


# search: the matching capabilities are read once, grouped per institution, before the institutions'
# query (institutions.selectors.public); detail: the public profile sections (监督检查与行政处罚) add one.
# Each facet other modules declare (05: the credit level; 04: the centers hosted) adds one to each page.
@pytest.mark.parametrize(("url_kind", "most"), [("list", 5), ("search", 6), ("detail", 12)])
def test_directory_queries_do_not_grow_with_the_data(
    client, db, django_assert_max_num_queries, url_kind, most
):
    def url() -> str:
        return {
            "list": DIRECTORY,
            "search": DIRECTORY + "?q=%E6%B5%8B%E8%AF%95&city=320100",
            "detail": reverse("institutions:public_detail", args=[public_institutions().first().pk]),
        }[url_kind]

    _make(15)
    target = url()
    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    _make(45)
    target = url()
    with django_assert_max_num_queries(most), CaptureQueriesContext(connection) as large:
        assert client.get(target).status_code == 200
    assert len(large) == len(small)


# --- ranking, testing-field filter, logo and fields in the list ---------------------------------------------


def _set(institution, **values) -> None:
    Institution.objects.filter(pk=institution.pk).update(**values)


def test_the_most_complete_profiles_come_first_then_by_name(client, sample):
    _set(sample["suzhou"], completeness=80)
    _set(sample["suspended"], completeness=35)
    _set(sample["nanjing2"], completeness=35)
    assert names(client.get(DIRECTORY)) == [
        "姑苏精诚检验有限公司",
        "秦淮环境监测站",
        "锡山暂停检测中心",
        "金陵精诚检测有限公司",
    ]
    assert names(client.get(DIRECTORY, {"q": "精诚"})) == ["姑苏精诚检验有限公司", "金陵精诚检测有限公司"]


def test_filter_by_testing_field(client, sample):
    InstitutionField.objects.create(institution=sample["nanjing"], code="13")
    InstitutionField.objects.create(institution=sample["nanjing"], code="00")
    InstitutionField.objects.create(institution=sample["suzhou"], code="13")
    InstitutionField.objects.create(institution=sample["revoked"], code="13")
    assert sorted(names(client.get(DIRECTORY, {"field": "13"}))) == [
        "姑苏精诚检验有限公司",
        "金陵精诚检测有限公司",
    ]
    assert names(client.get(DIRECTORY, {"field": "00"})) == ["金陵精诚检测有限公司"]
    assert names(client.get(DIRECTORY, {"field": "13", "city": "320500"})) == ["姑苏精诚检验有限公司"]
    assert names(client.get(DIRECTORY, {"field": "05"})) == []
    assert len(names(client.get(DIRECTORY, {"field": "99"}))) == 4  # unknown: ignored
    html = client.get(DIRECTORY, {"field": "13"}).content.decode()
    assert '<option value="13" selected>水质</option>' in html
    assert "没有找到符合条件的机构" in client.get(DIRECTORY, {"field": "05"}).content.decode()


def test_the_list_shows_logo_city_and_fields(client, sample, inst_admin):
    from institutions.services.profile import profile_update
    from tests.core.samples import png_bytes, upload

    institution = profile_update(
        institution=sample["nanjing"],
        by=inst_admin,
        data={"fields": ["00", "13"]},
        logo=upload("logo.png", png_bytes(), "image/png"),
    )
    html = client.get(DIRECTORY, {"q": "金陵精诚"}).content.decode()
    logo = f"{reverse('institutions:logo', args=[institution.pk])}?v={institution.logo_id}"
    assert f'<img class="institution-logo" src="{logo}"' in html
    assert '<span class="tag">食品</span><span class="tag">水质</span>' in html
    assert "南京市玄武区" in html
    assert client.get(logo).status_code == 200


def test_public_detail_shows_the_full_public_profile(client, sample):
    institution = sample["nanjing"]
    _set(
        institution,
        address="南京市玄武区示例路1号",
        postcode="210018",
        phone="025-83456789",
        email="office@jinling-test.example",
        website="https://jinling-test.example",
        established_on=datetime.date(2005, 6, 18),
        legal_person_type="enterprise",
        introduction="专业从事食品和水质检测。",
        business_scope="<p>食品<strong>理化</strong>检验</p>",
    )
    InstitutionField.objects.create(institution=institution, code="13")
    _certificate(institution, field="13", status=CertificateStatus.VALID)
    expired = _certificate(
        institution,
        field="00",
        issued_on=datetime.date(2017, 1, 1),
        expires_on=datetime.date(2023, 1, 1),
        status=CertificateStatus.EXPIRED,
    )
    html = client.get(reverse("institutions:public_detail", args=[institution.pk])).content.decode()
    for text in [
        "南京市玄武区示例路1号",
        "210018",
        "025-83456789",
        "office@jinling-test.example",
        "https://jinling-test.example",
        "2005-06-18",
        "企业法人",
        '<span class="tag">水质</span>',
        "专业从事食品和水质检测。",
        "<p>食品<strong>理化</strong>检验</p>",
        expired.number,
        "2023-01-01",
        "过期",
        "有效",
    ]:
        assert text in html, text


def test_public_detail_never_shows_personal_data(client, sample):
    institution = sample["nanjing"]
    _set(
        institution,
        legal_representative="赵法人",
        contact_person="钱联系",
        contact_phone="13912345678",
        phone="025-83456789",
    )
    html = client.get(reverse("institutions:public_detail", args=[institution.pk])).content.decode()
    assert "025-83456789" in html
    for secret in ["赵法人", "钱联系", "13912345678"]:
        assert secret not in html, secret
    listing = client.get(DIRECTORY, {"q": institution.name}).content.decode()
    for secret in ["赵法人", "钱联系", "13912345678", "025-83456789"]:
        assert secret not in listing, secret


def test_public_detail_without_profile_data_says_so(client, sample):
    html = client.get(reverse("institutions:public_detail", args=[sample["nanjing2"].pk])).content.decode()
    assert "暂无业务范围" in html and "暂无资质认定证书信息" in html and "暂无机构简介" in html
