"""Demo operating-data reports (issue 17, modules 07/08): four tasks issued by the demo regulators and
filled in by the demo institutions, so that a visitor sees every state of an assignment in the workspace
and in admin. With Y the current year (periods are relative to today):

- **(Y−1)年度检验检测机构年度运营情况** (province, the 30 demo institutions, closed months ago): handed in
  and accepted by the city bureaus (one after a return), with figures of each institution's own size.
  Three were not handed in by the deadline and were marked 逾期未报 by the deadline job: institution 12
  still owes it (its K05 counts in credit), institution 18 was excused (免于逾期, with a reason: its K05
  is voided) and then reported late, institution 23 reported late (accepted, its K05 stands). These
  answers pre-fill the next period's form and are what large changes are measured against.
- **Y年度检验检测机构年度运营情况** (province, the same institutions, due in three weeks): 未填报 (among
  them institution 1, whose admin 13800000001 is the usual demo login: its to-do, the form pre-filled
  from last year), 草稿, 待审核 (institution 16 with changes above 50 % explained), 已退回 with the city
  bureau's comment (institution 4) and 已通过.
- **南京市Y年第N季度检验检测机构运营情况** (南京's city bureau, the institutions of 南京, due in three
  days: the job's 3-day reminder has gone out to those who have not handed it in), on a quarterly template
  the city bureau copied from the built-in one: institution 1 未填报, 14 草稿, 27 待审核.
- **Y年上/下半年中心运营情况** (province, the centers in operation seeded by centers/demo.py, which runs
  before this): institution 1's center 未填报 (module 08's to-do), institution 15's 待审核.

Everything goes through reporting.services (and the kit's deadline job), as the regulators and the
institutions' admins would act, so transitions, history, notifications and events are the real ones. A
task is created with a future deadline (task_save and task_publish refuse a past one): the closed task is
moved back with one update of its dates right after it is published, see `_closed`. The overdue events
are delivered at once, as the worker would right after the nightly job, so that credit records the K05s
before one of them is excused (and voided). The figures come from fixed seeds: a run gives the same data.

Idempotent: a task whose title exists is left alone, so a second run creates nothing and changes nothing.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TextIO

from django.db.models import Count
from django.utils import timezone

from institutions.demo import INSTITUTION_COUNT, admin_phone, demo_field, demo_institution_spec
from institutions.models import Institution
from sujt.accounts.demo import PROVINCE_REGULATOR_PHONE, city_regulator_phone
from sujt.accounts.models import User
from sujt.core.choices import TestingField
from sujt.core.deadlines import deadlines_run
from sujt.core.events import events_dispatch
from sujt.core.models import DomainEvent
from sujt.core.regions import CITIES, city_code_of
from sujt.core.workflow import Side

from . import events, services
from .choices import AssignmentStatus, TargetKind
from .integrations.deadlines import ASSIGNMENT_DEADLINE
from .models import ReportAssignment, ReportTask, ReportTemplate, TemplateField
from .targets import target_count

S = AssignmentStatus
INSTITUTION_TEMPLATE = "检验检测机构年度运营情况"
CENTER_TEMPLATE = "中心运营情况"
QUARTERLY_TEMPLATE = "检验检测机构季度运营情况"
NANJING = "320100"

# The closed task: who was late (institution number → what happened next).
KEPT_OVERDUE, EXCUSED, LATE = "kept_overdue", "excused", "late"
PREVIOUS_LATE = {12: KEPT_OVERDUE, 18: EXCUSED, 23: LATE}
PREVIOUS_RETURNED_ONCE = {5}
EXCUSE_REASON = "单位整体搬迁至新实验室，期间信息系统停用，已提供搬迁批复和情况说明，准予免于逾期。"

# The current task: each institution's state (the others: 未填报). CHANGED: 待审核 with changes >50 %.
CHANGED = "changed"
CURRENT_STATES: dict[int, str] = {
    **dict.fromkeys((2, 9, 17), S.DRAFT),
    **dict.fromkeys((3, 5, 14, 21), S.SUBMITTED),
    16: CHANGED,
    4: S.RETURNED,
    **dict.fromkeys((6, 8, 10, 11, 13, 15, 19, 22, 24, 26, 28), S.ACCEPTED),
}
# The Nanjing quarterly task (the other institutions of 南京: 未填报).
QUARTER_STATES: dict[int, str] = {14: S.DRAFT, 27: S.SUBMITTED}
# The center task, by host institution (the others: 未填报).
CENTER_STATES: dict[int, str] = {15: S.SUBMITTED}

RETURN_COMMENT = (
    "“其中检验检测服务收入”与“营业收入”之比与上年差异较大，请核对收入口径（是否含租赁、培训等非检测收入）"
    "后修改并重新提交。"
)
ACCEPT_COMMENT = "数据完整，与上年度相比变化合理，审核通过。"
CHANGE_EXPLANATIONS = {
    "revenue": "新建检测基地于年初投入运行，业务量明显增加，营业收入大幅增长。",
    "testing_revenue": "新检测基地投运后新增检测业务，检验检测服务收入相应增长。",
    "rd_investment": "新检测基地开展检测方法开发和验证，研发经费随收入同步增加。",
    "reports_issued": "业务量增长，出具检验检测报告数量相应增加。",
    "equipment_count": "新检测基地配置仪器设备一批，已全部完成验收。",
    "equipment_value": "新检测基地购置一批大型检测设备，仪器设备原值增加。",
}
REMARKS = (
    "年度内业务总体平稳，完成资质认定扩项一次，新增检测参数若干。",
    "检测业务量稳中有升，加强了人员培训和内部质量控制。",
    "受市场竞争影响价格有所下降，通过拓展新领域保持了收入稳定。",
    "完成实验室信息管理系统升级，报告出具周期明显缩短。",
    "积极参加能力验证和实验室间比对，结果均为满意。",
)
CENTER_HIGHLIGHTS = (
    "为地方重点产业提供技术诊断服务，帮助企业解决产品质量问题多项。",
    "牵头开展行业质量状况分析，形成专题报告报送主管部门。",
)
# The built-in template's multiple choice “主要服务领域” (its options are the fields' names, or 其他).
SERVICE_OPTIONS = (
    "食品",
    "建筑工程",
    "建材",
    "环境与环保",
    "水质",
    "机械",
    "电子信息",
    "轻工",
    "纺织服装",
    "化工",
    "医疗器械",
)


# --- Dates and periods ---------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _days(n: int) -> datetime.date:
    return _today() + datetime.timedelta(days=n)


def previous_year_label() -> str:
    return f"{_today().year - 1}年度"


def current_year_label() -> str:
    return f"{_today().year}年度"


def last_quarter_label() -> str:
    """The last quarter that has ended (December: 第三季度 of this year)."""
    today = _today()
    quarter = (today.month - 1) // 3  # the current quarter's number minus one
    year = today.year if quarter else today.year - 1
    return f"{year}年第{'一二三四'[(quarter or 4) - 1]}季度"


def last_half_label() -> str:
    today = _today()
    return f"{today.year}年上半年" if today.month > 6 else f"{today.year - 1}年下半年"


def _closed_due_on() -> datetime.date:
    """The closed task's deadline: 31 March, or two months ago early in the year."""
    today = _today()
    due = datetime.date(today.year, 3, 31)
    return due if due <= today - datetime.timedelta(days=30) else today - datetime.timedelta(days=60)


