"""Demo institutions: 30 fictional inspection and testing companies over the 13 cities of Jiangsu.

Institution *i* (1…30) has an admin 138000000NN and a staff member 137000000NN (NN = i, two digits),
both with the password Sujt@Demo2026 and no first-login steps left. Names, people and identifiers are
invented; 统一社会信用代码 and ID card numbers are generated with valid check digits.

Each institution also gets its module-02 data (issue 3 item 9): complete basic info, 完善信息 for about
two thirds of them (the rest partly or wholly empty, so completeness varies), CMA certificates with valid
numbers (most issued by Jiangsu, a few national; one expiring within 3 months, one within 6, one
expired), sites, 20–300 capabilities citing real standard numbers, equipment (some calibrations
expired), authorised signatories, personnel, some intellectual property, a few error reports in
different review states, and its completeness score. Word lists and standards are in demo_data.py.
Everything is generated from fixed seeds (dates relative to today), so a run gives the same data.

Called by `manage.py seed_demo`. Each part is created only when the institution has none of it yet
(basic info: no address; 完善信息: every field still empty; certificates, sites, … : no rows), so a
second run creates nothing and changes nothing, and what a visitor changed is left alone.
"""

import datetime
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone
from guardian.shortcuts import assign_perm
from PIL import Image, ImageDraw, ImageFont
from simple_history.utils import bulk_create_with_history

from sujt.accounts.choices import MembershipRole
from sujt.accounts.demo import (
    DEMO_PASSWORD,
    city_regulator_phone,
    demo_id_card,
    demo_person_name,
    demo_user_ensure,
)
from sujt.accounts.models import Invitation, Membership, User
from sujt.accounts.services import INVITATION_VALID_DAYS
from sujt.core.audit import current_actor
from sujt.core.choices import ReviewStatus, TestingField
from sujt.core.regions import CITIES, city_code_of, districts_of, region_name
from sujt.core.validators import JIANGSU_AUTHORITY, uscc_check_char
from sujt.core.workflow import review_approve, review_return

from . import demo_data as data
from .choices import (
    CertificateStatus,
    Education,
    ErrorItemType,
    Gender,
    InvestorType,
    LegalPersonType,
    ListedMarket,
    OwnershipStructure,
    PatentType,
    SiteTenure,
    SiteType,
    Traceability,
    UnitType,
)
from .models import (
    Capability,
    Certificate,
    Equipment,
    ErrorReport,
    Institution,
    Patent,
    Personnel,
    Signatory,
    Site,
    SoftwareCopyright,
    Trademark,
)
from .services.completeness import completeness_recalculate
from .services.confirmation import error_report_submit, institution_info_confirm
from .services.profile import PROFILE_FIELDS, profile_update

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


def demo_field(number: int) -> str:
    """The testing field of institution `number` (the one its name ends with)."""
    fields = list(_NAME_ENDINGS)
    return fields[(number - 1) % len(fields)]


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
    demos: list[_Demo] = []
    created = 0
    for number in range(1, INSTITUTION_COUNT + 1):
        institution, new = _institution_ensure(demo_institution_spec(number))
        created += new
        admin = _member_ensure(institution=institution, number=number, role=MembershipRole.ADMIN)
        staff = _member_ensure(institution=institution, number=number, role=MembershipRole.STAFF)
        rows.append(("机构管理员 / 经办人", f"{admin} / {staff}", DEMO_PASSWORD, institution.name))
        demos.append(_Demo(number=number, institution=institution))
    stdout.write(
        f"  检验检测机构：新建 {created} 家，共 {INSTITUTION_COUNT} 家（每家一名管理员、一名经办人）\n"
    )
    profile_seed(demos, stdout)
    _shared_accounts_seed(stdout)
    rows.extend(sync_seed(stdout))
    # The demo writes capabilities in bulk, without the sync: their search rows are built here.
    from .search.services import search_index_update

    search_index_update(institution_ids=[d.institution.pk for d in demos])
    return rows


def _shared_accounts_seed(stdout: TextIO) -> None:
    """An account shared by two institutions and a pending invitation, so that user management shows why
    a password is not reset here and how an existing account is invited (issue 10)."""
    first, second, fourth = (
        Institution.objects.get(uscc=demo_institution_spec(n)["uscc"]) for n in (1, 2, 4)
    )
    shared = User.objects.get(phone=admin_phone(3))
    Membership.objects.get_or_create(user=shared, institution=fourth, defaults={"role": MembershipRole.STAFF})
    invited = User.objects.get(phone=staff_phone(1))
    if not Invitation.objects.filter(user=invited, institution=second).exists():
        now = timezone.now()
        Invitation.objects.create(
            institution=second,
            user=invited,
            role=MembershipRole.STAFF,
            perms=["submit_news"],
            created_by=User.objects.get(phone=admin_phone(2)),
            created_at=now,
            expires_at=now + datetime.timedelta(days=INVITATION_VALID_DAYS),
        )
    stdout.write(
        f"  账号归属：{admin_phone(3)} 同时在第3、4家机构任职；{first.name}的经办人 {staff_phone(1)} "
        f"收到{second.name}的加入邀请\n"
    )


