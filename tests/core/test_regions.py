import pytest
from django.core.exceptions import ValidationError

from sujt.core.choices import RegionLevel
from sujt.core.regions import (
    CITIES,
    DISTRICTS,
    REGION_CHOICES,
    SCOPE_CHOICES,
    city_name,
    districts_of,
    level_of,
    region_contains,
    region_name,
    validate_region_code,
    validate_scope_code,
)


def test_every_city_has_its_county_level_regions():
    # Jiangsu: 55 districts, 21 county-level cities and 19 counties.
    assert len(DISTRICTS) == 95
    counts = {code: len(districts_of(code)) for code in CITIES}
    assert counts == {
        "320100": 11, "320200": 7, "320300": 10, "320400": 6, "320500": 9, "320600": 7, "320700": 6,
        "320800": 7, "320900": 9, "321000": 6, "321100": 6, "321200": 6, "321300": 5,
    }  # fmt: skip
    assert all(level_of(code) == RegionLevel.DISTRICT for code in DISTRICTS)
    assert all(code[:4] + "00" in CITIES for code in DISTRICTS)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("320000", "江苏省"),
        ("320100", "南京市"),
        ("320102", "南京市玄武区"),
        ("320302", "徐州市鼓楼区"),  # same district name as Nanjing's, different city
        ("320613", "南通市崇川区"),  # merged with 港闸区 in 2020
        ("320614", "南通市海门区"),
        ("320685", "南通市海安市"),
        ("321324", "宿迁市泗洪县"),
        ("320571", ""),
        ("", ""),
    ],
)
def test_region_name_is_the_full_name(code, name):
    assert region_name(code) == name


def test_region_choices_group_districts_under_their_city_which_is_selectable_too():
    groups = dict(REGION_CHOICES)
    assert list(groups) == list(CITIES.values())
    nanjing = dict(groups["南京市"])
    assert nanjing["320100"] == "南京市"
    assert nanjing["320115"] == "江宁区"
    assert "320505" not in nanjing
    assert SCOPE_CHOICES[0][0] == "320000"


@pytest.mark.parametrize("code", ["320100", "320102", "321324"])
def test_valid_region_codes(code):
    validate_region_code(code)
    validate_scope_code(code)


@pytest.mark.parametrize("code", ["320000", "320103", "310101", "32010", "abcdef", ""])
def test_invalid_region_codes_are_refused(code):
    with pytest.raises(ValidationError):
        validate_region_code(code)


def test_only_the_scope_validator_takes_the_province():
    validate_scope_code("320000")
    with pytest.raises(ValidationError):
        validate_scope_code("310000")


@pytest.mark.parametrize(
    ("scope", "region", "inside"),
    [
        ("320000", "320505", True),
        ("320100", "320102", True),
        ("320100", "320100", True),
        ("320100", "320505", False),
        ("320102", "320102", True),
        ("320102", "320104", False),
        ("320102", "320100", False),
        ("320100", "", False),
    ],
)
def test_region_containment(scope, region, inside):
    assert region_contains(scope, region) is inside


def test_city_name_of_a_county_level_city():
    assert city_name("320583") == "苏州市"
