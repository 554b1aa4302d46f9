"""Module 02 for regulators: their permissions in admin and the error-report review queue."""

from sujt.core.choices import ReviewStatus
from sujt.core.registries import register_regulator_permissions, register_review_queue

from ..models import ErrorReport

register_regulator_permissions(
    "institutions.view_institution",
    "institutions.change_institution",
    # Regulators correct the qualification data synced from the approval system (the saves recompute
    # completeness); declared testing fields and intellectual property are the institution's own
    # entries, which they view; error reports they review (the review actions need change).
    "institutions.view_certificate",
    "institutions.change_certificate",
    "institutions.view_site",
    "institutions.change_site",
    "institutions.view_capability",
    "institutions.change_capability",
    "institutions.view_equipment",
    "institutions.change_equipment",
    "institutions.view_signatory",
    "institutions.change_signatory",
    "institutions.view_personnel",
    "institutions.change_personnel",
    "institutions.view_institutionfield",
    "institutions.view_softwarecopyright",
    "institutions.view_patent",
    "institutions.view_trademark",
    "institutions.view_errorreport",
    "institutions.change_errorreport",
    # Every regulator sees the sync runs; 立即同步 is for the province (SyncRunAdmin).
    "institutions.view_syncrun",
)

register_review_queue(
    "institutions.error_reports",
    model=ErrorReport,
    label="机构信息纠错报告",
    region_field="institution__region_code",
    pending={"status__exact": ReviewStatus.SUBMITTED},
)
