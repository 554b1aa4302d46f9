"""python manage.py certificates_check — run the certificate expiry job and the expiry reminders now.

The same work as the daily beat tasks (institutions.tasks.certificates_expire_task, and the certificate
deadline of sujt.core.tasks.deadlines_run_task), for operators: after a data sync, or when the beat
scheduler was down. Both parts are idempotent. `manage.py run_deadlines` runs every deadline.
"""

from django.core.management.base import BaseCommand, CommandParser

from sujt.core.audit import acting_as, system_user
from sujt.core.dates import day_argument
from sujt.core.deadlines import deadlines_run

from ...integrations.certificates import CERTIFICATE_DEADLINE
from ...services.certificates import certificates_expire


class Command(BaseCommand):
    help = "将已过有效期的资质认定证书状态置为过期，并发送到期前6个月、3个月、1个月的提醒（均可重复执行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=day_argument,
            help="按指定日期（YYYY-MM-DD）执行，默认今天；用于补跑。",
        )

    def handle(self, *args, **options) -> None:
        today = options.get("date")
        with acting_as(system_user()):
            expired = certificates_expire(today=today)
            reminded = deadlines_run(today=today, keys=[CERTIFICATE_DEADLINE]).count(CERTIFICATE_DEADLINE)
        self.stdout.write(f"已将 {expired} 张证书的状态置为过期；发送到期提醒 {reminded} 条。")