def task_titles() -> dict[str, str]:
    """The demo's tasks by role: what makes each recognisable on a second run."""
    return {
        "closed": f"{previous_year_label()}{INSTITUTION_TEMPLATE}",
        "current": f"{current_year_label()}{INSTITUTION_TEMPLATE}",
        "city": f"南京市{last_quarter_label()}检验检测机构运营情况",
        "center": f"{last_half_label()}{CENTER_TEMPLATE}",
    }


# --- Figures -------------------------------------------------------------------------------------------


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _service_fields(number: int, rng: random.Random) -> list[str]:
    own = TestingField(demo_field(number)).label
    fields = [own if own in SERVICE_OPTIONS else "其他"]
    if rng.random() < 0.4:
        fields.append(rng.choice([option for option in SERVICE_OPTIONS if option not in fields]))
    return fields


def institution_figures(number: int, *, year: int, growth: float = 1.0, jump: bool = False) -> dict[str, Any]:
    """Institution `number`'s answers to the annual template for `year`: a size of its own (fixed by its
    number), grown by `growth` and a few per cent of noise each year; `jump`: a new testing site made some
    figures grow by well over 50 % (CHANGE_EXPLANATIONS)."""
    size = random.Random(f"sujt-demo-07-{number}")
    noise = random.Random(f"sujt-demo-07-{number}-{year}")

    def vary(value: float, boost: float = 1.0) -> float:
        return value * growth * boost * noise.uniform(0.96, 1.04)

    staff = size.randint(35, 420)
    per_head = size.uniform(16, 30)
    testing_share = size.uniform(0.74, 0.96)
    staff_total = round(vary(staff))
    revenue = _money(vary(staff * per_head, 1.72 if jump else 1.0))
    testing_revenue = _money(float(revenue) * testing_share * (1.04 if jump else 1.0))
    equipment_count = round(vary(staff * size.uniform(2.5, 6), 1.56 if jump else 1.0))
    return {
        "revenue": revenue,
        "testing_revenue": testing_revenue,
        "testing_revenue_share": (testing_revenue * 100 / revenue).quantize(Decimal("0.1")),
        "reports_issued": round(vary(staff * size.uniform(40, 160), 1.66 if jump else 1.0)),
        "rd_investment": _money(float(revenue) * size.uniform(0.03, 0.08)),
        "staff_total": staff_total,
        "senior_titles": round(staff_total * size.uniform(0.08, 0.2)),
        "middle_titles": round(staff_total * size.uniform(0.22, 0.4)),
        "equipment_count": equipment_count,
        "equipment_value": _money(equipment_count * size.uniform(4, 12) * (1.2 if jump else 1.0)),
        "lab_area": Decimal(str(round(vary(staff * size.uniform(30, 70)), 1))),
        "specialized": size.random() < 0.3,
        "service_fields": _service_fields(number, size),
        "last_review_on": min(
            datetime.date(year - size.randint(0, 2), size.randint(3, 11), size.randint(1, 28)), _today()
        ),
        "remarks": REMARKS[(number + year) % len(REMARKS)],
    }


