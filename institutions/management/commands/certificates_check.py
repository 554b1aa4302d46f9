"""python manage.py certificates_check — run the certificate expiry job and the expiry reminders now.

The same work as the daily beat tasks (institutions.tasks), for operators: after a data sync, or when the
beat scheduler was down. Both parts are idempotent.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sujt.core.audit import acting_as, system_user

from ...services.certificates import certificate_reminders_send, certificates_expire


class Command(BaseCommand):
    help = "将已过有效期的资质认定证书状态置为过期，并发送到期前6个月、3个月、1个月的提醒（均可重复执行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="按指定日期（YYYY-MM-DD）执行，默认今天；用于补跑。",
        )

    def handle(self, *args, **options) -> None:
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from error
        with acting_as(system_user()):
            expired = certificates_expire(today=today)
            reminded = certificate_reminders_send(today=today)
        self.stdout.write(f"已将 {expired} 张证书的状态置为过期；发送到期提醒 {reminded} 条。")