# --- Qualification sync: a few institutions arrive the way production ones do ----------------------------

SYNC_DEMO_FILE = "sujt-demo-qualification-sync.json"
SYNC_DEMO_SEED = 2026
# Generated records 901–905 of the fake approval system: their contact phones (13955500901…) are far from
# the demo institutions' own numbers.
SYNC_DEMO_INDEXES = range(900, 905)


def sync_seed(stdout: TextIO) -> list[tuple[str, str, str, str]]:
    """Imports five institutions from a file in the approval system's format, through the real sync.

    Regulators then see a SyncRun in admin, the institutions carry source ids and a first admin account
    (temporary password by SMS, must change it), as after a nightly sync. Runs once: later seeds skip it.
    """
    import json
    import tempfile
    from pathlib import Path

    from .models import SyncRun
    from .sync.fake_server import generate_institution
    from .sync.services import sync_qualifications

    if SyncRun.objects.filter(source=SYNC_DEMO_FILE).exists():
        stdout.write("  资质认定同步：演示导入已存在，跳过\n")
        return []
    records = [
        generate_institution(seed=SYNC_DEMO_SEED, index=index, capabilities=30) for index in SYNC_DEMO_INDEXES
    ]
    path = Path(tempfile.gettempdir()) / SYNC_DEMO_FILE
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    try:
        run = sync_qualifications(mode="file", file=str(path))
    finally:
        path.unlink(missing_ok=True)
    stdout.write(
        f"  资质认定同步：从文件导入 {run.created} 家机构（{run.get_status_display()}，"
        f"新建账号 {run.accounts_created} 个，临时密码已通过短信发送器发出）\n"
    )
    return [
        ("同步机构管理员", record["contact_phone"], "见短信（首次登录须修改）", record["name"])
        for record in records
    ]


# --- Module 02: profile, qualification data, intellectual property, error reports ---------------------

# Special certificate dates, in days from today: a valid certificate of institution 1 expiring within
# 3 months (its renewal deadline has passed), 2 within 6 months, 5 within a month; institution 3 holds
# an expired certificate beside the one that replaced it.
EXPIRING_IN_DAYS = {1: 75, 2: 150, 5: 20}
EXPIRED_DAYS_AGO = {3: 200}
NATIONAL_CERTIFICATES = {7, 20, 25}  # issued by 国家认监委 (authority 00), the rest by Jiangsu (10)
# Listed companies: market and a stock code chosen outside the ranges assigned so far (fictional).
LISTED = {
    5: (ListedMarket.SSE_MAIN, "605991"),
    11: (ListedMarket.CHINEXT, "301992"),
    22: (ListedMarket.SZSE_MAIN, "003993"),
}
CAPABILITIES_MIN, CAPABILITIES_MAX = 20, 300
BULK_BATCH = 500


# The error reports of the demo, by institution number: what the report is about (an item type with a
# filter choosing the item, or the label of a basic-info field), what is wrong, and the regulator's
# decision with its comment (SUBMITTED: not decided yet).
@dataclass(frozen=True)
class _ErrorReportPlan:
    item_type: str
    item_filter: dict[str, str] | None
    label: str
    description: str
    decision: str
    comment: str = ""


ERROR_REPORTS: dict[int, list[_ErrorReportPlan]] = {
    1: [
        _ErrorReportPlan(
            ErrorItemType.CAPABILITY,
            {},
            "",
            "本机构已于去年完成该项目依据标准的变更确认，能力附表中仍为变更前的标准，请核实后更新。",
            ReviewStatus.RETURNED,
            "请补充标准变更的确认材料（变更审批表或资质认定决定书）后重新提交。",
        ),
        _ErrorReportPlan(
            ErrorItemType.PERSONNEL,
            {"title": "工程师"},
            "",
            "该人员已取得高级工程师职称，系统中显示的职称有误，附职称证书复印件。",
            ReviewStatus.SUBMITTED,
        ),
    ],
    14: [
        _ErrorReportPlan(
            ErrorItemType.BASIC,
            None,
            "机构电话",
            "机构联系电话已变更，系统中为旧号码，附变更后的营业执照及说明。",
            ReviewStatus.APPROVED,
            "已核实，已通知资质认定审批系统同步更新机构联系电话。",
        ),
    ],
}


@dataclass(frozen=True)
class _Demo:
    number: int
    institution: Institution

    @property
    def field(self) -> str:
        return demo_field(self.number)

    @property
    def trade(self) -> str:
        return _TRADE_NAMES[self.number - 1]

    @property
    def pinyin(self) -> str:
        return data.TRADE_PINYIN[self.trade]

    @property
    def second_field(self) -> str | None:
        """The field of its second certificate, for every fourth institution."""
        return data.SECOND_FIELD[self.field] if self.number % 4 == 1 else None

    @property
    def fields(self) -> list[str]:
        return [self.field, *([self.second_field] if self.second_field else [])]

    @property
    def tier(self) -> str:
        """How much of 完善信息 it fills: "full" (two thirds), "partial" or "empty"."""
        if self.number % 3:
            return "full"
        return "empty" if self.number % 9 == 0 else "partial"

    @property
    def confirms(self) -> bool:
        """Whether its admin confirms the synced information (never a motor-vehicle institution, whose
        confirmation waits for the approval system's motor-vehicle module)."""
        return self.tier == "full" and self.number % 4 != 0 and self.field != TestingField.MOTOR_VEHICLE

    @property
    def has_software(self) -> bool:
        return self.number % 2 == 1 or self.number % 5 == 0

    @property
    def has_patents(self) -> bool:
        return self.number % 3 == 1

    @property
    def has_trademarks(self) -> bool:
        return self.number % 4 == 2

    def rng(self, part: str) -> random.Random:
        # One generator per part, so changing one part does not shift the others.
        return random.Random(f"sujt-demo-02-{self.number}-{part}")