def quarter_figures(number: int, *, year: int) -> dict[str, Any]:
    """A quarter's answers: flows (revenue, reports, R&D) about a quarter of the year's, stocks as they
    stand."""
    annual = institution_figures(number, year=year, growth=1.06)
    quarter = dict(annual)
    for key in ("revenue", "testing_revenue", "rd_investment"):
        quarter[key] = _money(float(annual[key]) * 0.26)
    quarter["reports_issued"] = round(annual["reports_issued"] * 0.26)
    quarter["remarks"] = "本季度业务量较上季度略有增长，新增客户主要来自本地制造企业。"
    return quarter


def center_figures(center_name: str, *, half: str) -> dict[str, Any]:
    rng = random.Random(f"sujt-demo-08-{center_name}-{half}")
    staff = rng.randint(25, 80)
    return {
        "companies_served": rng.randint(120, 900),
        "government_tasks": rng.randint(5, 40),
        "reports_issued": rng.randint(1500, 9000),
        "revenue": _money(staff * rng.uniform(12, 22)),
        "research_projects": rng.randint(2, 9),
        "standards": rng.randint(1, 5),
        "patents": rng.randint(0, 6),
        "technical_staff": staff,
        "equipment_value": _money(staff * rng.uniform(40, 90)),
        "shares_equipment": True,
        "highlights": rng.choice(CENTER_HIGHLIGHTS),
    }


def _partial(values: dict[str, Any]) -> dict[str, Any]:
    """A draft: the first group (经营情况) filled in, the rest not yet."""
    keys = ("revenue", "testing_revenue", "testing_revenue_share", "reports_issued", "rd_investment")
    return {key: values[key] for key in keys if key in values}


# --- Actors --------------------------------------------------------------------------------------------


