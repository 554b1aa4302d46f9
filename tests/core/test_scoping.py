"""The one region rule: `in_scope` for querysets, used by admin, selectors and file access alike."""

import pytest

from institutions.models import Institution
from sujt.core.scoping import in_scope, regulator_scoped
from tests.factories import InstitutionFactory


@pytest.fixture
def spread(db):
    """Two Nanjing institutions in different districts and one in Suzhou."""
    return {
        "xuanwu": InstitutionFactory(name="玄武示例检测", region_code="320102"),
        "qinhuai": InstitutionFactory(name="秦淮示例检测", region_code="320104"),
        "suzhou": InstitutionFactory(name="姑苏示例检测", region_code="320505"),
    }


def _names(queryset):
    return sorted(queryset.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("320000", ["姑苏示例检测", "玄武示例检测", "秦淮示例检测"]),
        ("320100", ["玄武示例检测", "秦淮示例检测"]),
        ("320102", ["玄武示例检测"]),
        ("320500", ["姑苏示例检测"]),
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