def _today() -> datetime.date:
    return timezone.localdate()


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _random_date(rng: random.Random, year: int) -> datetime.date:
    return datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))


def _person_name(rng: random.Random, gender: str) -> str:
    given = data.GIVEN_MALE if gender == Gender.MALE else data.GIVEN_FEMALE
    length = 1 if rng.random() < 0.3 else 2
    return rng.choice(data.SURNAMES) + "".join(rng.choice(given) for _ in range(length))


def _checked(obj: Model, *relations: str) -> Model:
    """Field validators and `clean()` of a row about to be bulk-created (relations are set by us)."""
    obj.full_clean(exclude=list(relations), validate_unique=False, validate_constraints=False)
    return obj


def _bulk(model: type[Model], objs: list[Model]) -> list[Model]:
    if not objs:
        return []
    return bulk_create_with_history(objs, model, batch_size=BULK_BATCH, default_user=current_actor())


def _missing(model: type[Model], demos: Iterable[_Demo]) -> list[_Demo]:
    """The demo institutions without any row of `model`."""
    demos = list(demos)
    having = set(
        model._default_manager.filter(institution_id__in=[d.institution.pk for d in demos])
        .values_list("institution_id", flat=True)
        .distinct()
    )
    return [d for d in demos if d.institution.pk not in having]


# --- Generated images ---------------------------------------------------------------------------------


