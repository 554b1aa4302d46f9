"""Benchmark of the public portal pages: `python -m news.bench --articles 20000 --institutions 5000`.

Fills a throwaway test database of the configured backend (DATABASE_URL; SQLite in memory unless
SQLITE_TEST_NAME names a file) with generated public articles and institutions, then requests each page
through Django's test client in this process (no network) and reports p50/p95 in milliseconds, the
number of SQL statements, and the ratio of p50 to the floor: the static help page rendered by the same
stack. The home page is measured twice: with its caches cleared before every request (the worst case,
after any content change) and warm.
"""

import argparse
import sys
import time

from sujt.core.bench import measure, setup_django, throwaway_database


def generate(*, articles: int, institutions: int) -> None:
    """Public articles spread over every category and the last three years; public institutions spread
    over the districts, each declaring one testing field and holding one certificate."""
    import datetime
    import itertools

    from django.utils import timezone

    from institutions.demo import demo_uscc
    from institutions.models import Certificate, Institution, InstitutionField
    from news.choices import CATEGORY_CHANNEL
    from news.models import Article
    from sujt.core.choices import ReviewStatus, TestingField
    from sujt.core.regions import DISTRICTS

    districts = list(DISTRICTS)
    fields = list(TestingField.values)
    batch = 2000
    created = []
    for start in range(0, institutions, batch):
        rows = [
            Institution(
                name=f"基准测试检验检测机构{number:05d}",
                uscc=demo_uscc(region_code=districts[number % len(districts)], number=number),
                region_code=districts[number % len(districts)],
            )
            for number in range(start + 1, min(start + batch, institutions) + 1)
        ]
        created.extend(Institution.objects.bulk_create(rows))
    InstitutionField.objects.bulk_create(
        [InstitutionField(institution=inst, code=fields[i % len(fields)]) for i, inst in enumerate(created)],
        batch_size=batch,
    )
    today = timezone.localdate()
    Certificate.objects.bulk_create(
        [
            Certificate(
                institution=inst,
                # YY AA FF DD NNNN: a year per 10,000 serials keeps the numbers unique.
                number=f"{20 + i // 10000:02d}10{fields[i % len(fields)]}00{i % 10000:04d}",
                field_code=fields[i % len(fields)],
                issued_on=today - datetime.timedelta(days=400),
                expires_on=today + datetime.timedelta(days=1500),
            )
            for i, inst in enumerate(created)
        ],
        batch_size=batch,
    )
    categories = itertools.cycle(CATEGORY_CHANNEL.items())
    now = timezone.now()
    for start in range(0, articles, batch):
        rows = []
        for number in range(start, min(start + batch, articles)):
            category, channel = next(categories)
            rows.append(
                Article(
                    channel=channel,
                    category=category,
                    title=f"基准测试文章第 {number} 篇：检验检测机构监督管理工作动态",
                    summary="为进一步规范检验检测市场秩序，现将有关事项通知如下。",
                    body="<p>各设区市市场监督管理局：</p>" * 20,
                    region_code=districts[number % len(districts)][:4] + "00",
                    status=ReviewStatus.APPROVED,
                    published_at=now - datetime.timedelta(hours=number % (24 * 365 * 3) + 1),
                    is_pinned=number % 997 == 0,
                )
            )
        Article.objects.bulk_create(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="门户页面性能测试")
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--institutions", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)

    setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from news.models import Article

    with throwaway_database():
        started = time.perf_counter()
        generate(articles=args.articles, institutions=args.institutions)
        if connection.vendor == "postgresql":
            # Autovacuum would have gathered statistics on a live database; without them the planner
            # takes 5,000 institutions for one row and picks nested loops.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        generating = time.perf_counter() - started
        print(
            f"规模：{args.articles} 篇已发布文章、{args.institutions} 家机构（生成 {generating:.1f} s）；"
            f"每个页面请求 {args.repeat} 次",
            flush=True,
        )
        client = Client()
        middle = Article.objects.order_by("-published_at").values_list("pk", flat=True)[args.articles // 2]
        pages = [
            ("帮助页（基线）", reverse("portal:help"), None),
            ("首页（每次清空缓存）", reverse("portal:home"), cache.clear),
            ("首页（缓存命中）", reverse("portal:home"), None),
            ("新闻资讯列表第 1 页", reverse("news:news_list"), None),
            ("法律法规列表第 50 页", reverse("news:laws_list") + "?page=50", None),
            ("通知公告检索“监督”", reverse("news:notices_list") + "?q=监督", None),
            ("文章详情", reverse("news:article_detail", args=[middle]), None),
            ("新闻资讯 RSS", reverse("news:news_feed"), None),
        ]
        floor = None
        print("| 页面 | p50 ms | p95 ms | p50 / 基线 | SQL 条数 |")
        print("|---|---|---|---|---|")
        for label, url, before in pages:
            measure(client, url, repeat=3, before=before)  # warm up
            result = measure(client, url, repeat=args.repeat, before=before)
            floor = floor or result["p50"]
            print(
                f"| {label} | {result['p50']:.1f} | {result['p95']:.1f} | "
                f"{result['p50'] / floor:.1f} | {result['queries']} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
