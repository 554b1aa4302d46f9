"""Centers as report subjects (08 中心运营数据填报): a regulator may send an operating-data task to the
centers in operation, chosen by level and kind (sujt.core.registries.register_report_subject); the
host institution fills the report in."""

from sujt.core.registries import SubjectFilter, register_report_subject

from ..choices import CenterKind, CenterLevel, CenterStatus
from ..models import Center


def running_centers():
    return Center.objects.filter(status=CenterStatus.RUNNING).select_related("institution")


register_report_subject(
    "center",
    label="中心",
    model=Center,
    queryset=running_centers,
    filters=[
        SubjectFilter("level", "中心级别", tuple(CenterLevel.choices)),
        SubjectFilter("kind", "中心类型", tuple(CenterKind.choices)),
    ],
    name=lambda center: center.name,
)