class Demo:
    """The demo's institutions by number, their admins and regulators (looked up once)."""

    def __init__(self) -> None:
        self.province = User.objects.filter(phone=PROVINCE_REGULATOR_PHONE).first()
        self.institutions: dict[int, Institution] = {}
        for number in range(1, INSTITUTION_COUNT + 1):
            institution = Institution.objects.filter(uscc=demo_institution_spec(number)["uscc"]).first()
            if institution is not None:
                self.institutions[number] = institution
        self.numbers = {institution.pk: number for number, institution in self.institutions.items()}
        self._users: dict[str, User | None] = {}

    def _user(self, phone: str) -> User | None:
        if phone not in self._users:
            self._users[phone] = User.objects.filter(phone=phone).first()
        return self._users[phone]

    def admin(self, number: int) -> User | None:
        return self._user(admin_phone(number))

    def city_regulator(self, code: str) -> User | None:
        return self._user(city_regulator_phone(list(CITIES).index(city_code_of(code)) + 1))

    def reviewer(self, assignment: ReportAssignment) -> User | None:
        """Who reviews an assignment: the bureau of the institution's city."""
        return self.city_regulator(assignment.institution.region_code)


def _publish(
    *,
    by: User,
    template: ReportTemplate,
    period: str,
    due_on: datetime.date,
    criteria: dict,
    title: str = "",
    instructions: str = "",
) -> ReportTask:
    task = ReportTask(
        template=template,
        title=title,
        period_label=period,
        due_on=due_on,
        target_kind=template.target_kind,
        instructions=instructions,
    )
    services.task_save(task=task, criteria=criteria, by=by)
    services.task_publish(task=task, by=by)
    task.refresh_from_db()
    return task


def _hand_in(
    assignment: ReportAssignment,
    *,
    by: User,
    values: dict,
    explanations: dict | None = None,
    submit: bool = True,
) -> ReportAssignment:
    return services.assignment_save(
        assignment=assignment, by=by, values=values, explanations=explanations, submit=submit
    )


def _assignments(task: ReportTask) -> list[ReportAssignment]:
    return list(task.assignments.select_related("task", "institution").order_by("pk"))


# --- The four tasks ------------------------------------------------------------------------------------


def _annual(
    demo: Demo, template: ReportTemplate, *, period: str, due_on: datetime.date, instructions: str
) -> ReportTask | None:
    """An annual report the province sends to every demo institution; None when there is none."""
    usccs = [institution.uscc for institution in demo.institutions.values()]
    if not usccs:
        return None
    return _publish(
        by=demo.province,
        template=template,
        period=period,
        due_on=due_on,
        criteria={"usccs": usccs},
        instructions=instructions,
    )


def _closed(demo: Demo, template: ReportTemplate) -> ReportTask | None:
    """Last year's annual report, closed: published with a deadline a month ahead (the services refuse
    a past one), then its deadline, its publication and creation times and its assignments' deadlines
    are moved back with one update each, right after publishing, as if it had been issued in winter and
    closed on its date; so are the times of the reports handed in on time. The transition log keeps the
    real (today's) times of the submissions and reviews.
    The late ones are left for the deadline job (`_overdue_after_job`)."""
    task = _annual(
        demo,
        template,
        period=previous_year_label(),
        due_on=_days(30),
        instructions="请如实填报上一年度运营情况，金额单位为万元，人数为年末在岗人数。",
    )
    if task is None:
        return None
    due_on = _closed_due_on()
    published = timezone.make_aware(
        datetime.datetime.combine(due_on - datetime.timedelta(days=45), datetime.time(9))
    )
    ReportTask.objects.filter(pk=task.pk).update(due_on=due_on, published_at=published, created_at=published)
    ReportAssignment.objects.filter(task=task).update(due_on=due_on)
    year = _today().year - 1
    for assignment in _assignments(task):
        number = demo.numbers.get(assignment.institution_id)
        admin, reviewer = demo.admin(number) if number else None, demo.reviewer(assignment)
        if number is None or admin is None or reviewer is None:
            continue
        values = institution_figures(number, year=year)
        late = PREVIOUS_LATE.get(number)
        if late == EXCUSED:
            _hand_in(assignment, by=admin, values=_partial(values), submit=False)  # a draft, never handed in
        if late:
            continue
        _hand_in(assignment, by=admin, values=values)
        if number in PREVIOUS_RETURNED_ONCE:
            services.assignment_return(
                assignment=assignment,
                by=reviewer,
                comment="研发经费投入与营业收入比例明显偏高，请核对是否误填为累计数。",
                side=Side.CITY,
            )
            _hand_in(assignment, by=admin, values=values)
        services.assignment_accept(assignment=assignment, by=reviewer, comment=ACCEPT_COMMENT, side=Side.CITY)
    # Those handed in on time show it: handed in a fortnight before the deadline, reviewed a week later
    # (the late ones are handed in after the job, in _overdue_after_job, and keep today's times).
    handed_in = timezone.make_aware(
        datetime.datetime.combine(due_on - datetime.timedelta(days=14), datetime.time(10))
    )
    ReportAssignment.objects.filter(task=task, submitted_at__isnull=False).update(
        submitted_at=handed_in,
        saved_at=handed_in,
        status_changed_at=handed_in + datetime.timedelta(days=7),
    )
    task.refresh_from_db()
    return task


