"""Benchmark of the public searches (issue 13): `python -m institutions.search.bench`.

    DATABASE_URL=postgres://…/sujt_scale python -m institutions.search.bench --reuse   # data already there
    python -m institutions.search.bench --institutions 300 --capabilities 50          # throwaway database

With `--reuse` it measures the database DATABASE_URL names, generating the data into it first only when
it has no public institutions yet (`manage.py generate_scale` does the same; at 5,000 × 200 that takes
minutes, so generate once and reuse). Without it, a throwaway test database is filled and dropped.

Every page in PAGES is requested through Django's test client in this process (no network, DEBUG off)
and reported with p50/p95 in milliseconds and its number of SQL statements; then the statements the
page ran, captured once, are run again directly on the driver's cursor the same number of times (the
raw SQL of the same search: what the database alone costs), and the page's p95 is divided by theirs.
The floor is the static help page on the same stack. Each search page is also fetched as its page 2:
the number of statements must not depend on the page or on the data.
"""

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    params: dict[str, str] = field(default_factory=dict)
    # A page whose statements are a search (compared with its raw SQL and its page 2).
    search: bool = True


# One more page to measure is one more line.
PAGES: list[Page] = [
    Page("帮助页（基线）", "portal:help", search=False),
    Page("机构查询：无关键词", "institutions:directory"),
    Page("机构查询“钢筋”", "institutions:directory", {"q": "钢筋"}),
    Page("机构查询“水质”", "institutions:directory", {"q": "水质"}),
    Page("机构查询“铅”", "institutions:directory", {"q": "铅"}),
    Page("机构查询“大肠菌群”", "institutions:directory", {"q": "大肠菌群"}),
    Page("机构查询“GB 5009.12”", "institutions:directory", {"q": "GB 5009.12"}),
    Page("机构查询“GB/T 5750”", "institutions:directory", {"q": "GB/T 5750"}),
    Page("机构查询“混凝土 抗压强度”", "institutions:directory", {"q": "混凝土 抗压强度"}),
    Page("机构查询“生活饮用水”（两个词连写）", "institutions:directory", {"q": "生活饮用水"}),
    Page("机构查询“食品中铅的测定”（多词短语）", "institutions:directory", {"q": "食品中铅的测定"}),
    Page("机构查询“抗压强”（片段）", "institutions:directory", {"q": "抗压强"}),
    Page("机构查询“钢筋”+苏州市", "institutions:directory", {"q": "钢筋", "city": "320500"}),
    Page("机构查询：机构名称“澄衡”", "institutions:directory", {"q": "澄衡"}),
    Page("机构查询 JSON“大肠菌群”", "institutions:directory_json", {"q": "大肠菌群"}),
    Page("谁能检“钢筋”", "capabilities:search", {"q": "钢筋"}),
    Page("谁能检“铅”", "capabilities:search", {"q": "铅"}),
    Page("谁能检“GB/T 5750”", "capabilities:search", {"q": "GB/T 5750"}),
    Page("谁能检“混凝土 抗压强度”+南京市", "capabilities:search", {"q": "混凝土 抗压强度", "city": "320100"}),
    Page("谁能检“食品中铅的测定”（多词短语）", "capabilities:search", {"q": "食品中铅的测定"}),
    Page("谁能检 JSON“大肠菌群”", "capabilities:json", {"q": "大肠菌群"}),
]


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(len(ordered) * 0.95) - 1)]


def captured_sql(client, url: str) -> list[str]:
    """The SQL statements one request of `url` runs, as executable text."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, secure=True)
    return [query["sql"] for query in captured.captured_queries]


def measure_raw(statements: list[str], *, repeat: int) -> dict:
    """p50/p95 ms of running `statements` one after the other on the driver's cursor, every row fetched."""
    from django.db import connection

    connection.ensure_connection()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        cursor = connection.connection.cursor()
        try:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
        finally:
            cursor.close()
        timings.append((time.perf_counter() - started) * 1000)
    return {"p50": statistics.median(timings), "p95": _p95(timings)}


