"""Demo institutions: 30 fictional inspection and testing companies over the 13 cities of Jiangsu.

Institution *i* (1…30) has an admin 138000000NN and a staff member 137000000NN (NN = i, two digits),
both with the password Sujt@Demo2026 and no first-login steps left. Names, people and identifiers are
invented; 统一社会信用代码 and ID card numbers are generated with valid check digits.
Called by `manage.py seed_demo`; existing rows are left as they are, so a second run changes nothing.
"""

from typing import TextIO

from guardian.shortcuts import assign_perm

from sujt.accounts.choices import MembershipRole
from sujt.accounts.demo import DEMO_PASSWORD, demo_id_card, demo_person_name, demo_user_ensure
from sujt.accounts.models import Membership
from sujt.core.choices import TestingField
from sujt.core.regions import CITIES, districts_of
from sujt.core.validators import uscc_check_char

from .models import Institution

INSTITUTION_COUNT = 30
STAFF_PERMISSIONS = ("submit_news", "fill_reports")

# Invented trade names; combined with a city and a field they name no real company.
_TRADE_NAMES = [
    "澄衡", "知微", "青简", "朗析", "溯真", "衡准", "明鉴", "拓谱", "质源", "砚清",
    "睿析", "恒鉴", "禾测", "立衡", "蓝矩", "启证", "云度", "泓准", "正芯", "安衡",
    "谨言", "方圆", "合准", "德测", "锦析", "思源", "诚鉴", "优谱", "航衡", "铭测",
]  # fmt: skip

# How a company of each field ends its name; institution i takes the ((i - 1) mod 12)-th.
_NAME_ENDINGS = {
    TestingField.FOOD: "食品检测技术有限公司",
    TestingField.CONSTRUCTION: "建设工程质量检测有限公司",
    TestingField.ENVIRONMENT: "环境监测技术有限公司",
    TestingField.MOTOR_VEHICLE: "机动车检测有限公司",
    TestingField.ELECTRONICS: "电子产品检测有限公司",
    TestingField.BUILDING_MATERIALS: "建材检验有限公司",
    TestingField.MEDICAL_DEVICES: "医疗器械检验有限公司",
    TestingField.TEXTILES: "纺织品检测有限公司",
    TestingField.WATER: "水质检测有限公司",
    TestingField.CHEMICALS: "化工产品检测有限公司",
    TestingField.MACHINERY: "机械产品检验有限公司",
    TestingField.GENERAL: "检验检测有限公司",
}

# GB 11714 organisation code: 8 characters and a check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def org_code(body: str) -> str:
    remainder = 11 - sum(_ORG_VALUES[c] * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(remainder, str(remainder))


def demo_uscc(*, region_code: str, number: int) -> str:
    """统一社会信用代码 of a company (91) registered in `region_code`, with both check characters valid."""
    body = f"91{region_code}{org_code(f'MA{7310 + number * 37:06d}')}"
    return body + uscc_check_char(body)


def admin_phone(number: int) -> str:
    return f"138000000{number:02d}"


def staff_phone(number: int) -> str:
    return f"137000000{number:02d}"


def demo_institution_spec(number: int) -> dict:
    """What institution `number` (1…30) is: the same every run."""
    cities = list(CITIES.items())
    city_code, city = cities[(number - 1) % len(cities)]
    districts = list(districts_of(city_code)) or [city_code]
    region_code = districts[((number - 1) // len(cities)) % len(districts)]
    endings = list(_NAME_ENDINGS.values())
    return {
        "name": f"{city.removesuffix('市')}{_TRADE_NAMES[number - 1]}{endings[(number - 1) % len(endings)]}",
        "uscc": demo_uscc(region_code=region_code, number=number),
        "region_code": region_code,
        "centers_enabled": number % 7 == 1,
    }


def _institution_ensure(spec: dict) -> tuple[Institution, bool]:
    institution = Institution.objects.filter(uscc=spec["uscc"]).first()
    if institution is not None:
        return institution, False
    institution = Institution(
        name=spec["name"],
        uscc=spec["uscc"],
        region_code=spec["region_code"],
        centers_enabled=spec["centers_enabled"],
    )
    institution.full_clean()
    institution.save()
    return institution, True


def _member_ensure(*, institution: Institution, number: int, role: str) -> str:
    is_admin = role == MembershipRole.ADMIN
    phone = admin_phone(number) if is_admin else staff_phone(number)
    seed = 1000 + number * 2 + (0 if is_admin else 1)
    user, _created = demo_user_ensure(
        phone=phone,
        password=DEMO_PASSWORD,
        name=demo_person_name(seed),
        id_card_number=demo_id_card(region_code=institution.region_code, seed=seed),
    )
    _membership, created = Membership.objects.get_or_create(
        user=user, institution=institution, defaults={"role": role}
    )
    if created and not is_admin:
        for code in STAFF_PERMISSIONS:
            assign_perm(f"institutions.{code}", user, institution)
    return phone


def seed(stdout: TextIO) -> list[tuple[str, str, str, str]]:
    """Creates the demo institutions and their two users each; returns (role, account, password, note)."""
    rows = []
    created = 0
    for number in range(1, INSTITUTION_COUNT + 1):
        institution, new = _institution_ensure(demo_institution_spec(number))
        created += new
        admin = _member_ensure(institution=institution, number=number, role=MembershipRole.ADMIN)
        staff = _member_ensure(institution=institution, number=number, role=MembershipRole.STAFF)
        rows.append(("机构管理员 / 经办人", f"{admin} / {staff}", DEMO_PASSWORD, institution.name))
    stdout.write(
        f"  检验检测机构：新建 {created} 家，共 {INSTITUTION_COUNT} 家（每家一名管理员、一名经办人）\n"
    )
    return rows
