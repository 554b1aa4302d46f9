"""Demo inspections and rectification orders (issue 14): several demo institutions with an order in every
state of the workflow, so that a visitor sees each of them, in the workspace and in admin.

- Institution 1 (its admin 13800000001 is the usual demo login): an order 待整改 (nothing answered yet, to
  try the answer form), one 已退回 (the regulator's comment per finding, to answer again) and one 整改完成
  after a return (two rounds). Its accepted inspection's result is disclosed (监督检查).
- Institution 2: an answer 已提交, waiting in the city bureau's 整改审核 queue.
- Institution 3: an order 逾期 after a complaint check that found an untrue report, with a fine that is
  disclosed (行政处罚).
- Institution 4: an order that went 逾期 and was accepted later (逾期整改).
- Institution 5: an inspection that found nothing (no order).

Everything goes through the services, as the city regulator of the institution's city and the
institution's admin would act, so the events, rounds, evidence files, notifications and deadline
bookkeeping are the real ones; dates are relative to today. The two disclosures are dispatched at once
(as news/demo.py does), so the articles exist without waiting for the worker.

Idempotent: a case whose inspection exists (same institution, same 检查情况) is left alone, so a second
run creates nothing and changes nothing.
"""

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Model
from django.utils import timezone
from PIL import Image, ImageDraw

from institutions.demo import INSTITUTION_COUNT, admin_phone, demo_institution_spec
from institutions.models import Institution
from sujt.accounts.demo import PROVINCE_REGULATOR_PHONE, city_regulator_phone
from sujt.accounts.models import User
from sujt.core.deadlines import deadlines_run
from sujt.core.events import DISCLOSURE_REQUESTED, events_dispatch
from sujt.core.models import DomainEvent
from sujt.core.regions import CITIES, city_code_of

from . import services
from .choices import FindingCategory, InspectionKind, OrderStatus, PenaltyKind, Severity
from .integrations.deadlines import ORDER_DEADLINE
from .models import Inspection, Penalty, RectificationOrder

# What the demo leaves each case's order in. "accepted_late" went 逾期 first, then was accepted.
OPEN, SUBMITTED, RETURNED, OVERDUE, ACCEPTED, ACCEPTED_LATE, NO_ORDER = (
    "open",
    "submitted",
    "returned",
    "overdue",
    "accepted",
    "accepted_late",
    "no_order",
)

DEMO_INSPECTORS = "演示检查员甲、演示检查员乙"
RETURN_COMMENT = "整改措施不够具体，部分问题缺少证明材料，请按逐项意见补充后重新提交。"
ACCEPT_COMMENT = "整改措施落实到位，证明材料齐全，同意整改完成。"

# What an institution writes about a finding of each category (the demo's answers).
MEASURES: dict[str, str] = {
    FindingCategory.EQUIPMENT: "已将相关仪器送法定计量机构检定，取得检定证书；修订仪器设备管理程序，"
    "建立检定到期提醒台账，由设备管理员每月核查。",
    FindingCategory.PERSONNEL: "已组织相关人员参加内部培训并考核合格，重新办理授权手续；"
    "更新人员技术档案，明确授权范围。",
    FindingCategory.SCHEDULE: "已对照现行有效标准逐项核查能力附表，停止使用作废标准，"
    "对新版标准完成方法验证并申请变更。",
    FindingCategory.MANAGEMENT: "已修订质量手册和程序文件中的相关条款，开展一次内部审核和管理评审，"
    "对发现的问题逐项纠正。",
    FindingCategory.REPORT_UNTRUE: "已收回并作废有问题的检验检测报告，对涉及样品重新检测并出具更正报告；"
    "对相关责任人进行处理，加强报告三级审核。",
    FindingCategory.CERTIFICATE: "已按要求在报告中规范使用资质认定标志，并对近期报告逐份复核。",
}
FINDING_COMMENT = "请补充整改前后的对比记录和相关人员的培训签到表。"


