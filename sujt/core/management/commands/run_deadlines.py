"""python manage.py run_deadlines [--date YYYY-MM-DD] — the daily deadline job, now.

The same work as the beat task sujt.core.tasks.deadlines_run_task: every registered deadline's reminders
and overdue actions due on the day, each once (running it again sends nothing new). For operators: when
the beat scheduler was down, or to catch up a missed day with --date.
"""

from django.core.management.base import BaseCommand, CommandParser

from ...audit import acting_as, system_user
from ...dates import day_argument
from ...deadlines import deadlines_run


class Command(BaseCommand):
    help = "发送各类期限的到期提醒并执行逾期处理（每项只执行一次，可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=day_argument, help="按指定日期（YYYY-MM-DD）执行，默认今天。")

    def handle(self, *args, **options) -> None:
        today = options.get("date")
        # Overdue actions change objects: their history names the system user, as the beat task's do.
        with acting_as(system_user()):
            report = deadlines_run(today=today)
        self.stdout.write("\n".join(report.lines()))
