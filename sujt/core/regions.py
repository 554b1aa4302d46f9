"""Jiangsu's administrative regions and the rule for a regulator's scope.

A region code is 6 digits: 320000 the province, 32XX00 a city, 32XXYY a district of that city.
"""

from .choices import RegionLevel

PROVINCE_CODE = "320000"
PROVINCE_NAME = "江苏省"

CITIES: dict[str, str] = {
    "320100": "南京市",
    "320200": "无锡市",
    "320300": "徐州市",
    "320400": "常州市",
    "320500": "苏州市",
    "320600": "南通市",
    "320700": "连云港市",
    "320800": "淮安市",
    "320900": "盐城市",
    "321000": "扬州市",
    "321100": "镇江市",
    "321200": "泰州市",
    "321300": "宿迁市",
}

CITY_CHOICES = list(CITIES.items())


def city_code_of(region_code: str) -> str:
    return f"{region_code[:4]}00" if region_code else ""


def city_name(region_code: str) -> str:
    return CITIES.get(city_code_of(region_code), "")


def level_of(region_code: str) -> str:
    if region_code == PROVINCE_CODE:
        return RegionLevel.PROVINCE
    if region_code.endswith("00"):
        return RegionLevel.CITY
    return RegionLevel.DISTRICT


def scope_prefix(region_code: str) -> str:
    """The prefix every region code inside `region_code`'s jurisdiction starts with."""
    level = level_of(region_code)
    if level == RegionLevel.PROVINCE:
        return region_code[:2]
    if level == RegionLevel.CITY:
        return region_code[:4]
    return region_code


def region_contains(scope_code: str, region_code: str) -> bool:
    return bool(region_code) and region_code.startswith(scope_prefix(scope_code))
