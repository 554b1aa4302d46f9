"""Demo credit data (issue 15): the ledgers of the Jiangsu-certified demo institutions, their scores and
two years of monthly snapshots for the trend.

- Rectification's demo inspections, penalties and orders (rectification/demo.py, seeded before this) are
  delivered to credit at once, as the worker would, so their deductions are the real ones.
- A few more entries, as a regulator would record them (manual entries with a reason) or as approved
  bonus applications would: 高新技术企业 and 能力验证满意 bonuses (one of them expired), an unsatisfactory
  proficiency test, a late operating-data report.
- 信用承诺书: this year's letter uploaded by most of them, last year's by some; institutions 1, 3 and 5
  have none this year, so the dashboard's 上传信用承诺书 and its to-do are open for the usual demo login.
- Applications in every state, through the services as the institution's admin and its city's regulator
  would act: 加分申请 as a draft, 待审核, 已通过 (its bonus counted), 已退回 and 未通过; 申疑 待审核 (its
  deduction 异议中), 已通过 (voided) and 未通过; 修复 待审核 and 已通过 (points returned when the deduction's
  validity ends), on deductions whose rectification was accepted.
- The scores are recalculated for the end of each of the last 24 months (the snapshots of the trend),
  then for today.

Institutions holding only a national certificate (institutions/demo.py NATIONAL_CERTIFICATES) have no
credit. Idempotent: every entry has a fixed source key, snapshots are one per institution and day.
"""

import datetime
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from institutions.demo import INSTITUTION_COUNT, admin_phone, demo_institution_spec
from institutions.models import Institution
from sujt.accounts.demo import PROVINCE_REGULATOR_PHONE, city_regulator_phone
from sujt.accounts.models import User
from sujt.core.events import events_sweep
from sujt.core.regions import CITIES, city_code_of
from sujt.core.workflow import regulator_side, transition

from . import applications
from .choices import Direction, EventSource, EventState
from .letters import letter_upload
from .models import (
    BonusApplication,
    CommitmentLetter,
    CreditEvent,
    CreditItem,
    CreditObjection,
    CreditRepair,
    CreditScore,
)
from .services import credit_institutions, event_record, scores_recalculate

TREND_MONTHS = 24
WITHOUT_LETTER = {1, 3, 5}
WITH_LAST_YEARS_LETTER = {2, 4, 6, 8}
# A one-page PDF standing for the scan of a signed and stamped letter.
LETTER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# (institution number, item code, days ago, reason)
ENTRIES = [
    (1, "J02", 200, "取得高新技术企业证书（演示）"),
    (1, "J01", 120, "2026 年度能力验证结果满意（演示）"),
    (1, "J01", 40, "2026 年度第二次能力验证结果满意（演示）"),
    (2, "K06", 150, "能力验证结果不满意（演示）"),
    (2, "J04", 300, "参与制定行业标准一项（演示）"),
    (4, "K05", 90, "未按期填报 2026 年第二季度运营数据（演示）"),
    (6, "J03", 500, "主持制定国家标准一项（演示）"),
    (6, "J02", 500, "取得高新技术企业证书（演示，已过有效期）"),
    (6, "K07", 200, "出具不实检验检测报告（演示）"),
    (8, "K02", 420, "监督检查发现一般问题（演示）"),
    (9, "J05", 600, "承建国家级质检中心（演示）"),
]


def _month_ends(today: datetime.date, months: int) -> list[datetime.date]:
    ends = []
    first = today.replace(day=1)
    for _ in range(months):
        last = first - datetime.timedelta(days=1)
        ends.append(last)
        first = last.replace(day=1)
    return sorted(ends)


def _evidence(name: str) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, LETTER_PDF, "application/pdf")]


def _regulator_of(institution: Institution) -> User | None:
    position = list(CITIES).index(city_code_of(institution.region_code)) + 1
    return User.objects.filter(phone=city_regulator_phone(position)).first()


def _deduction(institution: Institution, *, rectified: bool, skip: set[int]) -> CreditEvent | None:
    return (
        CreditEvent.objects.filter(
            institution=institution,
            direction=Direction.DEDUCTION,
            state=EventState.COUNTING,
            rectified_on__isnull=not rectified,
            item__veto=False,
        )
        .exclude(pk__in=skip)
        .order_by("pk")
        .first()
    )


def _bonus(institution: Institution, admin: User, code: str, days_ago: int, reason: str, *, submit: bool):
    return applications.bonus_application_save(
        institution=institution,
        by=admin,
        item=CreditItem.objects.get(code=code),
        achieved_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        reason=reason,
        evidence=_evidence(f"{code}证明材料.pdf"),
        submit=submit,
    )


