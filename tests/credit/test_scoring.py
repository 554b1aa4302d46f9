"""The score of one institution on one day (credit.scoring.score_on), hand-worked from DESIGN §7:
score = 100 + min(bonuses, 10) − deductions; A ≥ 90, B ≥ 75, C ≥ 60, else D; a counted veto item is D."""

import datetime
from decimal import Decimal

import pytest

from credit.choices import EventState
from credit.scoring import Entry, Rules, score_on

DAY = datetime.date(2026, 6, 30)
RULES = Rules(
    base_score=Decimal("100"),
    bonus_cap=Decimal("10"),
    level_a_min=Decimal("90"),
    level_b_min=Decimal("75"),
    level_c_min=Decimal("60"),
)
C, OBJ, V, R, T, X = (
    EventState.COUNTING,
    EventState.OBJECTED,
    EventState.VOIDED,
    EventState.REPAIRED,
    EventState.RETURNED,
    EventState.EXPIRED,
)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def deduction(points, occurred="2026-03-01", until="2027-02-28", state=C, code="K02", veto=False):
    return ("deduction", code, points, occurred, until, state, veto, None)


def bonus(points, occurred="2026-03-01", until="2027-02-28", state=C, code="J02", cap=None):
    return ("bonus", code, points, occurred, until, state, False, cap)


def entries(rows) -> list[Entry]:
    return [
        Entry(
            id=number,
            item_code=code,
            direction=direction,
            points=Decimal(str(points)),
            occurred_on=d(occurred),
            valid_until=d(until),
            state=state,
            veto=veto,
            yearly_cap=cap,
        )
        for number, (direction, code, points, occurred, until, state, veto, cap) in enumerate(rows, 1)
    ]


CASES = [
    # (name, events, score, level)
    ("nothing recorded", [], "100", "A"),
    ("one general finding", [deduction(2)], "98", "A"),
    ("exactly the A threshold", [deduction(10)], "90", "A"),
    ("just below A", [deduction(10), deduction("0.5")], "89.5", "B"),
    ("exactly the B threshold", [deduction(20), deduction(5)], "75", "B"),
    ("just below B", [deduction(20), deduction(5), deduction(1)], "74", "C"),
    ("exactly the C threshold", [deduction(20), deduction(20)], "60", "C"),
    ("just below C", [deduction(20), deduction(20), deduction(1)], "59", "D"),
    ("bonuses capped at 10", [bonus(3), bonus(3), bonus(3), bonus(2)], "110", "A"),
    ("capped bonuses against deductions", [bonus(3), bonus(3), bonus(3), bonus(3), deduction(25)], "85", "B"),
    (
        "yearly cap: a fourth J01 in one year does not count",
        [bonus(1, code="J01", cap=3, occurred=f"2026-0{m}-01") for m in (1, 2, 3, 4)],
        "103",
        "A",
    ),
    (
        "yearly cap counts per calendar year",
        [bonus(1, code="J01", cap=3, occurred="2025-12-01", until="2026-11-30")] * 2
        + [bonus(1, code="J01", cap=3, occurred="2026-01-10")] * 3,
        "105",
        "A",
    ),
    ("an expired bonus no longer counts", [bonus(2, occurred="2025-01-01", until="2025-12-31")], "100", "A"),
    ("a bonus marked expired", [bonus(2, state=X)], "100", "A"),
    (
        "a deduction past its validity without repair keeps counting",
        [deduction(10, occurred="2024-01-01", until="2024-12-31")],
        "90",
        "A",
    ),
    ("veto forces D whatever the score", [deduction(40, code="K08", veto=True)], "60", "D"),
    ("veto with a high score", [deduction(0, code="K10", veto=True), bonus(5)], "105", "D"),
    ("objection under review still counts", [deduction(10, state=OBJ), deduction(6)], "84", "B"),
    ("objection approved: voided, restored at once", [deduction(10, state=V), deduction(6)], "94", "A"),
    ("objection rejected: back to counting", [deduction(10, state=C), deduction(6)], "84", "B"),
    (
        "approved repair counts until the validity ends",
        [deduction(20, state=R, until="2026-06-30")],
        "80",
        "B",
    ),
    ("approved repair past the validity: returned", [deduction(20, state=R, until="2026-06-29")], "100", "A"),
    ("returned points", [deduction(20, state=T, until="2026-06-29")], "100", "A"),
    (
        "a veto item whose repair was returned after its validity",
        [deduction(40, code="K08", veto=True, state=T, occurred="2023-01-01", until="2025-12-31")],
        "100",
        "A",
    ),
    ("an event dated after the day does not count yet", [deduction(30, occurred="2026-07-01")], "100", "A"),
    ("a bonus on its first and last day", [bonus(2, occurred="2026-06-30", until="2026-06-30")], "102", "A"),
]


@pytest.mark.parametrize(("name", "events", "score", "level"), CASES, ids=[case[0] for case in CASES])
def test_score_and_level(name, events, score, level):
    result = score_on(entries(events), RULES, DAY)
    assert (result.score, result.level) == (Decimal(score), level)


def test_the_counted_events_and_the_totals_are_reported():
    rows = entries([bonus(12), deduction(5), deduction(3, state=V), deduction(4, code="K08", veto=True)])
    result = score_on(rows, RULES, DAY)
    assert result.counted == [1, 2, 4]
    assert (result.bonus, result.deduction, result.veto) == (Decimal("10"), Decimal("9"), True)


def test_dimensions_sum_the_counted_points_by_dimension():
    rows = [
        Entry(1, "K05", "deduction", Decimal("3"), DAY, DAY, C, dimension="operation"),
        Entry(2, "J02", "bonus", Decimal("2"), DAY, DAY, C, dimension="innovation"),
        Entry(3, "K02", "deduction", Decimal("2"), DAY, DAY, V, dimension="supervision"),
    ]
    dimensions = score_on(rows, RULES, DAY).dimensions
    assert dimensions["operation"] == "-3" and dimensions["innovation"] == "2"
    assert dimensions["supervision"] == "0" and set(dimensions) >= {"basic", "capability"}


def test_the_policy_thresholds_are_data():
    strict = Rules(Decimal("100"), Decimal("5"), Decimal("95"), Decimal("85"), Decimal("70"))
    result = score_on(entries([deduction(6), bonus(8)]), strict, DAY)
    assert (result.score, result.level) == (Decimal("99"), "A")
    assert score_on(entries([deduction(6)]), strict, DAY).level == "B"
