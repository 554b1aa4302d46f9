"""python manage.py generate_scale — province-scale generated data for the benchmarks (DESIGN §10).

    python manage.py generate_scale                      # 5,000 institutions × 200 capabilities, seed 1
    python manage.py generate_scale --institutions 50 --capabilities 20 --seed 7

The same seed gives the same data (institutions.scale). It refuses to add to a database that already
has public institutions, unless told `--append` (the new ones then continue the numbering after the
institutions already there).
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import Institution
from ...scale import generate, public_institutions_exist


class Command(BaseCommand):
    help = "生成省级规模的测试数据（机构、证书、场所、领域、检验检测能力及检索索引），同一种子生成相同数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institutions", type=int, default=5000, help="机构数（默认 5000）")
        parser.add_argument("--capabilities", type=int, default=200, help="每家机构的能力条数（默认 200）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument(
            "--append", action="store_true", help="库中已有公开机构时仍然追加（编号接在已有机构之后）"
        )

    def handle(self, *args, **options) -> None:
        if options["institutions"] < 1 or options["capabilities"] < 0:
            raise CommandError("机构数至少为 1，能力条数不能为负数。")
        first = 0
        if public_institutions_exist():
            if not options["append"]:
                raise CommandError(
                    "数据库中已有公开机构，为避免混入测试数据已停止。确需追加请加 --append，"
                    "或换用一个空数据库。"
                )
            first = Institution.objects.count()
        self.stdout.write(
            f"开始生成：{options['institutions']} 家机构 × {options['capabilities']} 条能力，"
            f"种子 {options['seed']}"
        )
        started = time.perf_counter()
        result = generate(
            institutions=options["institutions"],
            capabilities=options["capabilities"],
            seed=options["seed"],
            first=first,
            report=lambda message: self.stdout.write(f"  {message}"),
        )
        steps = {"data": "写入数据", "completeness": "信息完整度", "index": "检索索引", "analyze": "统计信息"}
        timings = "，".join(
            f"{label} {result.seconds[key]:.1f} s" for key, label in steps.items() if key in result.seconds
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {result.institutions} 家机构、{result.certificates} 张证书、{result.sites} 个场所、"
                f"{result.capabilities} 条能力、{result.search_rows} 行检索索引，"
                f"共 {time.perf_counter() - started:.1f} s（{timings}）。"
            )
        )
