"""Centers on the public side: the directory filters institutions by the centers they host in operation
(国家级中心 / 省级中心), shows it with its downloads and JSON, and the public profile shows it
(sujt.core.registries.register_institution_facet). Only centers 运行中 count: an application, a center
being built or a revoked one says nothing to the public."""

from collections.abc import Sequence

from sujt.core.registries import register_institution_facet

from ..choices import CenterLevel, CenterStatus
from ..models import Center

RANK = {CenterLevel.NATIONAL: 0, CenterLevel.PROVINCIAL: 1}


def _running() -> object:
    return Center.objects.filter(status=CenterStatus.RUNNING)


def host_levels(institution_ids: Sequence[int]) -> dict[int, str]:
    """{institution id: the highest level of its centers in operation} (one query)."""
    found: dict[int, str] = {}
    rows = _running().filter(institution_id__in=list(institution_ids)).values_list("institution_id", "level")
    for institution_id, level in rows:
        if institution_id not in found or RANK[level] < RANK[found[institution_id]]:
            found[institution_id] = level
    return found


def hosting(level: str) -> object:
    return _running().filter(level=level).values("institution_id")


register_institution_facet(
    "center_level",
    label="依托中心",
    choices=[(CenterLevel.NATIONAL, "国家级中心"), (CenterLevel.PROVINCIAL, "省级中心")],
    values=host_levels,
    matching=hosting,
    order=20,
)
