"""Module 04 for regulators: they enable the module per institution (开通中心建设 on the institution's
admin page), follow every center of their region, and review the applications — 筹建申请 and 验收申请
in two steps (the city bureau's queue, then the province's), 任务书, 任务书变更, 进展报告 and 系统外中心登记
in one. The province may revoke a center."""

from sujt.core.choices import ReviewStatus
from sujt.core.registries import (
    CITY_REGULATORS,
    PROVINCE_REGULATORS,
    register_regulator_permissions,
    register_review_queue,
)

from ..choices import AcceptanceStatus, TaskBookKind, TwoStepStatus
from ..models import (
    REGION_FIELD,
    AcceptanceApplication,
    CenterRegistration,
    ConstructionApplication,
    ProgressReport,
    TaskBook,
)

register_regulator_permissions(
    "centers.view_center",
    "centers.change_center",
    "centers.view_constructionapplication",
    "centers.change_constructionapplication",
    "centers.view_centerregistration",
    "centers.change_centerregistration",
    "centers.view_taskbook",
    "centers.change_taskbook",
    "centers.view_progressreport",
    "centers.change_progressreport",
    "centers.view_acceptanceapplication",
    "centers.change_acceptanceapplication",
)

for key, model, label, side, status in (
    (
        "centers.construction_city",
        ConstructionApplication,
        "中心筹建初审",
        CITY_REGULATORS,
        TwoStepStatus.CITY_REVIEW,
    ),
    (
        "centers.construction_province",
        ConstructionApplication,
        "中心筹建审批",
        PROVINCE_REGULATORS,
        TwoStepStatus.PROVINCE_REVIEW,
    ),
    (
        "centers.acceptance_city",
        AcceptanceApplication,
        "中心验收初审",
        CITY_REGULATORS,
        AcceptanceStatus.CITY_REVIEW,
    ),
    (
        "centers.acceptance_province",
        AcceptanceApplication,
        "中心验收审批",
        PROVINCE_REGULATORS,
        AcceptanceStatus.PROVINCE_REVIEW,
    ),
):
    register_review_queue(
        key, model=model, label=label, region_field=REGION_FIELD, side=side, pending={"status__exact": status}
    )

for key, kind, label in (
    ("centers.task_books", TaskBookKind.INITIAL, "中心任务书审核"),
    ("centers.task_book_changes", TaskBookKind.CHANGE, "任务书变更审核"),
):
    register_review_queue(
        key,
        model=TaskBook,
        label=label,
        region_field=REGION_FIELD,
        pending={"status__exact": ReviewStatus.SUBMITTED, "kind__exact": kind},
    )

register_review_queue(
    "centers.progress",
    model=ProgressReport,
    label="筹建进展审核",
    region_field=REGION_FIELD,
    pending={"status__exact": ReviewStatus.SUBMITTED},
)
register_review_queue(
    "centers.registrations",
    model=CenterRegistration,
    label="系统外中心核实",
    region_field=REGION_FIELD,
    pending={"status__exact": ReviewStatus.SUBMITTED},
)
