"""python manage.py bench [--json FILE] — the main pages measured under gunicorn on the current database.

    python manage.py generate_scale && python manage.py bench --json bench.json

See sujt.portal.benchmark for how pages are driven and what the floor is. Pages: the portal home, the
directory search for a fixed set of queries, the public profile and the workspace dashboard of the
busiest institution (the one with the most capabilities that has an admin), the province regulator's
admin home and the admin institution list.
"""

import json
import urllib.parse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.urls import reverse

from institutions.models import Institution
from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import Membership, Regulator
from sujt.portal import benchmark

PROVINCE = "320000"
INSTITUTION_ADMIN = "/admin/institutions/institution/"


class Command(BaseCommand):
    help = (
        "在当前数据库上用 gunicorn（2 个进程）启动系统，并发请求主要页面，"
        "输出 p50/p95、吞吐量及与基准页的比值。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", dest="json_file", help="把全部数据写入此 JSON 文件")
        parser.add_argument("--clients", type=int, default=8, help="并发客户端数（默认 8）")
        parser.add_argument("--requests", type=int, default=200, help="每个页面的请求次数（默认 200）")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn 进程数（默认 2）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clients"] < 1 or options["requests"] < options["clients"]:
            raise CommandError("并发客户端数至少为 1，请求次数不能少于客户端数。")
        busy = (
            Membership.objects.filter(role=MembershipRole.ADMIN, user__is_active=True)
            .annotate(capability_count=Count("institution__capabilities"))
            .select_related("institution", "user")
            .order_by("-capability_count", "pk")
            .first()
        )
        regulator = (
            Regulator.objects.filter(region_code=PROVINCE, is_active=True, user__is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if busy is None or regulator is None:
            raise CommandError("数据库中没有机构管理员或省级监管人员：请先运行 generate_scale 或 seed_demo。")
        institution_cookie = benchmark.session_cookie(busy.user)
        regulator_cookie = benchmark.session_cookie(regulator.user)
        pages = self._pages(busy.institution, institution_cookie, regulator_cookie)
        drive = {"clients": options["clients"], "requests": options["requests"]}
        results: list[tuple[str, benchmark.PageResult, benchmark.PageResult]] = []
        with benchmark.gunicorn(workers=options["workers"]) as base:
            floors = {}
            for who, cookie in (("公众", ""), ("机构", institution_cookie), ("监管", regulator_cookie)):
                floors[who] = benchmark.drive(base, benchmark.FLOOR_URL, cookie=cookie, **drive)
            for name, url, who, cookie in pages:
                benchmark.drive(base, url, cookie=cookie, clients=1, requests=2)  # warm-up
                result = benchmark.drive(base, url, cookie=cookie, **drive)
                result.name, result.who = name, who
                results.append((name, result, floors[who]))
        self._print(results, floors)
        if options["json_file"]:
            document = {
                "clients": options["clients"],
                "requests_per_page": options["requests"],
                "workers": options["workers"],
                "institution": busy.institution.name,
                "floors": {who: floor.as_dict(None) for who, floor in floors.items()},
                "pages": [result.as_dict(floor) for _, result, floor in results],
            }
            with open(options["json_file"], "w", encoding="utf-8") as output:
                json.dump(document, output, ensure_ascii=False, indent=2)
            self.stdout.write(f"已写入 {options['json_file']}")
        if any(result.errors for _, result, _ in results):
            raise CommandError("有请求未返回 200，见上表的“错误”列。")

    def _pages(self, institution: Institution, institution_cookie: str, regulator_cookie: str) -> list:
        names = list(Institution.objects.order_by("pk").values_list("name", flat=True)[:2])
        queries = [*names, *benchmark.SEARCH_WORDS]
        directory = reverse("institutions:directory")
        pages = [("门户首页", reverse("portal:home"), "公众", "")]
        pages += [
            (f"机构检索：{query}", f"{directory}?{urllib.parse.urlencode({'q': query})}", "公众", "")
            for query in queries
        ]
        pages += [
            ("机构公开主页", reverse("institutions:public_detail", args=[institution.pk]), "公众", ""),
            ("机构工作台首页", reverse("portal:dashboard"), "机构", institution_cookie),
            ("监管端首页（省局）", reverse("admin:index"), "监管", regulator_cookie),
            (
                "监管端机构列表",
                reverse("admin:institutions_institution_changelist"),
                "监管",
                regulator_cookie,
            ),
        ]
        return pages

    def _print(self, results: list, floors: dict) -> None:
        self.stdout.write(
            f"{'页面':<28}{'p50 ms':>9}{'p95 ms':>9}{'次/秒':>8}{'p50/基准':>9}{'吞吐/基准':>9}{'错误':>6}"
        )
        for who, floor in floors.items():
            self.stdout.write(
                f"{'基准页（' + who + '）':<28}{floor.p50:>9.1f}{floor.p95:>9.1f}{floor.throughput:>8.1f}"
                f"{'':>9}{'':>9}{floor.errors:>6}"
            )
        for name, result, floor in results:
            ratio = result.p50 / floor.p50 if floor.p50 else 0
            share = result.throughput / floor.throughput if floor.throughput else 0
            self.stdout.write(
                f"{name[:26]:<28}{result.p50:>9.1f}{result.p95:>9.1f}{result.throughput:>8.1f}"
                f"{ratio:>9.2f}{share:>9.2f}{result.errors:>6}"
            )
