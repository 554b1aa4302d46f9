"""The score of one institution on one day, from its ledger: a pure function of the events, the policy
and the date (DESIGN §7), so the same inputs always give the same score.

- A deduction counts while 计分中 or 异议中 (an objection restores the points only once approved), from
  the day it occurred, and keeps counting after its validity period unless a repair was approved: an
  approved repair (已修复待返还) counts until the validity period ends, then the points are returned. A
  voided deduction (objection approved) never counts.
- A bonus counts while 计分中 from the day it occurred until its validity period ends.
- An item with a yearly cap counts at most that many of its events per calendar year of occurrence,
  the earliest first.
- score = base + min(sum of bonuses, bonus cap) − sum of deductions; a counted veto item forces D,
  otherwise A/B/C by the policy's thresholds (score ≥ threshold), else D.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .choices import Dimension, Direction, EventState, Level

DEDUCTION_COUNTS = {EventState.COUNTING, EventState.OBJECTED}


@dataclass(frozen=True)
class Rules:
    base_score: Decimal
    bonus_cap: Decimal
    level_a_min: Decimal
    level_b_min: Decimal
    level_c_min: Decimal

    def level_of(self, score: Decimal, *, veto: bool) -> str:
        if veto:
            return Level.D
        if score >= self.level_a_min:
            return Level.A
        if score >= self.level_b_min:
            return Level.B
        if score >= self.level_c_min:
            return Level.C
        return Level.D


@dataclass(frozen=True)
class Entry:
    """What scoring needs of one credit event."""

    id: int
    item_code: str
    direction: str
    points: Decimal
    occurred_on: datetime.date
    valid_until: datetime.date
    state: str
    veto: bool = False
    yearly_cap: int | None = None
    dimension: str = Dimension.SUPERVISION


@dataclass
class Score:
    score: Decimal
    level: str
    bonus: Decimal  # after the cap
    deduction: Decimal
    veto: bool
    counted: list[int] = field(default_factory=list)  # ids of the events that count
    dimensions: dict[str, str] = field(default_factory=dict)  # dimension → net points, as text


def counts_on(entry: Entry, day: datetime.date) -> bool:
    """Whether the event counts on `day`, before the yearly caps."""
    if entry.occurred_on > day:
        return False
    if entry.direction == Direction.BONUS:
        return entry.state == EventState.COUNTING and day <= entry.valid_until
    if entry.state in DEDUCTION_COUNTS:
        return True
    return entry.state == EventState.REPAIRED and day <= entry.valid_until


def _within_caps(entries: list[Entry]) -> list[Entry]:
    seen: dict[tuple[str, int], int] = defaultdict(int)
    kept = []
    for entry in sorted(entries, key=lambda e: (e.occurred_on, e.id)):
        if entry.yearly_cap is not None:
            key = (entry.item_code, entry.occurred_on.year)
            if seen[key] >= entry.yearly_cap:
                continue
            seen[key] += 1
        kept.append(entry)
    return kept


def score_on(entries: Iterable[Entry], rules: Rules, day: datetime.date) -> Score:
    counted = _within_caps([entry for entry in entries if counts_on(entry, day)])
    bonuses = sum((e.points for e in counted if e.direction == Direction.BONUS), Decimal("0"))
    deductions = sum((e.points for e in counted if e.direction == Direction.DEDUCTION), Decimal("0"))
    bonus = min(bonuses, rules.bonus_cap)
    veto = any(e.veto for e in counted if e.direction == Direction.DEDUCTION)
    score = rules.base_score + bonus - deductions
    dimensions: dict[str, Decimal] = {code: Decimal("0") for code in Dimension.values}
    for entry in counted:
        sign = 1 if entry.direction == Direction.BONUS else -1
        dimensions[entry.dimension] = dimensions.get(entry.dimension, Decimal("0")) + sign * entry.points
    return Score(
        score=score,
        level=rules.level_of(score, veto=veto),
        bonus=bonus,
        deduction=deductions,
        veto=veto,
        counted=[entry.id for entry in counted],
        dimensions={code: str(points) for code, points in dimensions.items()},
    )
