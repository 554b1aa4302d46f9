"""Who reviews each step of an institution's submission (sujt.accounts.parties, the workflow's resolver)."""

import pytest

from sujt.accounts.parties import review_party_resolver
from sujt.core.workflow import Side
from tests.factories import InstitutionFactory, RegulatorFactory

pytestmark = pytest.mark.django_db


def names(institution, side) -> set[str]:
    return {user.name for user in review_party_resolver(institution=institution, side=side)}


@pytest.fixture
def bureaus(db):
    """Regulators at every level around a 玄武区 (Nanjing) institution, and some elsewhere."""
    RegulatorFactory(region_code="320000", user__name="省局")
    RegulatorFactory(region_code="320100", user__name="南京市局")
    RegulatorFactory(region_code="320102", user__name="玄武区局")
    RegulatorFactory(region_code="320104", user__name="秦淮区局")
    RegulatorFactory(region_code="320500", user__name="苏州市局")
    RegulatorFactory(region_code="320100", user__name="停用的市局账号", is_active=False)
    RegulatorFactory(region_code="320100", user__name="停用的用户", user__is_active=False)


def test_the_city_step_is_the_institutions_city_and_its_own_district(bureaus):
    institution = InstitutionFactory(region_code="320102")
    assert names(institution, Side.CITY) == {"南京市局", "玄武区局"}


def test_an_institution_registered_at_city_level_has_only_the_city_bureau(bureaus):
    assert names(InstitutionFactory(region_code="320100"), Side.CITY) == {"南京市局"}


def test_the_province_step_is_the_province_only(bureaus):
    assert names(InstitutionFactory(region_code="320505"), Side.PROVINCE) == {"省局"}


def test_an_institution_directly_under_the_province_has_its_city_step_reviewed_there(bureaus):
    assert names(InstitutionFactory(region_code="320000"), Side.CITY) == {"省局"}


def test_everyone_over_the_institution_is_still_one_side(bureaus):
    assert names(InstitutionFactory(region_code="320102"), "regulators") == {"省局", "南京市局", "玄武区局"}
