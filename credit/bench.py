"""Benchmark of the credit recalculation (issue 15): `python -m credit.bench`.

    DATABASE_URL=postgres://…/sujt_scale python -m credit.bench --reuse       # the scale data already there
    python -m credit.bench --institutions 1000 --events 10000                  # throwaway database

Fills the ledger of the institutions module 05 applies to with `--events` credit events in bulk (items,
dates and states drawn deterministically from `--seed`; with `--reuse` the bench's own earlier events,
keyed `bench:`, are replaced), then times `scores_recalculate()` for everyone — one read of the ledger
and two bulk writes per 1,000 institutions — and the nightly job, `--repeat` times each. Without
`--reuse` the institutions come from `institutions.scale.generate` (without capabilities) in a throwaway
test database.
"""

import argparse
import datetime
import random
import statistics
import sys
import time


def _fill(*, events: int, seed: int) -> tuple[int, int]:
    from django.db import transaction
    from django.utils import timezone

    from credit.choices import EventSource, EventState
    from credit.models import CreditEvent, CreditItem
    from credit.services import credit_institutions
    from sujt.core.dates import add_months

    institutions = list(credit_institutions().order_by("pk").values_list("pk", flat=True))
    items = list(CreditItem.objects.order_by("code"))
    rng = random.Random(seed)
    today = timezone.localdate()
    states = [EventState.COUNTING] * 8 + [EventState.OBJECTED, EventState.VOIDED, EventState.REPAIRED]
    rows = []
    for number in range(events):
        item = rng.choice(items)
        occurred = today - datetime.timedelta(days=rng.randrange(0, 3 * 365))
        rows.append(
            CreditEvent(
                institution_id=rng.choice(institutions),
                item=item,
                direction=item.direction,
                points=item.points,
                occurred_on=occurred,
                valid_until=add_months(occurred, item.months_valid) - datetime.timedelta(days=1),
                state=rng.choice(states) if item.direction == "deduction" else EventState.COUNTING,
                source=EventSource.MANUAL,
                source_key=f"bench:{seed}:{number}",
                reason="性能测试数据",
            )
        )
    with transaction.atomic():
        CreditEvent.objects.filter(source_key__startswith="bench:").delete()
        CreditEvent.objects.bulk_create(rows, batch_size=5000)
    return len(institutions), len(rows)


def _timed(function, *, repeat: int) -> tuple[float, float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), max(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="信用分重算性能测试")
    parser.add_argument(
        "--reuse", action="store_true", help="使用 DATABASE_URL 指定的数据库（无数据时先生成）"
    )
    parser.add_argument("--institutions", type=int, default=5000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from sujt.core.bench import setup_django, throwaway_database

    setup_django()
    import contextlib

    from django.conf import settings
    from django.db import connection

    from credit.models import CreditEvent
    from credit.services import credit_nightly, scores_recalculate
    from institutions.models import Institution
    from institutions.scale import generate, public_institutions_exist

    database = contextlib.nullcontext() if args.reuse else throwaway_database()
    with database:
        if args.reuse:
            print(f"数据库：{connection.vendor}（{settings.DATABASES['default']['NAME']}，沿用）", flush=True)
        if not public_institutions_exist():
            started = time.perf_counter()
            generate(institutions=args.institutions, capabilities=0, seed=args.seed)
            print(f"生成机构 {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        in_scope, events = _fill(events=args.events, seed=args.seed)
        filled = time.perf_counter() - started
        print(
            f"规模：{Institution.objects.count()} 家机构，其中 {in_scope} 家持江苏省发证的有效证书"
            f"（信用管理适用）；信用记录 {CreditEvent.objects.count()} 条"
            f"（本次写入 {events} 条，{filled:.1f} s）",
            flush=True,
        )
        median, worst = _timed(lambda: scores_recalculate(), repeat=args.repeat)
        print(
            f"全部重算 scores_recalculate()：中位数 {median:.2f} s，最长 {worst:.2f} s（{args.repeat} 次）",
            flush=True,
        )
        median, worst = _timed(lambda: credit_nightly(), repeat=args.repeat)
        print(
            f"夜间任务 credit_nightly()：中位数 {median:.2f} s，最长 {worst:.2f} s（{args.repeat} 次）",
            flush=True,
        )
        if args.reuse:
            CreditEvent.objects.filter(source_key__startswith="bench:").delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