def _url(entry: Page, **extra: str) -> str:
    from django.urls import reverse

    params = {**entry.params, **extra}
    return reverse(entry.url_name) + (f"?{urlencode(params)}" if params else "")


def bench(*, repeat: int, say: Callable[[str], None] = print) -> list[dict]:
    from django.test import Client

    from sujt.core.bench import measure

    client = Client()
    results = []
    say("| 页面 | p50 ms | p95 ms | 原始 SQL p95 ms | p95 / 原始 SQL | p50 / 基线 | SQL 条数（第 1/2 页） |")
    say("|---|---|---|---|---|---|---|")
    floor = None
    for page in PAGES:
        url = _url(page)
        measure(client, url, repeat=3)  # warm up
        result = measure(client, url, repeat=repeat)
        floor = floor or result["p50"]
        row = {"page": page, "url": url, **result}
        if page.search:
            raw = measure_raw(captured_sql(client, url), repeat=repeat)
            row["raw_p95"] = raw["p95"]
            row["second_page_queries"] = measure(client, _url(page, page="2"), repeat=1)["queries"]
        results.append(row)
        raw_cells = f"{row['raw_p95']:.1f} | {row['p95'] / row['raw_p95']:.1f}" if page.search else "— | —"
        queries = f"{row['queries']} / {row['second_page_queries']}" if page.search else f"{row['queries']}"
        say(
            f"| {page.label} | {row['p50']:.1f} | {row['p95']:.1f} | {raw_cells} | "
            f"{row['p50'] / floor:.1f} | {queries} |"
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="服务检索性能测试")
    parser.add_argument(
        "--reuse", action="store_true", help="使用 DATABASE_URL 指定的数据库（无数据时先生成）"
    )
    parser.add_argument("--institutions", type=int, default=5000)
    parser.add_argument("--capabilities", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)

    # The open-data JSON pages are limited per client address; the test client is one address.
    os.environ.setdefault("PUBLIC_API_LIMIT_MINUTE", "1000000")
    os.environ.setdefault("PUBLIC_API_LIMIT_DAY", "1000000")
    from sujt.core.bench import setup_django, throwaway_database

    setup_django()
    from django.conf import settings
    from django.db import connection

    from institutions.models import Capability, CapabilitySearch, Institution
    from institutions.scale import generate, public_institutions_exist

    database = contextlib.nullcontext() if args.reuse else throwaway_database()
    with database:
        if args.reuse:
            print(f"数据库：{connection.vendor}（{settings.DATABASES['default']['NAME']}，沿用）", flush=True)
        if not public_institutions_exist():
            started = time.perf_counter()
            result = generate(
                institutions=args.institutions,
                capabilities=args.capabilities,
                seed=args.seed,
                report=lambda message: print(f"  {message}", flush=True),
            )
            steps = "，".join(f"{key} {seconds:.1f} s" for key, seconds in result.seconds.items())
            print(f"生成数据 {time.perf_counter() - started:.1f} s（{steps}）", flush=True)
        print(
            f"规模：{Institution.objects.count()} 家机构，{Capability.objects.count()} 条能力，"
            f"{CapabilitySearch.objects.count()} 行检索索引；CPU 核数 {os.cpu_count()}；"
            f"每个页面请求 {args.repeat} 次",
            flush=True,
        )
        results = bench(repeat=args.repeat, say=lambda line: print(line, flush=True))
    searches = [row for row in results if row["page"].search]
    changing = [row["page"].label for row in searches if row["queries"] != row["second_page_queries"]]
    print(
        f"最大 p95 {max(row['p95'] for row in searches):.1f} ms；"
        f"最大 p95 / 原始 SQL {max(row['p95'] / row['raw_p95'] for row in searches):.1f}；"
        + (f"第 2 页 SQL 条数不同：{'、'.join(changing)}" if changing else "第 1、2 页 SQL 条数相同")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
