"""The one region rule: `in_scope` for querysets, used by admin, selectors and file access alike."""

import pytest

from institutions.models import Institution
from sujt.core.regions import CITIES, DISTRICTS, PROVINCE_CODE
from sujt.core.scoping import in_scope, jurisdictions_over, regulator_scoped, scope_covers
from tests.factories import InstitutionFactory

ALL_CODES = [PROVINCE_CODE, *CITIES, *DISTRICTS]


@pytest.fixture
def spread(db):
    """Two Nanjing institutions in different districts, one registered at Nanjing's city code, one in
    Suzhou and one in 宿迁 (the last city code: the bounds must not spill into a neighbour)."""
    return {
        "xuanwu": InstitutionFactory(name="玄武示例检测", region_code="320102"),
        "qinhuai": InstitutionFactory(name="秦淮示例检测", region_code="320104"),
        "nanjing": InstitutionFactory(name="南京市级示例检测", region_code="320100"),
        "suzhou": InstitutionFactory(name="姑苏示例检测", region_code="320505"),
        "suqian": InstitutionFactory(name="宿城示例检测", region_code="321302"),
    }


def _names(queryset):
    return sorted(queryset.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("320000", ["南京市级示例检测", "姑苏示例检测", "宿城示例检测", "玄武示例检测", "秦淮示例检测"]),
        ("320100", ["南京市级示例检测", "玄武示例检测", "秦淮示例检测"]),
        ("320102", ["玄武示例检测"]),
        ("320500", ["姑苏示例检测"]),
        ("321300", ["宿城示例检测"]),
        ("321200", []),
        (None, []),
    ],
)
def test_in_scope_keeps_the_rows_inside_the_jurisdiction(spread, scope, expected):
    assert _names(in_scope(Institution.objects.all(), scope, "region_code")) == expected


def test_in_scope_follows_a_lookup_path(spread, inst_admin, institution):
    from sujt.accounts.models import Membership

    memberships = Membership.objects.all()
    assert (
        in_scope(memberships, "320100", "institution__region_code").count()
        == memberships.filter(institution__region_code__startswith="3201").count()
    )
    assert not in_scope(memberships, "320500", "institution__region_code").filter(institution=institution)


def test_regulator_scoped_reads_the_scope_off_the_user(
    spread, city_regulator, province_regulator, inst_admin
):
    everyone = Institution.objects.all()
    nanjing = regulator_scoped(everyone, user=city_regulator, region_field="region_code")
    assert set(nanjing) == set(everyone.filter(region_code__startswith="3201"))
    assert spread["suzhou"] not in nanjing
    assert (
        regulator_scoped(everyone, user=province_regulator, region_field="region_code").count()
        == everyone.count()
    )
    assert not regulator_scoped(everyone, user=inst_admin, region_field="region_code").exists()


def test_one_code_and_a_queryset_follow_the_same_rule(spread):
    for scope in ALL_CODES:
        listed = set(in_scope(Institution.objects.all(), scope, "region_code"))
        assert listed == {inst for inst in spread.values() if scope_covers(scope, inst.region_code)}, scope


def test_scope_covers_the_codes_of_the_jurisdiction_only():
    assert scope_covers("320000", "321302")
    assert scope_covers("320100", "320100") and scope_covers("320100", "320115")
    assert not scope_covers("320100", "320205")
    assert scope_covers("320102", "320102") and not scope_covers("320102", "320104")
    assert not scope_covers("320102", "320100")  # a district does not oversee its city
    assert not scope_covers(None, "320102")
    assert not scope_covers("320000", "")


@pytest.mark.parametrize("region_code", [*CITIES, *DISTRICTS])
def test_jurisdictions_over_a_code_are_exactly_the_scopes_that_cover_it(region_code):
    assert jurisdictions_over(region_code) == {
        scope for scope in ALL_CODES if scope_covers(scope, region_code)
    }


def test_no_jurisdiction_holds_an_empty_code():
    assert jurisdictions_over("") == set()
