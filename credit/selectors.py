"""Reads of 05 信用管理, each filtered by the institution asked about.

The workspace shows the score computed from the ledger at the moment of the request (credit.scoring),
so it is current even before the queued recalculation has stored it; regulators' lists, the directory
and the profile read the stored CreditScore.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sujt.core.choices import ReviewStatus

from .choices import Direction, EventState
from .models import BonusApplication, CreditEvent, CreditObjection, CreditRepair, CreditScore, CreditSnapshot
from .scoring import Entry, Score, score_on
from .services import credit_rules

TREND_MONTHS = 24


def _entry(event: CreditEvent) -> Entry:
    item = event.item
    return Entry(
        event.pk,
        item.code,
        event.direction,
        event.points,
        event.occurred_on,
        event.valid_until,
        event.state,
        item.veto,
        item.yearly_cap,
        item.dimension,
    )


def events_of(*, institution_id: int) -> QuerySet[CreditEvent]:
    """The institution's ledger, newest first."""
    return CreditEvent.objects.filter(institution_id=institution_id).select_related("item")


def event_get(*, institution_id: int, pk: int) -> CreditEvent:
    """One event of the institution's ledger; another institution's is a 404."""
    return get_object_or_404(events_of(institution_id=institution_id), pk=pk)


@dataclass
class CreditResult:
    score: Score
    day: datetime.date
    events: list[CreditEvent]  # every event, each with `counts` (bool)
    pending: dict[str, int] = field(default_factory=dict)  # kind → pending applications
    if_approved: Score | None = None  # the score should every pending application be approved

    @property
    def counted(self) -> list[CreditEvent]:
        return [event for event in self.events if event.counts]


def credit_result(*, institution_id: int, day: datetime.date | None = None) -> CreditResult:
    """The institution's score and level of `day` (today) from its ledger, each event marked whether it
    counts, and what the applications waiting for review would change if approved: an objection voids
    its deduction, a bonus application adds its bonus (a repair changes nothing until the deduction's
    validity ends)."""
    day = day or timezone.localdate()
    rules = credit_rules()
    events = list(events_of(institution_id=institution_id))
    entries = [_entry(event) for event in events]
    score = score_on(entries, rules, day)
    counted = set(score.counted)
    for event in events:
        event.counts = event.pk in counted
    submitted = {"status": ReviewStatus.SUBMITTED, "institution_id": institution_id}
    objected = set(CreditObjection.objects.filter(**submitted).values_list("event_id", flat=True))
    bonuses = list(BonusApplication.objects.filter(**submitted).select_related("item"))
    repairs = CreditRepair.objects.filter(**submitted).count()
    if_approved = None
    if objected or bonuses:
        hypothetical = [entry for entry in entries if entry.id not in objected]
        for number, application in enumerate(bonuses, 1):
            item = application.item
            hypothetical.append(
                Entry(
                    -number,
                    item.code,
                    Direction.BONUS,
                    item.points,
                    application.achieved_on,
                    day,
                    EventState.COUNTING,
                    False,
                    item.yearly_cap,
                    item.dimension,
                )
            )
        if_approved = score_on(hypothetical, rules, day)
    return CreditResult(
        score=score,
        day=day,
        events=events,
        pending={"objections": len(objected), "bonuses": len(bonuses), "repairs": repairs},
        if_approved=if_approved,
    )


def stored_score(*, institution_id: int) -> CreditScore | None:
    """The institution's last stored score (regulators, directory, profile), None when it has none."""
    return CreditScore.objects.filter(institution_id=institution_id).first()


@dataclass(frozen=True)
class TrendPoint:
    month: str  # "2026-11"
    score: Decimal
    level: str


