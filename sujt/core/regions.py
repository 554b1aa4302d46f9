"""Jiangsu's administrative regions and the rule for a regulator's scope.

A region code is 6 digits: 320000 the province, 32XX00 a city, 32XXYY a district of that city.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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

# 县级行政区 (districts, counties and county-level cities) by GB/T 2260, current codes: e.g. 南通市崇川区
# 320613 (2020, merging 崇川/港闸), 海门区 320614, 海安市 320685.
DISTRICTS: dict[str, str] = {
    # 南京市
    "320102": "玄武区",
    "320104": "秦淮区",
    "320105": "建邺区",
    "320106": "鼓楼区",
    "320111": "浦口区",
    "320113": "栖霞区",
    "320114": "雨花台区",
    "320115": "江宁区",
    "320116": "六合区",
    "320117": "溧水区",
    "320118": "高淳区",
    # 无锡市
    "320205": "锡山区",
    "320206": "惠山区",
    "320211": "滨湖区",
    "320213": "梁溪区",
    "320214": "新吴区",
    "320281": "江阴市",
    "320282": "宜兴市",
    # 徐州市
    "320302": "鼓楼区",
    "320303": "云龙区",
    "320305": "贾汪区",
    "320311": "泉山区",
    "320312": "铜山区",
    "320321": "丰县",
    "320322": "沛县",
    "320324": "睢宁县",
    "320381": "新沂市",
    "320382": "邳州市",
    # 常州市
    "320402": "天宁区",
    "320404": "钟楼区",
    "320411": "新北区",
    "320412": "武进区",
    "320413": "金坛区",
    "320481": "溧阳市",
    # 苏州市
    "320505": "虎丘区",
    "320506": "吴中区",
    "320507": "相城区",
    "320508": "姑苏区",
    "320509": "吴江区",
    "320581": "常熟市",
    "320582": "张家港市",
    "320583": "昆山市",
    "320585": "太仓市",
    # 南通市
    "320612": "通州区",
    "320613": "崇川区",
    "320614": "海门区",
    "320623": "如东县",
    "320681": "启东市",
    "320682": "如皋市",
    "320685": "海安市",
    # 连云港市
    "320703": "连云区",
    "320706": "海州区",
    "320707": "赣榆区",
    "320722": "东海县",
    "320723": "灌云县",
    "320724": "灌南县",
    # 淮安市
    "320803": "淮安区",
    "320804": "淮阴区",
    "320812": "清江浦区",
    "320813": "洪泽区",
    "320826": "涟水县",
    "320830": "盱眙县",
    "320831": "金湖县",
    # 盐城市
    "320902": "亭湖区",
    "320903": "盐都区",
    "320904": "大丰区",
    "320921": "响水县",
    "320922": "滨海县",
    "320923": "阜宁县",
    "320924": "射阳县",
    "320925": "建湖县",
    "320981": "东台市",
    # 扬州市
    "321002": "广陵区",
    "321003": "邗江区",
    "321012": "江都区",
    "321023": "宝应县",
    "321081": "仪征市",
    "321084": "高邮市",
    # 镇江市
    "321102": "京口区",
    "321111": "润州区",
    "321112": "丹徒区",
    "321181": "丹阳市",
    "321182": "扬中市",
    "321183": "句容市",
    # 泰州市
    "321202": "海陵区",
    "321203": "高港区",
    "321204": "姜堰区",
    "321281": "兴化市",
    "321282": "靖江市",
    "321283": "泰兴市",
    # 宿迁市
    "321302": "宿城区",
    "321311": "宿豫区",
    "321322": "沭阳县",
    "321323": "泗阳县",
    "321324": "泗洪县",
}


def districts_of(city_code: str) -> dict[str, str]:
    """The county-level regions of one city, in code order."""
    prefix = city_code[:4]
    return {code: name for code, name in DISTRICTS.items() if code.startswith(prefix)}


def region_name(code: str) -> str:
    """Full name of a region code: "江苏省", "南京市", "南京市玄武区"; "" for an unknown code."""
    if code == PROVINCE_CODE:
        return PROVINCE_NAME
    if code in CITIES:
        return CITIES[code]
    if code in DISTRICTS:
        return f"{city_name(code)}{DISTRICTS[code]}"
    return ""


# For a region select: one group per city, the city itself first (an institution's district may be
# unknown), then its districts.
REGION_CHOICES: list[tuple[str, list[tuple[str, str]]]] = [
    (city, [(city_code, city), *districts_of(city_code).items()]) for city_code, city in CITIES.items()
]
# A regulator's jurisdiction may also be the whole province.
SCOPE_CHOICES: list = [(PROVINCE_CODE, f"{PROVINCE_NAME}（全省）"), *REGION_CHOICES]


def is_region_code(code: str) -> bool:
    """A city or county-level code of Jiangsu."""
    return code in CITIES or code in DISTRICTS


def validate_region_code(value: str) -> None:
    """A Jiangsu city or county-level region code (where an institution can be)."""
    if not is_region_code((value or "").strip()):
        raise ValidationError(
            _("“%(value)s”不是江苏省的市或县（区）行政区划代码。"),
            code="region_code",
            params={"value": value},
        )


def validate_scope_code(value: str) -> None:
    """A region a regulator can oversee: the province, a city or a county-level region."""
    if (value or "").strip() != PROVINCE_CODE:
        validate_region_code(value)


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
