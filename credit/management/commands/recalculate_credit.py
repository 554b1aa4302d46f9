"""python manage.py recalculate_credit [--institution ID] — recalculate credit scores now.

The scores follow every change by themselves (queued after each commit) and the nightly job; this is for
operators after a restore, a bulk correction or a change of the point table they want applied at once.
"""

from django.core.management.base import BaseCommand, CommandError

from institutions.models import Institution

from ...services import calendar_states_update, scores_recalculate


class Command(BaseCommand):
    help = "重新计算信用分与信用等级（默认全部机构；--institution 只算一家）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--institution", type=int, help="机构编号（ID）")

    def handle(self, *args, **options) -> None:
        pk = options.get("institution")
        if pk is not None and not Institution.objects.filter(pk=pk).exists():
            raise CommandError(f"机构 {pk} 不存在。")
        changed = calendar_states_update()
        scored = scores_recalculate(institution_ids=[pk] if pk is not None else None)
        where = f"机构 {pk}" if pk is not None else "全部机构"
        self.stdout.write(
            self.style.SUCCESS(
                f"信用分已重新计算（{where}）：{scored} 家机构适用信用管理；"
                f"有效期届满而变更状态的记录涉及 {len(changed)} 家机构。"
            )
        )