def score_trend(
    *, institution_id: int, months: int = TREND_MONTHS, day: datetime.date | None = None
) -> list[TrendPoint]:
    """The last snapshot of each of the last `months` months that have one, oldest first."""
    day = day or timezone.localdate()
    start = datetime.date(day.year - (months // 12), day.month, 1)
    rows = (
        CreditSnapshot.objects.filter(institution_id=institution_id, day__gte=start, day__lte=day)
        .order_by("day")
        .values_list("day", "score", "level")
    )
    last: dict[str, TrendPoint] = {}
    for snapshot_day, score, level in rows:
        month = f"{snapshot_day:%Y-%m}"
        last[month] = TrendPoint(month, score, level)
    return list(last.values())[-months:]


DIMENSION_BASE = Decimal("20")  # the base score (100) shared equally by the five dimensions
DIMENSION_HIGH = Decimal("30")


@dataclass
class CreditPortrait:
    result: CreditResult
    trend: list[TrendPoint]
    trend_svg: str
    dimensions: list[tuple[str, Decimal, Decimal]]  # label, net points, dimension score
    radar_svg: str


def credit_portrait(*, institution_id: int, day: datetime.date | None = None) -> CreditPortrait:
    """信用画像: the score's trend over the last 24 months (the last snapshot of each month, today's
    score last) and the current score by dimension: each dimension starts from 20 (the base score
    shared by the five), plus its bonuses, minus its deductions."""
    from sujt.core.charts import line_chart_svg, radar_chart_svg

    from .choices import Dimension

    result = credit_result(institution_id=institution_id, day=day)
    trend = score_trend(institution_id=institution_id, day=result.day)
    today = f"{result.day:%Y-%m}"
    trend = [point for point in trend if point.month != today] + [
        TrendPoint(today, result.score.score, result.score.level)
    ]
    rules = credit_rules()
    values = [float(point.score) for point in trend]
    low = max(0.0, min([*values, float(rules.level_c_min)]) - 10)
    high = max([*values, float(rules.base_score + rules.bonus_cap)])
    guides = [
        (float(threshold), f"{level} {threshold.normalize():f}")
        for level, threshold in (("A", rules.level_a_min), ("B", rules.level_b_min), ("C", rules.level_c_min))
    ]
    trend_svg = line_chart_svg(
        [(point.month, float(point.score)) for point in trend],
        title="近 24 个月信用分走势",
        low=low,
        high=high,
        guides=guides,
        id_prefix="credit-trend",
    )
    dimensions = []
    for code, label in Dimension.choices:
        net = Decimal(result.score.dimensions.get(code, "0"))
        dimensions.append((label, net, min(max(DIMENSION_BASE + net, Decimal("0")), DIMENSION_HIGH)))
    radar_svg = radar_chart_svg(
        [(label, float(value)) for label, _net, value in dimensions],
        title="各维度得分",
        high=float(DIMENSION_HIGH),
        id_prefix="credit-radar",
    )
    return CreditPortrait(
        result=result, trend=trend, trend_svg=trend_svg, dimensions=dimensions, radar_svg=radar_svg
    )


@dataclass
class CreditSummary:
    """The dashboard's 机构自身信用画像 block."""

    score: Score
    sparkline_svg: str


def credit_summary(*, institution_id: int) -> CreditSummary:
    """Today's score and level from the ledger and a sparkline of the last 12 months (three queries)."""
    from sujt.core.charts import line_chart_svg

    day = timezone.localdate()
    rules = credit_rules()
    score = score_on([_entry(event) for event in events_of(institution_id=institution_id)], rules, day)
    trend = [point for point in score_trend(institution_id=institution_id, months=12, day=day)]
    today = f"{day:%Y-%m}"
    points = [(point.month, float(point.score)) for point in trend if point.month != today]
    points.append((today, float(score.score)))
    values = [value for _month, value in points]
    sparkline = line_chart_svg(
        points,
        title="近 12 个月信用分走势",
        low=max(0.0, min(values) - 5),
        high=max(values) + 5,
        width=200,
        height=48,
        id_prefix="dashboard-credit",
        sparkline=True,
    )
    return CreditSummary(score=score, sparkline_svg=sparkline)