@dataclass(frozen=True)
class Case:
    """One demo inspection of one institution and the order it leads to."""

    institution: int  # the demo institution's number (institutions.demo)
    state: str
    kind: str
    inspected_days_ago: int
    summary: str  # also what makes the case recognisable on a second run
    findings: Sequence[tuple[str, str, str, str]] = ()  # category, severity, description, clause
    due_in_days: int = 30  # the order's deadline, days from today (in the past for the overdue cases)
    penalty: dict[str, Any] | None = None
    returns: int = 0  # how many times the answer is returned before the final state
    disclose: str = ""  # "inspection" or "penalty": published on the portal


CASES: tuple[Case, ...] = (
    Case(
        institution=1,
        state=OPEN,
        kind=InspectionKind.RANDOM,
        inspected_days_ago=10,
        due_in_days=22,
        summary="按照年度“双随机、一公开”抽查计划，对机构资质认定条件和能力保持情况进行现场检查。",
        findings=(
            (
                FindingCategory.EQUIPMENT,
                Severity.GENERAL,
                "抽查的 2 台电子天平检定证书已过有效期，仍在使用。",
                "《检验检测机构资质认定评审准则》第十一条",
            ),
            (
                FindingCategory.PERSONNEL,
                Severity.GENERAL,
                "1 名检测人员未经授权独立开展微生物检测。",
                "《检验检测机构资质认定评审准则》第九条",
            ),
        ),
    ),
    Case(
        institution=1,
        state=RETURNED,
        kind=InspectionKind.SPECIAL,
        inspected_days_ago=30,
        due_in_days=6,
        summary="围绕检验检测报告质量开展专项检查，抽查近一年出具的检验检测报告 30 份。",
        findings=(
            (
                FindingCategory.SCHEDULE,
                Severity.GENERAL,
                "能力附表中 3 项参数依据的标准已作废，未及时变更。",
                "《检验检测机构资质认定管理办法》第十四条",
            ),
            (
                FindingCategory.MANAGEMENT,
                Severity.GENERAL,
                "年度内部审核未覆盖全部要素，管理评审输入不完整。",
                "《检验检测机构资质认定评审准则》第十四条",
            ),
        ),
    ),
    Case(
        institution=1,
        state=ACCEPTED,
        kind=InspectionKind.RISK,
        inspected_days_ago=45,
        due_in_days=5,
        returns=1,
        disclose="inspection",
        summary="针对投诉反映的标志使用不规范问题开展风险核查。",
        findings=(
            (
                FindingCategory.CERTIFICATE,
                Severity.GENERAL,
                "部分检验检测报告未按规定标注资质认定标志和证书编号。",
                "《检验检测机构资质认定标志管理规定》",
            ),
        ),
    ),
    Case(
        institution=2,
        state=SUBMITTED,
        kind=InspectionKind.RANDOM,
        inspected_days_ago=20,
        due_in_days=12,
        summary="按照年度抽查计划开展现场检查，重点核查仪器设备和人员能力。",
        findings=(
            (
                FindingCategory.EQUIPMENT,
                Severity.GENERAL,
                "气相色谱仪期间核查记录缺失。",
                "《检验检测机构资质认定评审准则》第十一条",
            ),
            (
                FindingCategory.PERSONNEL,
                Severity.GENERAL,
                "授权签字人变更后未及时备案。",
                "《检验检测机构资质认定管理办法》第十四条",
            ),
        ),
    ),
    Case(
        institution=3,
        state=OVERDUE,
        kind=InspectionKind.COMPLAINT,
        inspected_days_ago=45,
        due_in_days=-13,
        disclose="penalty",
        summary="根据投诉举报线索，对该机构出具的建材检验检测报告进行核查。",
        findings=(
            (
                FindingCategory.REPORT_UNTRUE,
                Severity.SERIOUS,
                "抽查的 4 份钢筋检验报告与原始记录不一致，属出具不实检验检测报告。",
                "《检验检测机构监督管理办法》第十三条",
            ),
        ),
        penalty={
            "kind": PenaltyKind.FINE,
            "amount": Decimal("30000"),
            "decided_days_ago": 30,
            "description": "出具不实检验检测报告，依法处以罚款。",
        },
    ),
    Case(
        institution=4,
        state=ACCEPTED_LATE,
        kind=InspectionKind.SPECIAL,
        inspected_days_ago=70,
        due_in_days=-38,
        summary="开展机动车安检机构专项检查，核查检测线设备和检测过程记录。",
        findings=(
            (
                FindingCategory.EQUIPMENT,
                Severity.GENERAL,
                "1 条检测线的制动检验台未按期校准。",
                "《检验检测机构资质认定评审准则》第十一条",
            ),
        ),
    ),
    Case(
        institution=5,
        state=NO_ORDER,
        kind=InspectionKind.RANDOM,
        inspected_days_ago=15,
        summary="按照年度抽查计划开展现场检查，未发现问题。",
    ),
)

_MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _evidence_png(number: int) -> SimpleUploadedFile:
    """A small scanned-form look-alike (no words: Pillow's own font has no Chinese)."""
    image = Image.new("RGB", (480, 320), (252, 252, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 471, 311), outline=(90, 90, 90), width=2)
    for row in range(7):
        width = 180 + (number * 37 + row * 53) % 240
        draw.rectangle((40, 40 + row * 36, 40 + width, 50 + row * 36), fill=(205, 205, 205))
    draw.ellipse((360, 220, 440, 300), outline=(190, 40, 40), width=4)  # a seal
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"整改证明-{number:02d}.png", buffer.getvalue(), content_type="image/png")


def _evidence_pdf(number: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"整改报告-{number:02d}.pdf", _MINIMAL_PDF, content_type="application/pdf")


def _today() -> datetime.date:
    return timezone.localdate()


def _days(n: int) -> datetime.date:
    return _today() + datetime.timedelta(days=n)


def _city_regulator(region_code: str) -> User | None:
    position = list(CITIES).index(city_code_of(region_code)) + 1
    return User.objects.filter(phone=city_regulator_phone(position)).first()


def _answer(order: RectificationOrder, *, by: User, number: int, round_number: int) -> None:
    """The institution answers every finding and submits, with a photo per finding and a report."""
    findings = list(order.findings.order_by("pk"))
    measures = {
        finding.pk: MEASURES.get(finding.category, "已针对该问题完成整改。")
        + ("（第二次提交：已按审核意见补充证明材料。）" if round_number > 1 else "")
        for finding in findings
    }
    evidence = {finding.pk: [_evidence_png(number + index)] for index, finding in enumerate(findings)}
    evidence[findings[0].pk].append(_evidence_pdf(number))
    services.answer_save(order=order, by=by, measures=measures, evidence=evidence, submit=True)


def _return(order: RectificationOrder, *, by: User) -> None:
    first = order.findings.order_by("pk").first()
    services.order_return(
        order=order, by=by, comment=RETURN_COMMENT, finding_comments={first.pk: FINDING_COMMENT}
    )


def _make_overdue(order: RectificationOrder, *, due_on: datetime.date) -> None:
    """order_issue refuses a deadline that is not in the future, so the order was issued with tomorrow's;
    the deadline is moved back here and the kit's job (not order_mark_overdue directly) marks it 逾期, so
    its bookkeeping (the DeadlineNotice of the overdue step) exists and the nightly job does not try
    again every day."""
    RectificationOrder.objects.filter(pk=order.pk).update(due_on=due_on)
    deadlines_run(today=_today(), keys=[ORDER_DEADLINE])


def _dispatch_disclosure(record: Model) -> None:
    """Runs news's handler now (the demo does not wait for the worker, see news/demo.py)."""
    event = (
        DomainEvent.objects.filter(
            kind=DISCLOSURE_REQUESTED,
            source_type=ContentType.objects.get_for_model(type(record)),
            source_id=record.pk,
        )
        .order_by("-pk")
        .first()
    )
    if event is not None:
        events_dispatch(event_id=event.pk)


