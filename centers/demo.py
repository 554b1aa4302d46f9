"""Demo centers (issue 16): the demo institutions a regulator enabled center construction for (numbers 1, 8,
15, 22 and 29 of institutions/demo.py, `centers_enabled`) get centers in every state and applications at
every review step, so that a visitor sees each of them in the workspace and in admin. Each center fits
its host's field (food, textiles, environment, chemicals, electronics).

- Institution 1 (南京; its admin 13800000001 is the usual demo login): a provincial quality center 筹建中
  with task book v1 approved, one progress report approved and a newer one 待审核; a metrology-testing
  center 筹建中, approved two months ago, whose task book is not submitted yet (due in about a month: the
  dashboard's to-do); a national center approved outside the system and verified (运行中, 优秀); a new
  筹建申请 待市局审核 (its center 筹建申请中).
- Institution 8 (淮安): a center 筹建中 with a 任务书变更申请 待审核 (v1 → v2: a higher target and a deadline
  three months later), one 验收申请中 (its application 待市局审核), and a 筹建申请 待省局审核.
- Institution 15 (无锡): a center accepted (运行中, 良好) and one 验收未通过 (construction goes on).
- Institution 22 (盐城): a center 筹建超期 (approved 19 months ago, no acceptance application: marked by
  the deadline job) and one 已撤销 by the province with its comment.
- Institution 29 (徐州): a 系统外中心登记 waiting for verification, and a draft 筹建申请 (in no queue).

Everything goes through centers.services (and sujt.core.workflow.transition for the plain review steps)
as the institution's admin, the regulator of its city and the province regulator would act, so
transitions, history, notifications and events are the real ones. Dates that must lie in the past (an
approval 19 months ago) are moved with one update right after the approval, as `_building` explains.
Idempotent: an institution that already has a center, an application or a registration is left alone,
so a second run changes nothing.
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
from sujt.core.deadlines import deadlines_run
from sujt.core.regions import CITIES, city_code_of
from sujt.core.workflow import Side, transition

from . import services
from .choices import AcceptanceGrade, CenterKind, CenterLevel, CenterStatus, RegisteredStage, TaskBookKind
from .models import AcceptanceApplication, Center, CenterRegistration, ConstructionApplication, ProgressReport

CONSTRUCTION_DEADLINE = "centers.construction_due"  # integrations/deadlines.py

# A one-page blank PDF, enough for the attachment checks (the file starts with %PDF-).
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _PDF, content_type="application/pdf")


class Actors:
    """Who acts for one institution: its admin, the regulator of its city, the province regulator."""

    def __init__(self, institution: Institution, admin: User, city: User, province: User) -> None:
        self.institution, self.admin, self.city, self.province = institution, admin, city, province


def _facts(
    name: str,
    *,
    scope: str,
    industry: str,
    level: str = CenterLevel.PROVINCIAL,
    kind: str = CenterKind.QUALITY,
) -> dict:
    return {
        "name": name,
        "level": level,
        "kind": kind,
        "product_scope": scope,
        "industry": industry,
        "content_and_goals": "建成覆盖相关产品国家标准和行业标准的检验检测能力，形成面向全省的技术服务平台；"
        "三年内新增检测参数 120 项，参与制修订标准 3 项。",
        "planned_investment": Decimal("1350.00"),
        "funding_source": "依托单位自筹 900 万元，省级专项资金 450 万元",
        "construction_months": 18,
        "staffing_plan": "新增专业技术人员 15 名，其中高级职称 5 名、博士 2 名；"
        "设技术负责人和质量负责人各 1 名。",
    }


EQUIPMENT = [
    {
        "name": "气相色谱质谱联用仪",
        "specification": "演示型 GC-MS 2020",
        "unit_price": Decimal("86.00"),
        "quantity": 2,
    },
    {
        "name": "电感耦合等离子体质谱仪",
        "specification": "演示型 ICP-MS 7900",
        "unit_price": Decimal("158.00"),
        "quantity": 1,
    },
    {
        "name": "高效液相色谱仪",
        "specification": "演示型 HPLC 1260",
        "unit_price": Decimal("42.50"),
        "quantity": 3,
    },
]


def _applied(a: Actors, name: str, *, submit: bool = True, **facts: Any) -> ConstructionApplication:
    """A 筹建申请 saved (and submitted: its center is then 筹建申请中, 待市局审核)."""
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
    """A center approved to build (the city's 初审, then the province's approval) `months_ago` months ago.

    The services approve today. For an approval in the past, the approval date, the deadlines derived
    from it (services.deadlines_for, as on approval) and, when the year differs, the approval number's
    year are moved back in one update right after it; the transition log keeps the real (today's)
    times of the decisions."""
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
        changes: dict[str, Any] = {
            "approved_on": approved,
            "task_book_due_on": task_book_due,
            "construction_due_on": construction_due,
        }
        if approved.year != center.approved_on.year:
            changes["approval_number"] = services.approval_number_next(year=approved.year)
        Center.objects.filter(pk=center.pk, status=CenterStatus.BUILDING).update(**changes)
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
    """A center 筹建中 whose task book (v1) the city bureau approved."""
    center = _building(a, name, **kwargs)
    task_book = services.taskbook_save(center=center, by=a.admin, indicators=_indicators(center), submit=True)
    services.taskbook_approve(task_book=task_book, by=a.city, comment="指标明确，同意。", side=Side.CITY)
    center.refresh_from_db()
    return center


def _progress(
    a: Actors, center: Center, figures: list[Decimal], *, approve: bool, narrative: str
) -> ProgressReport:
    """A progress report (the share done computed from each target), approved by the city or waiting."""
    indicators = list(center.task_book.indicators.order_by("number"))
    report = services.progress_save(
        center=center,
        by=a.admin,
        narrative=narrative,
        entries=[
            {"indicator_id": i.pk, "actual_value": value, "percent": None}
            for i, value in zip(indicators, figures, strict=True)
        ],
        files=[_pdf("筹建进展材料.pdf")],
        submit=True,
    )
    if approve:
        transition(obj=report, name="approve", by=a.city, comment="进展属实。", side=Side.CITY)
    return report


def _acceptance(a: Actors, center: Center) -> AcceptanceApplication:
    """An acceptance application submitted (the center is then 验收申请中, 待市局审核)."""
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


def _registration(a: Actors, data: dict, *, verify: bool) -> CenterRegistration:
    """A 系统外中心登记 of a center approved and accepted before the platform, submitted with its approval
    documents; verified by the city bureau when `verify` (the center is then created, 运行中)."""
    registration = services.registration_save(
        institution=a.institution,
        by=a.admin,
        data={"stage": RegisteredStage.RUNNING, "construction_due_on": None, **data},
        documents=[_pdf("中心批准文件.pdf"), _pdf("验收意见.pdf")],
        submit=True,
    )
    if verify:
        services.registration_approve(
            registration=registration, by=a.city, comment="已核对批准文件和验收意见。", side=Side.CITY
        )
    return registration


def _institution_1(a: Actors) -> None:  # 食品检测
    center = _planned(
        a,
        "江苏省演示食品接触材料质量检验中心",
        months_ago=7,
        industry="轻工",
        scope="食品接触用塑料、纸制品、金属制品及其迁移物检测",
    )
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
    # Approved two months ago (CENTER_TASK_BOOK_MONTHS is 3): its task book, not filled yet, is due in
    # about a month — the dashboard's to-do now, the job's 30-day reminder within a few days.
    _building(
        a,
        "江苏省演示食品检测仪器计量测试中心",
        months_ago=2,
        kind=CenterKind.MEASUREMENT,
        industry="食品",
        scope="食品检测用分析仪器、快检设备的计量测试",
    )
    _registration(
        a,
        {
            "name": "国家演示预包装食品质量检验检测中心",
            "level": CenterLevel.NATIONAL,
            "kind": CenterKind.QUALITY,
            "product_scope": "预包装食品、食品添加剂",
            "industry": "食品",
            "approval_number": "国市监演示函〔2019〕21号",
            "approved_on": datetime.date(2019, 4, 12),
            "accepted_on": datetime.date(2020, 10, 26),
            "acceptance_grade": AcceptanceGrade.EXCELLENT,
        },
        verify=True,
    )
    _applied(a, "江苏省演示婴幼儿配方食品质量检验中心", industry="食品", scope="婴幼儿配方食品及特殊膳食食品")


def _institution_8(a: Actors) -> None:  # 纺织品检测
    center = _planned(
        a,
        "江苏省演示产业用纺织品质量检验中心",
        months_ago=10,
        industry="纺织",
        scope="土工布、过滤材料等产业用纺织品",
    )
    rows = [
        {
            "number": i.number,
            "name": i.name,
            "target_value": i.target_value,
            "unit": i.unit,
            "due_on": i.due_on,
        }
        for i in center.task_book.indicators.order_by("number")
    ]
    rows[0]["target_value"] = Decimal("150")
    services.taskbook_save(
        center=center,
        by=a.admin,
        kind=TaskBookKind.CHANGE,
        indicators=rows,
        reason="根据新发布的产业用纺织品国家标准，新增检测参数 30 项，需相应延长筹建期限 3 个月。",
        construction_due_on=add_months(center.construction_due_on, 3),
        submit=True,
    )
    waiting = _planned(
        a, "江苏省演示羽绒制品质量检验中心", months_ago=16, industry="纺织", scope="羽绒羽毛及其制品"
    )
    _acceptance(a, waiting)
    application = _applied(
        a, "江苏省演示功能性服装质量检验中心", industry="纺织", scope="防护服装、功能性运动服装"
    )
    transition(obj=application, name="city_approve", by=a.city, comment="同意报省局审批。", side=Side.CITY)


def _institution_15(a: Actors) -> None:  # 环境监测
    running = _planned(
        a, "江苏省演示环保设备质量检验中心", months_ago=17, industry="环保", scope="水污染、大气污染防治设备"
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
        a, "江苏省演示水处理剂质量检验中心", months_ago=15, industry="化工", scope="絮凝剂、阻垢剂等水处理剂"
    )
    application = _acceptance(a, failed)
    transition(obj=application, name="city_approve", by=a.city, comment="同意报省局。", side=Side.CITY)
    services.acceptance_fail(
        application=application,
        by=a.province,
        comment="重金属含量等 12 项参数尚未通过能力验证，请补充后重新申请验收。",
        side=Side.PROVINCE,
    )


def _institution_22(a: Actors) -> None:  # 化工产品检测
    # Approved 19 months ago (CENTER_CONSTRUCTION_MONTHS is 18): its deadline passed a month ago without
    # an acceptance application. The deadline job marks it 筹建超期 (services.center_mark_overdue), as
    # the nightly run would, and records that it did so the nightly run does not try again.
    _planned(
        a, "江苏省演示涂料质量检验中心", months_ago=19, industry="化工", scope="建筑涂料、工业涂料及其原材料"
    )
    deadlines_run(today=timezone.localdate(), keys=[CONSTRUCTION_DEADLINE])
    revoked = _planned(
        a, "江苏省演示胶粘剂质量检验中心", months_ago=9, industry="化工", scope="胶粘剂、密封胶"
    )
    services.center_revoke(
        center=revoked,
        by=a.province,
        comment="依托单位调整发展方向，书面申请终止筹建，经研究同意撤销。",
        side=Side.PROVINCE,
    )


def _institution_29(a: Actors) -> None:  # 电子产品检测
    _registration(
        a,
        {
            "name": "江苏省演示电子测量仪器计量中心",
            "level": CenterLevel.PROVINCIAL,
            "kind": CenterKind.METROLOGY,
            "product_scope": "示波器、信号发生器、频谱分析仪等电子测量仪器",
            "industry": "电子信息",
            "approval_number": "苏质监演示函〔2022〕6号",
            "approved_on": datetime.date(2022, 8, 30),
            "accepted_on": datetime.date(2024, 3, 15),
            "acceptance_grade": AcceptanceGrade.GOOD,
        },
        verify=False,
    )
    _applied(
        a, "江苏省演示智能终端质量检验中心", submit=False, industry="电子信息", scope="智能手机、可穿戴设备"
    )


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


def _untouched(institution: Institution) -> bool:
    return not (
        Center.objects.filter(institution=institution).exists()
        or ConstructionApplication.objects.filter(institution=institution).exists()
        or CenterRegistration.objects.filter(institution=institution).exists()
    )


def seed(stdout: TextIO) -> list:
    """Creates the centers of the enabled demo institutions that have none yet; returns no accounts (the
    institutions' and regulators' demo accounts are listed by their own apps)."""
    province = User.objects.filter(phone=PROVINCE_REGULATOR_PHONE).first()
    created = 0
    for number, case in CASES.items():
        if number > INSTITUTION_COUNT or province is None:
            continue
        institution = Institution.objects.filter(uscc=demo_institution_spec(number)["uscc"]).first()
        if institution is None or not institution.centers_enabled or not _untouched(institution):
            continue
        admin = User.objects.filter(phone=admin_phone(number)).first()
        city = _city_regulator(institution.region_code)
        if admin is None or city is None:
            continue
        case(Actors(institution, admin, city, province))
        created += 1
    by_status = dict(Center.objects.order_by().values_list("status").annotate(total=Count("pk")))
    states = "、".join(f"{status.label} {by_status.get(status.value, 0)}" for status in CenterStatus)
    stdout.write(
        f"  中心建设：新建 {created} 家机构的中心与申请；共 {sum(by_status.values())} 个中心（{states}）；"
        f"{admin_phone(1)} 登录可见“中心建设”\n"
    )
    return []