def _applications(by_number: dict, eligible: set[int]) -> None:
    """The demo's applications, once: an institution that has any is left alone."""
    for number in (1, 2, 4, 6):
        institution = by_number.get(number)
        if institution is None or institution.pk not in eligible:
            continue
        if any(
            model.objects.filter(institution=institution).exists()
            for model in (BonusApplication, CreditObjection, CreditRepair)
        ):
            continue
        admin = User.objects.filter(phone=admin_phone(number)).first()
        regulator = _regulator_of(institution)
        if admin is None or regulator is None:
            continue
        side = regulator_side(regulator)
        used: set[int] = set()
        if number == 1:
            _bonus(institution, admin, "J03", 60, "主持制定团体标准一项（演示，草稿）", submit=False)
            _bonus(institution, admin, "J04", 45, "参与制定行业标准一项（演示）", submit=True)
            event = _deduction(institution, rectified=False, skip=used)
            if event is not None:
                used.add(event.pk)
                applications.objection_submit(
                    institution=institution,
                    event=event,
                    by=admin,
                    reason="该问题已在检查当日现场更正（演示）",
                    evidence=_evidence("现场更正记录.pdf"),
                )
            event = _deduction(institution, rectified=True, skip=used)
            if event is not None:
                used.add(event.pk)
                repair = applications.repair_submit(
                    institution=institution,
                    event=event,
                    by=admin,
                    reason="已完成整改并建立长效机制（演示）",
                    evidence=_evidence("整改报告.pdf"),
                )
                applications.repair_approve(
                    repair=repair, by=regulator, comment="整改到位，同意修复。", side=side
                )
        elif number == 2:
            approved = _bonus(institution, admin, "J07", 100, "获省科学技术奖三等奖（演示）", submit=True)
            applications.bonus_application_approve(
                application=approved, by=regulator, comment="材料齐全，同意加分。", side=side
            )
            returned = _bonus(institution, admin, "J06", 30, "承建省级质检中心（演示）", submit=True)
            transition(obj=returned, name="return", by=regulator, comment="请补充验收文件。", side=side)
            event = _deduction(institution, rectified=False, skip=used)
            if event is not None:
                objection = applications.objection_submit(
                    institution=institution,
                    event=event,
                    by=admin,
                    reason="能力验证结果复核后为满意（演示）",
                    evidence=_evidence("复核结果.pdf"),
                )
                applications.objection_reject(
                    objection=objection,
                    by=regulator,
                    comment="复核结果未经组织方确认，维持原结论。",
                    side=side,
                )
        elif number == 4:
            event = _deduction(institution, rectified=True, skip=used)
            if event is not None:
                applications.repair_submit(
                    institution=institution,
                    event=event,
                    by=admin,
                    reason="逾期整改已全部完成（演示）",
                    evidence=_evidence("整改完成报告.pdf"),
                )
        elif number == 6:
            rejected = _bonus(institution, admin, "J02", 20, "高新技术企业（演示）", submit=True)
            transition(
                obj=rejected,
                name="reject",
                by=regulator,
                comment="证书已在有效期内加分，不重复加分。",
                side=side,
            )
            event = _deduction(institution, rectified=False, skip=used)
            if event is not None:
                objection = applications.objection_submit(
                    institution=institution,
                    event=event,
                    by=admin,
                    reason="所涉报告系他人冒用本机构名义出具（演示）",
                    evidence=_evidence("情况说明.pdf"),
                )
                applications.objection_approve(
                    objection=objection, by=regulator, comment="核实属实，撤销扣分。", side=side
                )


def seed(out: TextIO) -> list:
    today = timezone.localdate()
    # Rectification's demo records its events in this same transaction: deliver them now.
    events_sweep(now=timezone.now())
    province = User.objects.filter(phone=PROVINCE_REGULATOR_PHONE).first()
    by_number = {
        number: Institution.objects.filter(uscc=demo_institution_spec(number)["uscc"]).first()
        for number in range(1, INSTITUTION_COUNT + 1)
    }
    eligible = set(credit_institutions(today=today).values_list("pk", flat=True))
    for number, code, days_ago, reason in ENTRIES:
        institution = by_number.get(number)
        if institution is None or institution.pk not in eligible:
            continue
        event_record(
            institution_id=institution.pk,
            item_code=code,
            occurred_on=today - datetime.timedelta(days=days_ago),
            source=EventSource.MANUAL,
            source_key=f"credit.demo:{number}:{code}:{days_ago}",
            reason=reason,
            by=province,
        )
    for number, institution in by_number.items():
        if institution is None or institution.pk not in eligible:
            continue
        admin = User.objects.filter(phone=admin_phone(number)).first()
        years = [] if number in WITHOUT_LETTER else [today.year]
        if number in WITH_LAST_YEARS_LETTER:
            years.append(today.year - 1)
        for year in years:
            if not CommitmentLetter.objects.filter(institution=institution, year=year).exists():
                letter_upload(
                    institution=institution,
                    file=SimpleUploadedFile(f"{year}年度信用承诺书.pdf", LETTER_PDF, "application/pdf"),
                    by=admin,
                    today=datetime.date(year, 3, 1) if year != today.year else today,
                )
    _applications(by_number, eligible)
    for day in _month_ends(today, TREND_MONTHS):
        scores_recalculate(day=day)
    scored = scores_recalculate(day=today)
    levels = dict.fromkeys("ABCD", 0)
    for level in CreditScore.objects.values_list("level", flat=True):
        levels[level] += 1
    out.write(
        f"  信用管理：{scored} 家机构适用，信用记录 {CreditEvent.objects.count()} 条，"
        + "、".join(f"{level} 级 {count} 家" for level, count in levels.items())
        + f"，近 {TREND_MONTHS} 个月的月度快照，信用承诺书 {CommitmentLetter.objects.count()} 份，"
        f"加分申请 {BonusApplication.objects.count()} 项、申疑 {CreditObjection.objects.count()} 项、"
        f"信用修复 {CreditRepair.objects.count()} 项"
    )
    return []