def _case_seed(case: Case, *, institution: Institution, regulator: User, admin: User, number: int) -> None:
    findings = [
        {"category": category, "severity": severity, "description": description, "clause": clause}
        for category, severity, description, clause in case.findings
    ]
    penalties = []
    if case.penalty:
        penalty = dict(case.penalty)
        decided_on = _days(-penalty.pop("decided_days_ago"))
        penalties.append(
            {
                **penalty,
                "decided_on": decided_on,
                "decision_number": f"{CITIES[city_code_of(institution.region_code)]}监罚"
                f"〔{decided_on.year}〕{100 + number}号",
            }
        )
    inspection = services.inspection_record(
        institution=institution,
        kind=case.kind,
        inspected_on=_days(-case.inspected_days_ago),
        inspectors=DEMO_INSPECTORS,
        by=regulator,
        summary=case.summary,
        findings=findings,
        penalties=penalties,
    )
    if case.state != NO_ORDER:
        late = case.due_in_days <= 0
        order = services.order_issue(
            inspection=inspection,
            findings=inspection.findings.all(),
            by=regulator,
            due_on=_days(1) if late else _days(case.due_in_days),
            requirement="请对检查发现的问题逐项整改，在整改期限内提交整改措施和证明材料。",
        )
        # The service stamps the issue time now; two days after the inspection reads like a real case.
        RectificationOrder.objects.filter(pk=order.pk).update(
            issued_at=timezone.now() - datetime.timedelta(days=case.inspected_days_ago - 2)
        )
        if late:
            _make_overdue(order, due_on=_days(case.due_in_days))
        if case.state in (SUBMITTED, RETURNED, ACCEPTED, ACCEPTED_LATE):
            for round_number in range(1, case.returns + 2):
                _answer(order, by=admin, number=number * 10 + round_number, round_number=round_number)
                if round_number <= case.returns:
                    _return(order, by=regulator)
            if case.state in (ACCEPTED, ACCEPTED_LATE):
                services.order_accept(order=order, by=regulator, comment=ACCEPT_COMMENT)
            elif case.state == RETURNED:
                # The last submission above is returned as well: the visitor answers it again.
                _return(order, by=regulator)
    if case.disclose == "inspection":
        services.inspection_disclose(inspection=inspection, by=regulator)
        _dispatch_disclosure(inspection)
    elif case.disclose == "penalty":
        penalty = inspection.penalties.get()
        services.penalty_disclose(penalty=penalty, by=regulator)
        _dispatch_disclosure(penalty)


def seed(stdout: TextIO) -> list[tuple[str, str, str, str]]:
    created = 0
    for number, case in enumerate(CASES, start=1):
        if case.institution > INSTITUTION_COUNT:
            continue
        institution = Institution.objects.filter(uscc=demo_institution_spec(case.institution)["uscc"]).first()
        if (
            institution is None
            or Inspection.objects.filter(institution=institution, summary=case.summary).exists()
        ):
            continue
        regulator = (
            _city_regulator(institution.region_code)
            or User.objects.filter(phone=PROVINCE_REGULATOR_PHONE).first()
        )
        admin = User.objects.filter(phone=admin_phone(case.institution)).first()
        if regulator is None or admin is None:
            continue
        _case_seed(case, institution=institution, regulator=regulator, admin=admin, number=number)
        created += 1
    by_status = dict(RectificationOrder.objects.order_by().values_list("status").annotate(total=Count("pk")))
    states = "、".join(f"{status.label} {by_status.get(status.value, 0)}" for status in OrderStatus)
    disclosed = (
        Inspection.objects.filter(disclosed_at__isnull=False).count()
        + Penalty.objects.filter(disclosed_at__isnull=False).count()
    )
    stdout.write(
        f"  机构整改：新建 {created} 次监督检查，共 {Inspection.objects.count()} 次；"
        f"整改通知 {sum(by_status.values())} 份（{states}）；门户公开 {disclosed} 条；"
        f"{admin_phone(1)} 登录可见待整改和已退回的整改通知\n"
    )
    return []