def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _png(image: Image.Image, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _certificate_png(*, demo: _Demo, obtained_on: datetime.date) -> SimpleUploadedFile:
    """A scan-like image of a high-tech enterprise certificate, marked as a demo sample."""
    image = Image.new("RGB", (900, 620), (252, 248, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((18, 18, 881, 601), outline=(176, 132, 52), width=8)
    draw.rectangle((36, 36, 863, 583), outline=(176, 132, 52), width=2)
    draw.text(
        (450, 110), "HIGH AND NEW TECHNOLOGY ENTERPRISE", fill=(150, 30, 30), font=_font(34), anchor="mm"
    )
    draw.text((450, 170), "CERTIFICATE", fill=(150, 30, 30), font=_font(30), anchor="mm")
    serial = demo.rng("high-tech").randint(1000, 9999)
    lines = [
        f"{demo.pinyin.upper()} TESTING CO., LTD.",
        f"No. GR{obtained_on.year}32{serial:06d}",
        f"Issued on {obtained_on:%Y-%m-%d}, valid for three years",
    ]
    for index, line in enumerate(lines):
        draw.text((450, 270 + index * 52), line, fill=(40, 40, 40), font=_font(26), anchor="mm")
    draw.ellipse((640, 400, 800, 560), outline=(200, 30, 30), width=6)
    draw.text((720, 480), "SEAL", fill=(200, 30, 30), font=_font(28), anchor="mm")
    draw.text((60, 560), "Demo sample - fictional", fill=(120, 120, 120), font=_font(18))
    return _png(image, f"高新技术企业证书-{demo.pinyin}.png")


def _logo_png(demo: _Demo) -> SimpleUploadedFile:
    rng = demo.rng("logo")
    colour = (rng.randint(20, 120), rng.randint(60, 150), rng.randint(120, 200))
    image = Image.new("RGB", (240, 240), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((12, 12, 228, 228), fill=colour)
    draw.ellipse((40, 40, 200, 200), outline=(255, 255, 255), width=6)
    draw.text((120, 120), demo.pinyin[:2].upper(), fill=(255, 255, 255), font=_font(72), anchor="mm")
    return _png(image, f"logo-{demo.pinyin}.png")


def _evidence_png(*, demo: _Demo, title: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (800, 520), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 789, 509), outline=(90, 90, 90), width=3)
    draw.text((400, 60), title, fill=(30, 30, 30), font=_font(30), anchor="mm")
    rng = demo.rng(f"evidence-{title}")
    for row in range(9):
        width = rng.randint(360, 680)
        draw.rectangle((60, 120 + row * 40, 60 + width, 132 + row * 40), fill=(200, 200, 200))
    draw.text((60, 480), "Demo sample - fictional", fill=(120, 120, 120), font=_font(16))
    return _png(image, f"证明材料-{demo.pinyin}.png")


# --- Basic info (as synced from the approval system) --------------------------------------------------


def _address(rng: random.Random, region_code: str) -> str:
    road = rng.choice(data.ROADS)
    text = f"{region_name(region_code)}{road}{rng.randint(1, 399)}号"
    if rng.random() < 0.5:
        text += f"{rng.choice(data.PARKS)}{rng.randint(1, 12)}栋"
    return text


def _introduction(demo: _Demo, established: datetime.date, rng: random.Random) -> str:
    clients, services = data.FIELD_SERVICES[demo.field]
    label = TestingField(demo.field).label
    return (
        f"{demo.institution.name}成立于{established.year}年，位于{region_name(demo.institution.region_code)}，"
        f"是一家从事{label}领域检验检测的第三方机构，已取得检验检测机构资质认定证书（CMA）。"
        f"机构主要为{clients}提供{'、'.join(services)}等服务。"
        f"机构坚持“{rng.choice(data.QUALITY_POLICIES)}”的质量方针，按照 RB/T 214-2017《检验检测机构资质认定"
        "能力评价 检验检测机构通用要求》建立并运行管理体系，出具的检验检测报告客观、准确、可追溯。"
    )


def _basic_info_fill(demo: _Demo) -> bool:
    institution = demo.institution
    if institution.address:
        return False
    rng = demo.rng("basic")
    city = city_code_of(institution.region_code)
    established = _random_date(rng, rng.randint(1998, 2016))
    institution.legal_representative = _person_name(rng, rng.choice(Gender.values))
    institution.address = _address(rng, institution.region_code)
    institution.postcode = f"{data.CITY_POSTCODES[city]}{rng.randint(0, 99):02d}"
    institution.phone = f"{data.CITY_AREA_CODES[city]}-8555{demo.number:04d}"
    institution.email = f"service@{demo.pinyin}.example.cn"
    institution.website = f"https://www.{demo.pinyin}.example.cn"
    institution.contact_person = _person_name(rng, rng.choice(Gender.values))
    institution.contact_phone = f"13955500{demo.number:03d}"
    institution.established_on = established
    institution.is_independent_legal_person = True
    institution.introduction = _introduction(demo, established, rng)
    institution.full_clean()
    institution.save()
    return True


# --- Sites ----------------------------------------------------------------------------------------------

_EXTRA_SITES = {
    TestingField.ENVIRONMENT: ("环境监测车", SiteType.MOBILE),
    TestingField.WATER: ("水质移动实验室", SiteType.MOBILE),
    TestingField.MOTOR_VEHICLE: ("移动检测车", SiteType.MOBILE),
    TestingField.CONSTRUCTION: ("工地现场实验室", SiteType.TEMPORARY),
}


def _area(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


def _sites_build(demo: _Demo) -> list[Site]:
    rng = demo.rng("sites")
    institution = demo.institution
    count = 1 + (rng.random() < 0.55) + (rng.random() < 0.25)
    sites = [
        Site(
            institution=institution,
            name="本部实验室",
            address=institution.address,
            site_type=SiteType.FIXED,
            area=_area(rng, 800, 6000),
            tenure=SiteTenure.OWNED if rng.random() < 0.6 else SiteTenure.LEASED,
        )
    ]
    if count >= 2:
        # A branch in another district of the same city where there is one.
        districts = [
            code
            for code in districts_of(city_code_of(institution.region_code))
            if code != institution.region_code
        ]
        district = rng.choice(districts or [institution.region_code])
        sites.append(
            Site(
                institution=institution,
                name=f"{_district_name(district)}分实验室",
                address=_address(rng, district),
                site_type=SiteType.MULTIPLE,
                area=_area(rng, 300, 2500),
                tenure=SiteTenure.LEASED,
            )
        )
    if count >= 3:
        name, site_type = _EXTRA_SITES.get(demo.field, ("现场检测点", SiteType.TEMPORARY))
        mobile = site_type == SiteType.MOBILE
        sites.append(
            Site(
                institution=institution,
                name=name,
                address="随车移动，停放于本部实验室" if mobile else _address(rng, institution.region_code),
                site_type=site_type,
                area=_area(rng, 15, 40) if mobile else _area(rng, 60, 300),
                tenure=SiteTenure.OWNED if mobile else SiteTenure.LEASED,
            )
        )
    return [_checked(site, "institution") for site in sites]


def _district_name(region_code: str) -> str:
    """The district part of a region name: 玄武区 of 南京市玄武区."""
    full = region_name(region_code)
    city = region_name(city_code_of(region_code))
    return full.removeprefix(city) or city


# --- Certificates and capabilities ----------------------------------------------------------------------


def _certificate_number(*, issued: datetime.date, authority: str, field: str, serial: int) -> str:
    department = data.DEPARTMENT_OF_FIELD[field]
    return f"{issued.year % 100:02d}{authority}{field}{department}{serial:04d}"


def _dates_expiring(expires: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(issued, expires): valid 6 years, to the day before the sixth anniversary."""
    return _years_later(expires + datetime.timedelta(days=1), -6), expires


def _certificates_build(demo: _Demo, taken: set[str]) -> list[Certificate]:
    rng = demo.rng("certificates")
    today = _today()
    authority = "00" if demo.number in NATIONAL_CERTIFICATES else JIANGSU_AUTHORITY
    plans: list[tuple[str, str, datetime.date, str]] = []  # (field, authority, expires, status)
    if demo.number in EXPIRED_DAYS_AGO:
        old_expiry = today - datetime.timedelta(days=EXPIRED_DAYS_AGO[demo.number])
        plans.append((demo.field, authority, old_expiry, CertificateStatus.EXPIRED))
        # Its renewal was issued shortly before the old one expired.
        renewed = old_expiry - datetime.timedelta(days=rng.randint(30, 80))
        plans.append(
            (
                demo.field,
                authority,
                _years_later(renewed, 6) - datetime.timedelta(days=1),
                CertificateStatus.VALID,
            )
        )
    else:
        days = EXPIRING_IN_DAYS.get(demo.number) or rng.randint(200, 6 * 365 - 30)
        plans.append((demo.field, authority, today + datetime.timedelta(days=days), CertificateStatus.VALID))
    if demo.second_field:
        days = rng.randint(200, 6 * 365 - 30)
        plans.append(
            (
                demo.second_field,
                JIANGSU_AUTHORITY,
                today + datetime.timedelta(days=days),
                CertificateStatus.VALID,
            )
        )
    certificates = []
    for field, issuer, expires, status in plans:
        issued, expires = _dates_expiring(expires)
        serial = rng.randint(1, 9999)
        number = _certificate_number(issued=issued, authority=issuer, field=field, serial=serial)
        while number in taken:
            serial = serial % 9999 + 1
            number = _certificate_number(issued=issued, authority=issuer, field=field, serial=serial)
        taken.add(number)
        certificate = Certificate(
            institution=demo.institution,
            number=number,
            issued_on=issued,
            expires_on=expires,
            status=status,
        )
        certificate.derive_from_number()  # bulk_create does not call save()
        certificates.append(_checked(certificate, "institution", "scan"))
    return certificates


def _capabilities_build(demo: _Demo, certificates: list[Certificate], sites: list[Site]) -> list[Capability]:
    rng = demo.rng("capabilities")
    current = [c for c in certificates if c.status == CertificateStatus.VALID]
    pools = [data.capability_pool(c.field_code) for c in current]
    target = rng.randint(CAPABILITIES_MIN, CAPABILITIES_MAX)
    # The first certificate carries most of the schedule, a second one the rest.
    shares = [round(target * 0.7), target - round(target * 0.7)] if len(current) > 1 else [target]
    rows: list[Capability] = []
    for certificate, pool, share in zip(current, pools, shares, strict=True):
        chosen = sorted(rng.sample(range(len(pool)), min(share, len(pool))))
        for seq, index in enumerate(chosen, start=1):
            category, item, standard, limitation = pool[index]
            note = ""
            roll = rng.random()
            if roll < 0.06:
                note = f"{rng.randint(max(certificate.issued_on.year, 2016), _today().year)}年扩项"
            elif roll < 0.09:
                note = "标准变更"
            site = sites[0] if len(sites) == 1 or rng.random() < 0.85 else rng.choice(sites[1:])
            rows.append(
                Capability(
                    institution=demo.institution,
                    certificate=certificate,
                    seq=seq,
                    category=category,
                    item=item,
                    standard=standard,
                    limitation=limitation if limitation and rng.random() < 0.6 else "",
                    note=note,
                    site=site,
                )
            )
    if len(rows) < CAPABILITIES_MIN:
        raise ValueError(f"demo institution {demo.number}: only {len(rows)} capabilities available")
    return [_checked(row, "institution", "certificate", "site") for row in rows[:CAPABILITIES_MAX]]


# --- Equipment, personnel, signatories ------------------------------------------------------------------


def _equipment_build(demo: _Demo, sites: list[Site]) -> list[Equipment]:
    rng = demo.rng("equipment")
    today = _today()
    pool = [instrument for field in demo.fields for instrument in data.EQUIPMENT[field]]
    pool += data.COMMON_EQUIPMENT
    rng.shuffle(pool)
    count = rng.randint(5, 40)
    # About one in ten has its calibration expired (at least one each), so the list has something to flag.
    expired = set(rng.sample(range(count), max(1, round(count * 0.1))))
    rows = []
    for index in range(count):
        name, model_spec, measuring_range, traceability = pool[index % len(pool)]
        if index in expired:
            valid_until = today - datetime.timedelta(days=rng.randint(5, 240))
        elif traceability == Traceability.INTERNAL and rng.random() < 0.3:
            valid_until = None
        else:
            valid_until = today + datetime.timedelta(days=rng.randint(15, 365))
        rows.append(
            Equipment(
                institution=demo.institution,
                name=name,
                model_spec=model_spec,
                measuring_range=measuring_range,
                traceability=traceability,
                valid_until=valid_until,
                site=sites[0] if rng.random() < 0.8 else rng.choice(sites),
            )
        )
    return [_checked(row, "institution", "site") for row in rows]


def _personnel_build(demo: _Demo) -> list[Personnel]:
    """5–30 people; the first four hold the key positions (and may sign reports)."""
    rng = demo.rng("personnel")
    this_year = _today().year
    labs = data.LAB_DEPARTMENTS[demo.field]
    count = rng.randint(5, 30)
    names: set[str] = set()
    people = []
    for index in range(count):
        gender = Gender.MALE if rng.random() < 0.55 else Gender.FEMALE
        name = _person_name(rng, gender)
        while name in names:
            name = _person_name(rng, gender)
        names.add(name)
        if index < len(data.KEY_POSITIONS):
            position = data.KEY_POSITIONS[index]
            birth_year = rng.randint(1966, 1988)
            title = rng.choice(data.SENIOR_TITLES) if index < 2 else rng.choice(("高级工程师", "工程师"))
            education = rng.choice(
                (Education.DOCTORATE, Education.MASTER, Education.MASTER, Education.BACHELOR)
            )
            department = data.OFFICE_DEPARTMENTS[0] if position == "质量负责人" else rng.choice(labs)
        else:
            position = rng.choice(data.POSITIONS)
            birth_year = rng.randint(1970, 2001)
            title = rng.choice(data.TITLES[1:] if this_year - birth_year < 35 else data.TITLES)
            education = rng.choice(
                (
                    Education.MASTER,
                    Education.BACHELOR,
                    Education.BACHELOR,
                    Education.COLLEGE,
                    Education.SECONDARY,
                )
            )
            department = (
                data.OFFICE_DEPARTMENTS[0]
                if position in ("内审员", "监督员")
                else rng.choice(labs + data.OFFICE_DEPARTMENTS[1:])
            )
        age = this_year - birth_year
        people.append(
            Personnel(
                institution=demo.institution,
                name=name,
                gender=gender,
                birth_year=birth_year,
                education=education,
                title=title,
                position=position,
                major=rng.choice(data.MAJORS[demo.field]),
                years_in_field=max(1, min(age - 22, rng.randint(1, 32))),
                department=department,
            )
        )
    return [_checked(person, "institution") for person in people]


def _signatories_build(demo: _Demo, people: list[Personnel], sites: list[Site]) -> list[Signatory]:
    rng = demo.rng("signatories")
    count = rng.randint(1, 4)
    scopes = []
    for field in demo.fields:
        categories = list(dict.fromkeys(row[0] for row in data.capability_pool(field)))
        scopes.append((TestingField(field).label, categories))
    rows = []
    for index, person in enumerate(people[:count]):
        parts = []
        for label, categories in scopes if index == 0 else scopes[:1]:
            chosen = (
                categories if index == 0 else rng.sample(categories, min(len(categories), rng.randint(2, 4)))
            )
            parts.append(f"{label}：{'、'.join(chosen)}")
        rows.append(
            Signatory(
                institution=demo.institution,
                name=person.name,
                title=person.title,
                authorised_fields="；".join(parts) + "（资质认定证书能力范围内）",
                site=sites[0],
            )
        )
    return [_checked(row, "institution", "site") for row in rows]


# --- 完善信息 (maintained by the institution) ---------------------------------------------------------


def _extras_untouched(institution: Institution) -> bool:
    if institution.logo_id or institution.high_tech_certificate_id or institution.fields.exists():
        return False
    return all(getattr(institution, name) in (None, "") for name in PROFILE_FIELDS)


_INVESTOR_OF = {
    OwnershipStructure.STATE: InvestorType.STATE,
    OwnershipStructure.PRIVATE: InvestorType.PRIVATE,
    OwnershipStructure.MIXED: InvestorType.JOINT,
    OwnershipStructure.FOREIGN: InvestorType.FOREIGN,
    OwnershipStructure.HK_MACAO_TAIWAN: InvestorType.FOREIGN,
}


def _business_scope(demo: _Demo) -> str:
    services = [service for field in demo.fields for service in data.FIELD_SERVICES[field][1]]
    items = "".join(f"<li>{service}</li>" for service in services)
    return (
        "<p><strong>许可项目：</strong>检验检测服务（依法须经批准的项目，经相关部门批准后方可开展经营活动）。</p>"
        f"<p><strong>一般项目：</strong></p><ul>{items}<li>技术服务、技术开发、技术咨询、技术交流</li></ul>"
    )


def _extras_fill(demo: _Demo, by: Any) -> bool:
    """Fills 完善信息 through the profile service, as the institution's admin would."""
    institution = demo.institution
    if demo.tier == "empty" or not _extras_untouched(institution):
        return False
    values: dict[str, Any] = {
        "legal_person_type": LegalPersonType.ENTERPRISE,
        "unit_type": UnitType.ENTERPRISE_LAB if demo.number % 7 == 3 else UnitType.THIRD_PARTY,
        "fields": demo.fields,
    }
    uploads: dict[str, SimpleUploadedFile] = {}
    if demo.tier == "full":
        rng = demo.rng("extras")
        ownership = rng.choices(list(_INVESTOR_OF), weights=[15, 60, 15, 5, 5])[0]
        listed = LISTED.get(demo.number)
        values |= {
            "supervising_department": data.DEPARTMENT_OF_FIELD[demo.field],
            "ownership": ownership,
            "investor_type": _INVESTOR_OF[ownership],
            "is_listed": listed is not None,
            "listed_market": listed[0] if listed else "",
            "stock_code": listed[1] if listed else "",
            "is_high_tech": demo.number % 5 in (1, 2, 4),
            "business_scope": _business_scope(demo),
        }
        if values["is_high_tech"]:
            obtained = _random_date(rng, rng.randint(_today().year - 3, _today().year - 1))
            values["high_tech_obtained_on"] = obtained
            uploads["high_tech_certificate"] = _certificate_png(demo=demo, obtained_on=obtained)
        if demo.number % 2:
            uploads["logo"] = _logo_png(demo)
    profile_update(institution=institution, by=by, data=values, **uploads)
    return True


# --- Intellectual property ------------------------------------------------------------------------------

_PATENT_DIGITS = {PatentType.INVENTION: "1", PatentType.UTILITY: "2", PatentType.DESIGN: "3"}
_PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def patent_number(*, year: int, patent_type: str, serial: int) -> str:
    """ZL + 12-digit application number (year, type digit, serial) + "." + its check digit."""
    digits = f"{year}{_PATENT_DIGITS[patent_type]}{serial:07d}"
    remainder = sum(int(d) * w for d, w in zip(digits, _PATENT_WEIGHTS, strict=True)) % 11
    return f"ZL{digits}.{'X' if remainder == 10 else remainder}"


def _software_build(demo: _Demo) -> list[SoftwareCopyright]:
    rng = demo.rng("software")
    today = _today()
    rows = []
    for name in rng.sample(data.SOFTWARE_NAMES, rng.randint(1, 3)):
        year = rng.randint(2016, today.year - 1)
        rows.append(
            SoftwareCopyright(
                institution=demo.institution,
                name=f"{demo.trade}{name}",
                registration_number=f"{year}SR{rng.randint(100000, 1999999):07d}",
                version=f"V{rng.randint(1, 3)}.{rng.randint(0, 5)}",
                registered_on=_random_date(rng, year),
            )
        )
    return [_checked(row, "institution") for row in rows]


def _patents_build(demo: _Demo, inventors: list[str]) -> list[Patent]:
    rng = demo.rng("patents")
    today = _today()
    plans = [
        (PatentType.UTILITY, name) for name in rng.sample(data.UTILITY_PATENTS[demo.field], rng.randint(1, 3))
    ]
    if rng.random() < 0.5:
        plans.append((PatentType.INVENTION, data.INVENTION_PATENTS[demo.field]))
    if rng.random() < 0.3:
        plans.append((PatentType.DESIGN, rng.choice(data.DESIGN_PATENTS)))
    rows = []
    for patent_type, name in plans:
        if patent_type == PatentType.INVENTION:
            year, delay = rng.randint(2016, today.year - 3), rng.randint(540, 900)
        else:
            year, delay = rng.randint(2017, today.year - 1), rng.randint(120, 300)
        applied = _random_date(rng, year)
        granted = applied + datetime.timedelta(days=delay)
        rows.append(
            Patent(
                institution=demo.institution,
                name=name,
                patent_type=patent_type,
                patent_number=patent_number(
                    year=year, patent_type=patent_type, serial=rng.randint(1, 9999999)
                ),
                applied_on=applied,
                granted_on=granted if granted <= today else None,
                inventors="、".join(rng.sample(inventors, min(len(inventors), rng.randint(1, 3)))),
            )
        )
    return [_checked(row, "institution") for row in rows]


def _trademarks_build(demo: _Demo) -> list[Trademark]:
    rng = demo.rng("trademarks")
    marks = [(f"{demo.trade}检测", 42)]
    if rng.random() < 0.5:
        marks.append((demo.pinyin.upper(), rng.choice((35, 9, 42))))
    rows = []
    for name, nice_class in marks:
        # Registered within the last ten years, so every mark is still in force.
        valid_from = _random_date(rng, rng.randint(_today().year - 9, _today().year - 1))
        rows.append(
            Trademark(
                institution=demo.institution,
                name=name,
                registration_number=str(rng.randint(10_000_000, 69_999_999)),
                nice_class=nice_class,
                valid_from=valid_from,
                valid_until=_years_later(valid_from, 10) - datetime.timedelta(days=1),
            )
        )
    return [_checked(row, "institution") for row in rows]


# --- Error reports ----------------------------------------------------------------------------------------

_ITEM_MODELS = {ErrorItemType.CAPABILITY: Capability, ErrorItemType.PERSONNEL: Personnel}


def _error_reports_create(demo: _Demo, *, admin: Any, regulator: Any) -> int:
    """Submits the institution's planned error reports as its admin; the city regulator decides some."""
    created = 0
    for plan in ERROR_REPORTS.get(demo.number, []):
        item_id = None
        if plan.item_filter is not None:
            items = _ITEM_MODELS[plan.item_type].objects.filter(institution=demo.institution)
            item = items.filter(**plan.item_filter).order_by("pk").first() or items.order_by("pk").first()
            if item is None:
                continue
            item_id = item.pk
        report = error_report_submit(
            institution=demo.institution,
            by=admin,
            item_type=plan.item_type,
            item_id=item_id,
            item_label=plan.label,
            description=plan.description,
            evidence=[_evidence_png(demo=demo, title=f"EVIDENCE {created + 1}")],
        )
        if plan.decision == ReviewStatus.APPROVED:
            review_approve(obj=report, by=regulator, comment=plan.comment)
        elif plan.decision == ReviewStatus.RETURNED:
            review_return(obj=report, by=regulator, comment=plan.comment)
        created += 1
    return created


# --- The whole of module 02 ------------------------------------------------------------------------------


def _users_by_phone(phones: Iterable[str]) -> dict[str, User]:
    return {user.phone: user for user in User.objects.filter(phone__in=list(phones))}


def _qualification_seed(demos: list[_Demo], counts: dict[str, int]) -> dict[int, list[Personnel]]:
    """Sites, certificates with their capabilities, equipment, personnel and signatories, in bulk.

    Returns every institution's generated personnel (saved or not): signatories and inventors are
    chosen among them.
    """
    new_sites = [site for d in _missing(Site, demos) for site in _sites_build(d)]
    counts["sites"] = len(_bulk(Site, new_sites))
    sites_of: dict[int, list[Site]] = {}
    for site in Site.objects.filter(institution__in=[d.institution for d in demos]).order_by("pk"):
        sites_of.setdefault(site.institution_id, []).append(site)

    taken = set(Certificate.objects.values_list("number", flat=True))
    new_certificates = {d: _certificates_build(d, taken) for d in _missing(Certificate, demos)}
    counts["certificates"] = len(_bulk(Certificate, [c for cs in new_certificates.values() for c in cs]))
    # Capabilities come with their certificate: an existing certificate keeps its schedule as it is.
    capabilities = [
        row
        for d, certificates in new_certificates.items()
        for row in _capabilities_build(d, certificates, sites_of[d.institution.pk])
    ]
    counts["capabilities"] = len(_bulk(Capability, capabilities))

    equipment = [
        e for d in _missing(Equipment, demos) for e in _equipment_build(d, sites_of[d.institution.pk])
    ]
    counts["equipment"] = len(_bulk(Equipment, equipment))
    people = {d.number: _personnel_build(d) for d in demos}
    personnel = [person for d in _missing(Personnel, demos) for person in people[d.number]]
    counts["personnel"] = len(_bulk(Personnel, personnel))
    signatories = [
        s
        for d in _missing(Signatory, demos)
        for s in _signatories_build(d, people[d.number], sites_of[d.institution.pk])
    ]
    counts["signatories"] = len(_bulk(Signatory, signatories))
    return people


def _ip_seed(demos: list[_Demo], people: dict[int, list[Personnel]], counts: dict[str, int]) -> None:
    software = [
        row
        for d in _missing(SoftwareCopyright, [d for d in demos if d.has_software])
        for row in _software_build(d)
    ]
    patents = [
        row
        for d in _missing(Patent, [d for d in demos if d.has_patents])
        for row in _patents_build(d, [person.name for person in people[d.number][:6]])
    ]
    trademarks = [
        row
        for d in _missing(Trademark, [d for d in demos if d.has_trademarks])
        for row in _trademarks_build(d)
    ]
    counts["ip"] = (
        len(_bulk(SoftwareCopyright, software))
        + len(_bulk(Patent, patents))
        + len(_bulk(Trademark, trademarks))
    )


def profile_seed(demos: list[_Demo], stdout: TextIO) -> dict[str, int]:
    """Creates what each demo institution lacks of its module-02 data; returns how many of each were made."""
    counts: dict[str, int] = {"extras": 0, "confirmed": 0, "error_reports": 0}
    actor = current_actor()
    admins = _users_by_phone(admin_phone(d.number) for d in demos)
    city_positions = {code: position for position, code in enumerate(CITIES, start=1)}
    regulators = _users_by_phone(city_regulator_phone(position) for position in city_positions.values())

    counts["basic"] = sum(_basic_info_fill(d) for d in demos)
    people = _qualification_seed(demos, counts)
    for d in demos:
        admin = admins.get(admin_phone(d.number)) or actor
        # The admin fills in 完善信息 and, where planned, confirms the synced information right after.
        if _extras_fill(d, admin):
            counts["extras"] += 1
            if d.confirms:
                institution_info_confirm(institution=d.institution, by=admin)
                counts["confirmed"] += 1
    _ip_seed(demos, people, counts)
    for d in _missing(ErrorReport, [d for d in demos if d.number in ERROR_REPORTS]):
        regulator = regulators.get(
            city_regulator_phone(city_positions[city_code_of(d.institution.region_code)])
        )
        counts["error_reports"] += _error_reports_create(
            d, admin=admins.get(admin_phone(d.number)) or actor, regulator=regulator or actor
        )
    for d in demos:
        completeness_recalculate(institution_id=d.institution.pk)

    stdout.write(
        f"  机构风采：补充基础信息 {counts['basic']} 家，填写完善信息 {counts['extras']} 家，"
        f"确认机构信息 {counts['confirmed']} 家\n"
        f"  资质数据：新建 证书 {counts['certificates']} 张，场所 {counts['sites']} 个，"
        f"能力 {counts['capabilities']} 项，设备 {counts['equipment']} 台，"
        f"授权签字人 {counts['signatories']} 名，人员 {counts['personnel']} 名，"
        f"知识产权 {counts['ip']} 项，纠错报告 {counts['error_reports']} 份\n"
    )
    return counts
