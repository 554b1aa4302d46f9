"""python manage.py sync_qualifications [--full] [--from-file FILE.json] — one sync run, now.

Incremental by default (changes since the watermark); --full asks for a full snapshot (what it does not
mention is marked withdrawn); --from-file imports the same JSON offline. Prints the run's summary and
exits with status 1 when the run failed.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...choices import SyncMode, SyncStatus
from ...models import SyncRun
from ...sync.client import TransientSyncError
from ...sync.services import sync_qualifications

MAX_ERRORS_SHOWN = 20


def run_summary(run: SyncRun) -> str:
    return (
        f"同步记录 #{run.pk}（{run.get_mode_display()}，{run.source}）：{run.get_status_display()}。"
        f"页数 {run.pages}，新增 {run.created}，更新 {run.updated}，未变 {run.unchanged}，"
        f"撤回 {run.withdrawn}，失败 {run.failed}，新建账号 {run.accounts_created}。"
    )


def error_line(error: dict) -> str:
    where = error.get("record") or (f"第 {error['page']} 页" if error.get("page") else "")
    return f"{where}：{error.get('message', '')}" if where else str(error.get("message", error))


class Command(BaseCommand):
    help = "与江苏省检验检测资质认定审批系统同步机构信息（默认增量；--full 全量；--from-file 从文件导入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="全量同步：未出现在快照中的机构和条目标记为撤回。"
        )
        parser.add_argument("--from-file", metavar="FILE.json", help="从接口格式的 JSON 文件离线导入。")

    def handle(self, *args, **options) -> None:
        if options["full"] and options["from_file"]:
            raise CommandError("--full 与 --from-file 不能同时使用。")
        mode = SyncMode.FULL if options["full"] else SyncMode.INCREMENTAL
        try:
            run = sync_qualifications(mode=mode, file=options["from_file"])
        except TransientSyncError as error:
            run = error.run
        for error in run.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(error_line(error))
        if len(run.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"……另有 {len(run.errors) - MAX_ERRORS_SHOWN} 条错误，见管理后台的同步记录。")
        if run.status == SyncStatus.FAILED:
            raise CommandError(run_summary(run))
        self.stdout.write(run_summary(run))
