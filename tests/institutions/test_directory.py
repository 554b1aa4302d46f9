"""The public institution directory (机构查询): search, city filter, status rule, pagination, privacy."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.choices import InstitutionStatus
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


def _make(n: int) -> None:
    for i in range(n):
        institution = InstitutionFactory(region_code=["320102", "320505", "320205"][i % 3])
        MembershipFactory(institution=institution)


@pytest.mark.parametrize(("url_kind", "most"), [("list", 2), ("search", 2), ("detail", 1)])
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