def _overdue_after_job(demo: Demo, task: ReportTask) -> None:
    """After the deadline job marked the closed task's late assignments 逾期未报: their events are
    delivered (credit records the K05s), one is excused (its K05 voided) and then handed in late, another
    handed in late; the third still owes its report."""
    year = _today().year - 1
    overdue = task.assignments.filter(overdue_at__isnull=False).select_related("task", "institution")
    for assignment in overdue.order_by("pk"):
        _deliver(events.ASSIGNMENT_OVERDUE, assignment, "overdue")
    for assignment in overdue.order_by("pk"):
        number = demo.numbers.get(assignment.institution_id)
        late = PREVIOUS_LATE.get(number)
        admin, reviewer = demo.admin(number) if number else None, demo.reviewer(assignment)
        if late not in (EXCUSED, LATE) or admin is None or reviewer is None:
            continue
        if late == EXCUSED:
            services.assignment_excuse(assignment=assignment, by=reviewer, reason=EXCUSE_REASON)
            _deliver(events.ASSIGNMENT_EXCUSED, assignment, "excused")
        _hand_in(assignment, by=admin, values=institution_figures(number, year=year))
        services.assignment_accept(
            assignment=assignment, by=reviewer, comment="逾期补报，数据已核对。", side=Side.CITY
        )


def _deliver(kind: str, assignment: ReportAssignment, step: str) -> None:
    """Runs the event's handlers now (the demo does not wait for the worker, see news/demo.py)."""
    event = DomainEvent.objects.filter(kind=kind, key=f"reporting.assignment:{assignment.pk}:{step}").first()
    if event is not None:
        events_dispatch(event_id=event.pk)


def _current(demo: Demo, template: ReportTemplate) -> ReportTask | None:
    """This year's annual report, due in three weeks, in every state but 逾期未报."""
    task = _annual(
        demo,
        template,
        period=current_year_label(),
        due_on=_days(21),
        instructions="请如实填报本年度运营情况；系统已带出上年度数据，"
        "与上年相比变动超过 50% 的指标请填写变动说明。",
    )
    if task is None:
        return None
    year = _today().year
    for assignment in _assignments(task):
        number = demo.numbers.get(assignment.institution_id)
        state = CURRENT_STATES.get(number) if number else None
        admin, reviewer = demo.admin(number) if number else None, demo.reviewer(assignment)
        if state is None or admin is None or reviewer is None:
            continue
        values = institution_figures(number, year=year, growth=1.08, jump=state == CHANGED)
        if state == S.DRAFT:
            _hand_in(assignment, by=admin, values=_partial(values), submit=False)
            continue
        explanations = CHANGE_EXPLANATIONS if state == CHANGED else None
        _hand_in(assignment, by=admin, values=values, explanations=explanations)
        if state == S.RETURNED:
            services.assignment_return(
                assignment=assignment, by=reviewer, comment=RETURN_COMMENT, side=Side.CITY
            )
        elif state == S.ACCEPTED:
            services.assignment_accept(
                assignment=assignment, by=reviewer, comment=ACCEPT_COMMENT, side=Side.CITY
            )
    return task


