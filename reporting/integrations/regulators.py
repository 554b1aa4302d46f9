"""Module 07/08 for regulators: they keep report templates, issue tasks and review the submissions in
admin; submissions wait in their review queue (运营数据审核)."""

from sujt.core.registries import register_regulator_permissions, register_review_queue

from ..choices import AssignmentStatus
from ..models import REGION_FIELD, ReportAssignment

register_regulator_permissions(
    "reporting.view_reporttemplate",
    "reporting.add_reporttemplate",
    "reporting.change_reporttemplate",
    "reporting.view_templatefield",
    "reporting.add_templatefield",
    "reporting.change_templatefield",
    "reporting.delete_templatefield",
    "reporting.view_reporttask",
    "reporting.add_reporttask",
    "reporting.change_reporttask",
    "reporting.view_reportassignment",
    "reporting.change_reportassignment",
)

register_review_queue(
    "reporting.assignments",
    model=ReportAssignment,
    label="运营数据审核",
    region_field=REGION_FIELD,
    pending={"status__exact": AssignmentStatus.SUBMITTED},
)
