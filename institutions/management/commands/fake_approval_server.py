"""python manage.py fake_approval_server --port 8765 --institutions N [--seed S] [--fail-rate R] ...

Serves the fake qualification-approval system (institutions/sync/fake_server.py) on 127.0.0.1 until
interrupted: deterministic generated data under docs/qualification-sync.md, for demos and load tests.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...sync.fake_server import FakeApprovalServer


class Command(BaseCommand):
    help = "在 127.0.0.1 上启动模拟的资质认定审批系统接口（确定性生成的机构数据），按 Ctrl+C 停止。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765, help="监听端口（0 表示随机端口），默认 8765。")
        parser.add_argument("--institutions", type=int, default=100, help="机构数量，默认 100。")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：相同种子生成相同数据，默认 1。")
        parser.add_argument("--capabilities", type=int, default=20, help="每个机构的能力参数条数，默认 20。")
        parser.add_argument(
            "--fail-rate", type=float, default=0.0, help="以该比例返回 503（0–1，按种子确定）。"
        )
        parser.add_argument(
            "--token", default=None, help="要求的访问令牌；默认取 QUALIFICATION_API_TOKEN，为空则不检查。"
        )

    def handle(self, *args, **options) -> None:
        if not 0 <= options["fail_rate"] <= 1:
            raise CommandError("--fail-rate 应在 0 到 1 之间。")
        if options["institutions"] < 0 or options["capabilities"] < 1:
            raise CommandError("--institutions 不能为负数，--capabilities 至少为 1。")
        token = options["token"] if options["token"] is not None else settings.QUALIFICATION_API_TOKEN
        try:
            server = FakeApprovalServer(
                institutions=options["institutions"],
                seed=options["seed"],
                capabilities=options["capabilities"],
                token=token,
                fail_rate=options["fail_rate"],
                port=options["port"],
                verbose=options["verbosity"] > 1,
            )
        except OSError as error:
            raise CommandError(f"无法监听端口 {options['port']}：{error.strerror or error}") from error
        self.stdout.write(
            f"模拟资质认定审批系统：{server.url}/api/v1/institutions（{options['institutions']} 家机构，"
            f"种子 {options['seed']}，失败率 {options['fail_rate']:g}，"
            f"{'需要令牌' if token else '不检查令牌'}）。按 Ctrl+C 停止。"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("已停止。")
        finally:
            server.stop()