def _quarterly_template(by: User) -> ReportTemplate:
    """The city bureau's quarterly template: a copy of the built-in annual one (template_copy), renamed,
    its closing question reworded as a regulator would in admin."""
    template = ReportTemplate.objects.filter(name=QUARTERLY_TEMPLATE).first()
    if template is not None:
        return template
    template = services.template_copy(template=ReportTemplate.objects.get(name=INSTITUTION_TEMPLATE), by=by)
    template.name = QUARTERLY_TEMPLATE
    template.description = (
        "按季度填报的技术机构运营数据：收入、报告数等填本季度发生额，人员、设备等填季末数。"
    )
    services.template_save(template=template, by=by)
    remarks = TemplateField.objects.filter(template=template, key="remarks").first()
    if remarks is not None:
        remarks.label, remarks.help_text = "本季度运营情况说明", "本季度主要业务进展、存在困难等。"
        remarks.full_clean()
        remarks.save()
    return template


def _city(demo: Demo, title: str) -> ReportTask | None:
    """南京's quarterly report, due in three days: the deadline job's 3-day reminder is sent."""
    regulator = demo.city_regulator(NANJING)
    if regulator is None:
        return None
    task = _publish(
        by=regulator,
        template=_quarterly_template(regulator),
        period=last_quarter_label(),
        due_on=_days(3),
        criteria={"cities": [NANJING]},
        title=title,
        instructions="请南京市各检验检测机构填报上一季度运营情况，收入类指标填本季度发生额。",
    )
    year = _today().year
    for assignment in _assignments(task):
        number = demo.numbers.get(assignment.institution_id)
        state = QUARTER_STATES.get(number) if number else None
        admin = demo.admin(number) if number else None
        if state is None or admin is None:
            continue
        values = quarter_figures(number, year=year)
        if state == S.DRAFT:
            _hand_in(assignment, by=admin, values=_partial(values), submit=False)
        else:
            _hand_in(assignment, by=admin, values=values)
    return task


def _center(demo: Demo, template: ReportTemplate) -> ReportTask | None:
    """The half-year report of the centers in operation (none: no task)."""
    criteria: dict = {}
    if not target_count(
        target_kind=TargetKind.CENTER, criteria=criteria, region_code=demo.province.region_scope
    ):
        return None
    task = _publish(
        by=demo.province,
        template=template,
        period=last_half_label(),
        due_on=_days(14),
        criteria=criteria,
        instructions="请各国家级、省级质检中心和计量（测试）中心的依托单位填报本期运营情况。",
    )
    for assignment in _assignments(task):
        number = demo.numbers.get(assignment.institution_id)
        state = CENTER_STATES.get(number) if number else None
        admin = demo.admin(number) if number else None
        if state is None or admin is None:
            continue
        _hand_in(assignment, by=admin, values=center_figures(assignment.subject_name, half=task.period_label))
    return task


# --- seed ------------------------------------------------------------------------------------------------


def seed(stdout: TextIO) -> list:
    """Creates the demo tasks whose titles do not exist yet; returns no accounts (the institutions' and
    regulators' demo accounts are listed by their own apps)."""
    demo = Demo()
    titles = task_titles()
    missing = {role for role, title in titles.items() if not ReportTask.objects.filter(title=title).exists()}
    created: list[ReportTask] = []
    closed = None
    if demo.province is not None and demo.institutions:
        institution_template = ReportTemplate.objects.get(name=INSTITUTION_TEMPLATE)
        if "closed" in missing:
            closed = _closed(demo, institution_template)
        if "current" in missing:
            created.append(_current(demo, institution_template))
        if "city" in missing:
            created.append(_city(demo, titles["city"]))
        if "center" in missing:
            created.append(_center(demo, ReportTemplate.objects.get(name=CENTER_TEMPLATE)))
    created = [task for task in [closed, *created] if task is not None]
    if created:
        # The nightly job, today: the closed task's late assignments become 逾期未报, the reports due
        # within three days are reminded.
        deadlines_run(today=_today(), keys=[ASSIGNMENT_DEADLINE])
    if closed is not None:
        _overdue_after_job(demo, closed)
    by_status = dict(ReportAssignment.objects.order_by().values_list("status").annotate(total=Count("pk")))
    states = "、".join(f"{status.label} {by_status.get(status.value, 0)}" for status in AssignmentStatus)
    stdout.write(
        f"  运营数据填报：新建 {len(created)} 个填报任务，共 {ReportTask.objects.count()} 个；"
        f"填报记录 {sum(by_status.values())} 份（{states}）；"
        f"{admin_phone(1)} 登录可见待填报的年度、季度和中心运营数据\n"
    )
    return []
