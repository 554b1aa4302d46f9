"""python manage.py rebuild_search_index — rebuild the capability search index from scratch.

The index follows capability changes by itself (sync, admin, demo seed); this is for operators after a
restore, a bulk import outside the sync, or a change of the segmentation. Safe to run at any time:
each batch of institutions is replaced in one transaction.
"""

from django.core.management.base import BaseCommand

from ...models import CapabilitySearch, InstitutionSearchTerm
from ...search.services import search_index_rebuild


class Command(BaseCommand):
    help = "重建检验检测能力检索索引（按机构分批，可重复执行）。"

    def handle(self, *args, **options) -> None:
        def report(institutions: int, rows: int) -> None:
            self.stdout.write(f"  已处理 {institutions} 家机构，{rows} 条能力")

        institutions, rows = search_index_rebuild(report=report)
        total = CapabilitySearch.objects.count()
        terms = InstitutionSearchTerm.objects.count()
        message = (
            f"检索索引已重建：{institutions} 家机构，{rows} 条能力"
            f"（索引共 {total} 行，机构检索词 {terms} 行）。"
        )
        self.stdout.write(self.style.SUCCESS(message))
