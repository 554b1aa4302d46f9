"""Demo centers (issue 16): the demo institutions a regulator enabled center construction for (numbers 1, 8,
15, 22 and 29 of institutions/demo.py) get centers in every state and applications at every review step,
so that a visitor sees each of them in the workspace and in admin.

- Institution 1 (its admin 13800000001 is the usual demo login): a provincial quality center 筹建中 with
  task book v1 approved, one progress report approved and a newer one 待审核; a metrology-testing center
  筹建中 whose task book is due in 20 days (the dashboard's to-do); a national center approved outside the
  system and verified (运行中); a new 筹建申请 待市局审核.
- Institution 8: a center 筹建中 with a 任务书变更申请 待审核 (v1 → v2 with a later deadline), one
  验收申请中 (待市局审核), and a 筹建申请 待省局审核.
- Institution 15: a center accepted (运行中, 良好) and one 验收未通过 (construction goes on).
- Institution 22: a center 筹建超期 (approved 19 months ago, no acceptance) and one 已撤销 by the province.
- Institution 29: a 系统外中心登记 waiting for verification, and a draft 筹建申请 (its own, not in any queue).

Everything goes through centers.services as the institution's admin, the city regulator of its city and
the province would act, so transitions, history, notifications and events are the real ones. Dates that
must lie in the past (an approval 19 months ago) are moved with one update after the fact, as noted.
Idempotent: an institution that already has a center or an application is left alone.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone

from institutions.demo import INSTITUTION_COUNT, admin_phone, demo_institution_spec
from institutions.models import Institution
from sujt.accounts.demo import PROVINCE_REGULATOR_PHONE, city_regulator_phone
from sujt.accounts.models import User
from sujt.core.dates import add_months
from sujt.core.regions import CITIES, city_code_of
from sujt.core.workflow import Side, transition

from . import services
from .choices import CenterKind, CenterLevel, CenterStatus, RegisteredStage, TaskBookKind
from .models import Center, CenterRegistration, ConstructionApplication, ProgressReport

_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _PDF, content_type="application/pdf")


class Actors:
    def __init__(self, institution: Institution, admin: User, city: User, province: User) -> None:
        self.institution, self.admin, self.city, self.province = institution, admin, city, province


def _facts(
    name: str, *, level: str = CenterLevel.PROVINCIAL, kind: str = CenterKind.QUALITY, **more: Any
) -> dict:
    data = {
        "name": name,
        "level": level,
        "kind": kind,
        "product_scope": more.pop("scope", "食品接触材料及制品、包装材料的安全性能检测"),
        "industry": more.pop("industry", "轻工"),
        "content_and_goals": "建成覆盖相关产品国家标准和行业标准的检验检测能力，形成面向全省的技术服务平台；"
        "三年内新增检测参数 120 项，参与制修订标准 3 项。",
        "planned_investment": Decimal("1350.00"),
        "funding_source": "企业自筹 900 万元，省级专项资金 450 万元",
        "construction_months": 18,
        "staffing_plan": "新增专业技术人员 15 名，其中高级职称 5 名、博士 2 名；"
        "设技术负责人和质量负责人各 1 名。",
    }
    data.update(more)
    return data


EQUIPMENT = [
    {
        "name": "气相色谱质谱联用仪",
        "specification": "GCMS-演示型 2020",
        "unit_price": Decimal("86.00"),
        "quantity": 2,
    },
    {
        "name": "电感耦合等离子体质谱仪",
        "specification": "ICP-MS 演示型 7900",
        "unit_price": Decimal("158.00"),
        "quantity": 1,
    },
    {
        "name": "高效液相色谱仪",
        "specification": "HPLC 演示型 1260",
        "unit_price": Decimal("42.50"),
        "quantity": 3,
    },
]


def _applied(a: Actors, name: str, *, submit: bool = True, **facts: Any) -> ConstructionApplication:
    return services.construction_save(
        institution=a.institution,
        by=a.admin,
        data=_facts(name, **facts),
        equipment=EQUIPMENT,
        feasibility=_pdf("可行性研究报告.pdf"),
        materials=[_pdf("依托单位资质证明.pdf")],
        submit=submit,
    )


def _building(a: Actors, name: str, *, months_ago: int = 0, **facts: Any) -> Center:
    """A center approved to build `months_ago` months ago (the approval date and its clock moved back)."""
    application = _applied(a, name, **facts)
    transition(
        obj=application, name="city_approve", by=a.city, comment="材料齐全，同意报省局审批。", side=Side.CITY
    )
    services.construction_approve(
        application=application, by=a.province, comment="同意筹建。", side=Side.PROVINCE
    )
    center = Center.objects.get(pk=application.center_id)
    if months_ago:
        approved = add_months(timezone.localdate(), -months_ago)
        task_book_due, construction_due = services.deadlines_for(approved)
        Center.objects.filter(pk=center.pk).update(
            approved_on=approved, task_book_due_on=task_book_due, construction_due_on=construction_due
        )
        center.refresh_from_db()
    return center


def _indicators(center: Center) -> list[dict]:
    due = center.construction_due_on
    return [
        {
            "name": "新增检测参数",
            "target_value": Decimal("120"),
            "unit": "项",
            "due_on": due - datetime.timedelta(days=90),
        },
        {
            "name": "仪器设备投入",
            "target_value": Decimal("1350"),
            "unit": "万元",
            "due_on": due - datetime.timedelta(days=120),
        },
        {
            "name": "新增专业技术人员",
            "target_value": Decimal("15"),
            "unit": "人",
            "due_on": due - datetime.timedelta(days=60),
        },
        {
            "name": "参与制修订标准",
            "target_value": Decimal("3"),
            "unit": "项",
            "due_on": due - datetime.timedelta(days=30),
        },
    ]


def _planned(a: Actors, name: str, **kwargs: Any) -> Center:
    center = _building(a, name, **kwargs)
    task_book = services.taskbook_save(center=center, by=a.admin, indicators=_indicators(center), submit=True)
    services.taskbook_approve(task_book=task_book, by=a.city, comment="指标明确，同意。", side=Side.CITY)
    center.refresh_from_db()
    return center


def _progress(
    a: Actors, center: Center, figures: list[Decimal], *, approve: bool, narrative: str
) -> ProgressReport:
    indicators = list(center.task_book.indicators.order_by("number"))
    report = services.progress_save(
        center=center,
        by=a.admin,
        narrative=narrative,
        entries=[
            {"indicator_id": i.pk, "actual_value": value, "percent": None}
            for i, value in zip(indicators, figures, strict=False)
        ],
        files=[_pdf("筹建进展材料.pdf")],
        submit=True,
    )
    if approve:
        transition(obj=report, name="approve", by=a.city, comment="进展属实。", side=Side.CITY)
    return report


def _acceptance(a: Actors, center: Center) -> Any:
    return services.acceptance_save(
        center=center,
        by=a.admin,
        summary="中心已按任务书完成全部建设内容：新增检测参数 126 项，设备投入 1,380 万元，"
        "新增专业技术人员 16 名，参与制修订行业标准 3 项，并已试运行 6 个月。",
        evaluations=[
            {"indicator_id": i.pk, "achieved_value": i.target_value, "met": True, "remark": "已完成"}
            for i in center.task_book.indicators.all()
        ],
        files=[_pdf("验收自评报告.pdf")],
        submit=True,
    )


def _registration(a: Actors, name: str, *, submit_only: bool) -> CenterRegistration:
    registration = services.registration_save(
        institution=a.institution,
        by=a.admin,
        data={
            "name": name,
            "level": CenterLevel.NATIONAL if not submit_only else CenterLevel.PROVINCIAL,
            "kind": CenterKind.QUALITY if not submit_only else CenterKind.METROLOGY,
            "product_scope": "电线电缆及其附件" if not submit_only else "长度、温度、压力计量器具",
            "industry": "机械" if not submit_only else "计量",
            "approval_number": "国市监演示函〔2019〕21号" if not submit_only else "苏质监演示函〔2022〕6号",
            "approved_on": datetime.date(2019, 4, 12) if not submit_only else datetime.date(2022, 8, 30),
            "stage": RegisteredStage.RUNNING,
            "construction_due_on": None,
            "accepted_on": datetime.date(2020, 10, 26) if not submit_only else datetime.date(2024, 3, 15),
            "acceptance_grade": "excellent" if not submit_only else "good",
        },
        documents=[_pdf("中心批准文件.pdf")],
        submit=True,
    )
    if not submit_only:
        services.registration_approve(
            registration=registration, by=a.city, comment="已核对批准文件。", side=Side.CITY
        )
    return registration


def _institution_1(a: Actors) -> None:
    center = _planned(a, "江苏省演示食品接触材料质量检验中心", months_ago=7)
    _progress(
        a,
        center,
        [Decimal(48), Decimal(820), Decimal(9), Decimal(1)],
        approve=True,
        narrative="主要设备已到货安装，完成第一批参数方法验证。",
    )
    _progress(
        a,
        center,
        [Decimal(75), Decimal(1010), Decimal(12), Decimal(1)],
        approve=False,
        narrative="第二批参数完成方法验证，新招聘技术人员到岗。",
    )
    second = _building(
        a,
        "江苏省演示智能传感器计量测试中心",
        kind=CenterKind.MEASUREMENT,
        scope="智能传感器及其校准装置",
        industry="电子信息",
    )
    # Its task book falls due soon: the dashboard's to-do and the reminders show it.
    Center.objects.filter(pk=second.pk).update(
        task_book_due_on=timezone.localdate() + datetime.timedelta(days=20)
    )
    _registration(a, "国家演示电线电缆质量检验检测中心", submit_only=False)
    _applied(a, "江苏省演示新能源汽车零部件质量检验中心", industry="汽车", scope="动力电池及汽车电子零部件")


def _institution_8(a: Actors) -> None:
    center = _planned(
        a,
        "江苏省演示建筑节能材料质量检验中心",
        months_ago=10,
        industry="建材",
        scope="建筑保温、节能门窗及其材料",
    )
    rows = [
        {
            "number": i.number,
            "name": i.name,
            "target_value": i.target_value,
            "unit": i.unit,
            "due_on": i.due_on,
        }
        for i in center.task_book.indicators.all()
    ]
    rows[0]["target_value"] = Decimal("150")
    services.taskbook_save(
        center=center,
        by=a.admin,
        kind=TaskBookKind.CHANGE,
        indicators=rows,
        reason="根据新发布的建筑节能国家标准，新增检测参数 30 项，需相应延长筹建期限 3 个月。",
        construction_due_on=add_months(center.construction_due_on, 3),
        submit=True,
    )
    accepted = _planned(
        a, "江苏省演示防水材料质量检验中心", months_ago=16, industry="建材", scope="建筑防水卷材和涂料"
    )
    _acceptance(a, accepted)
    application = _applied(a, "江苏省演示绿色建材质量检验中心", industry="建材", scope="绿色建材产品认证检测")
    transition(obj=application, name="city_approve", by=a.city, comment="同意报省局审批。", side=Side.CITY)


def _institution_15(a: Actors) -> None:
    running = _planned(
        a, "江苏省演示纺织品质量检验中心", months_ago=17, industry="纺织", scope="纺织面料、服装及家用纺织品"
    )
    application = _acceptance(a, running)
    transition(obj=application, name="city_approve", by=a.city, comment="同意报省局。", side=Side.CITY)
    services.acceptance_pass(
        application=application,
        decision="pass_good",
        by=a.province,
        comment="验收合格，等级良好。",
        side=Side.PROVINCE,
    )
    failed = _planned(
        a, "江苏省演示家具质量检验中心", months_ago=15, industry="轻工", scope="木制家具、软体家具"
    )
    application = _acceptance(a, failed)
    transition(obj=application, name="city_approve", by=a.city, comment="同意报省局。", side=Side.CITY)
    services.acceptance_fail(
        application=application,
        by=a.province,
        comment="甲醛释放量等 12 项参数尚未通过能力验证，请补充后重新申请验收。",
        side=Side.PROVINCE,
    )


def _institution_22(a: Actors) -> None:
    late = _planned(
        a,
        "江苏省演示电动自行车质量检验中心",
        months_ago=19,
        industry="机械",
        scope="电动自行车及其电池、充电器",
    )
    services.center_mark_overdue(center=late)
    revoked = _planned(
        a, "江苏省演示陶瓷制品质量检验中心", months_ago=9, industry="轻工", scope="日用陶瓷、卫生陶瓷"
    )
    services.center_revoke(
        center=revoked,
        by=a.province,
        comment="依托单位调整发展方向，主动申请终止筹建，经研究同意撤销。",
        side=Side.PROVINCE,
    )


def _institution_29(a: Actors) -> None:
    _registration(a, "江苏省演示热工计量中心", submit_only=True)
    _applied(a, "江苏省演示水产品质量检验中心", submit=False, industry="农业", scope="水产品及其制品")


CASES: dict[int, Callable[[Actors], None]] = {
    1: _institution_1,
    8: _institution_8,
    15: _institution_15,
    22: _institution_22,
    29: _institution_29,
}


def _city_regulator(region_code: str) -> User | None:
    position = list(CITIES).index(city_code_of(region_code)) + 1
    return User.objects.filter(phone=city_regulator_phone(position)).first()


def seed(stdout: TextIO) -> list:
    province = User.objects.filter(phone=PROVINCE_REGULATOR_PHONE).first()
    created = 0
    for number, case in CASES.items():
        if number > INSTITUTION_COUNT or province is None:
            continue
        institution = Institution.objects.filter(uscc=demo_institution_spec(number)["uscc"]).first()
        if institution is None or not institution.centers_enabled:
            continue
        if (
            Center.objects.filter(institution=institution).exists()
            or ConstructionApplication.objects.filter(institution=institution).exists()
            or CenterRegistration.objects.filter(institution=institution).exists()
        ):
            continue
        admin = User.objects.filter(phone=admin_phone(number)).first()
        city = _city_regulator(institution.region_code) or province
        if admin is None:
            continue
        case(Actors(institution, admin, city, province))
        created += 1
    by_status = dict(Center.objects.order_by().values_list("status").annotate(total=Count("pk")))
    states = "、".join(f"{status.label} {by_status.get(status.value, 0)}" for status in CenterStatus)
    stdout.write(
        f"  中心建设：{created} 家机构新建中心；共 {sum(by_status.values())} 个中心（{states}）；"
        f"{admin_phone(1)} 登录可见“中心建设”\n"
    )
    return []
