"""The workspace list of the institution's centers (中心管理), declared on sujt.core.lists."""

from sujt.accounts.decorators import institution_required
from sujt.core.lists import Column, ListFilterSet, TabFilter, WorkspaceList

from . import selectors
from .choices import CenterStatus
from .models import PERMISSION


class CenterFilter(ListFilterSet):
    status = TabFilter(choices=CenterStatus.choices)


CENTERS = WorkspaceList(
    key="centers",
    title="中心管理",
    selector=lambda request: selectors.centers_of(institution_id=request.institution.pk),
    filterset=CenterFilter,
    columns=[
        Column("name", "中心名称", link=lambda center: center.get_absolute_url(), wrap=True),
        Column("status", "状态", export_value="get_status_display", essential=True),
    ],
    export_title="中心",
    empty_text="暂无中心",
    caption="本机构的中心",
    count_noun="个",
    item_name="中心",
    permission=PERMISSION,
    access=institution_required,
    available=lambda request: selectors.centers_enabled(request.institution),
)
