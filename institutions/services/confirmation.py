"""确认机构信息 (manual §三.3): the institution confirms its synced information, or reports an error in
one item with evidence — a review-workflow submission the regulators over its region decide in admin."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from sujt.core.attachments import AttachmentRule, attachments_of, attachments_remove, attachments_store
from sujt.core.choices import AttachmentKind
from sujt.core.workflow import review_resubmit, review_submit, review_withdraw

from ..choices import ErrorItemType
from ..models import ErrorReport, Institution
from ..selectors.confirmation import (
    MOTOR_VEHICLE_MESSAGE,
    error_item_get,
    is_motor_vehicle_institution,
    item_label,
)
from .completeness import completeness_recalculate

EVIDENCE_PURPOSE = "evidence"
EVIDENCE = AttachmentRule(
    purpose=EVIDENCE_PURPOSE,
    kinds=(AttachmentKind.IMAGE, AttachmentKind.PDF),
    max_bytes=10 * 1024 * 1024,
    max_files=5,
    noun="证明材料",
    unit="份",
)
NO_EVIDENCE = "请至少上传一份证明材料（图片或 PDF）。"


def institution_info_confirm(*, institution: Institution, by: Any) -> Institution:
    """Records that `by` checked the synced information and found it correct.

    Refused (ValidationError) for a motor-vehicle inspection institution: its approval information waits
    for the approval system's motor-vehicle module.
    """
    if is_motor_vehicle_institution(institution=institution):
        raise ValidationError(MOTOR_VEHICLE_MESSAGE, code="motor_vehicle_pending")
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        locked.info_confirmed_at = timezone.now()
        locked.info_confirmed_by = by
        locked._history_user = by
        locked._change_reason = "确认机构信息"
        locked.save(update_fields=["info_confirmed_at", "info_confirmed_by", "updated_at"])
        completeness_recalculate(institution_id=locked.pk)
    institution.refresh_from_db()
    return institution


# --- Error reports -----------------------------------------------------------------------------------


def _resolve_item(
    *, institution: Institution, item_type: str, item_id: int | None, item_text: str
) -> tuple[int | None, str]:
    """(item id, item label) to store; ValidationError when the item is not the institution's."""
    if item_type not in ErrorItemType.values:
        raise ValidationError({"item_type": "请选择有误信息的类别。"})
    if item_type == ErrorItemType.BASIC:
        text = (item_text or "").strip()
        if not text:
            raise ValidationError({"item_label": "请填写哪一项基础信息有误（如：法定代表人、地址）。"})
        return None, text[:255]
    item = error_item_get(institution=institution, item_type=item_type, item_id=item_id)
    if item is None:
        raise ValidationError({"item_id": "所选条目不是本机构的信息或已不存在，请重新选择。"})
    return item.pk, item_label(item)


def _store_evidence(*, report: ErrorReport, files: Sequence[UploadedFile], by: Any) -> None:
    """Adds the files to the report's evidence, which must then hold one file at least (at most: the rule)."""
    attachments_store(owner=report, rule=EVIDENCE, files=files, by=by, error_key="evidence")
    if not attachments_of(report, purpose=EVIDENCE_PURPOSE).exists():
        raise ValidationError({"evidence": NO_EVIDENCE})


def error_report_submit(
    *,
    institution: Institution,
    by: Any,
    item_type: str,
    item_id: int | None,
    item_label: str = "",
    description: str,
    evidence: Sequence[UploadedFile],
) -> ErrorReport:
    """Creates the report with its evidence and submits it for review, in one go.

    `item_label` is the free-text item for 基础信息; for other types the label is taken from the item.
    """
    resolved_id, label = _resolve_item(
        institution=institution, item_type=item_type, item_id=item_id, item_text=item_label
    )
    if not evidence:
        raise ValidationError({"evidence": NO_EVIDENCE})
    with transaction.atomic():
        report = ErrorReport(
            institution=institution,
            item_type=item_type,
            item_id=resolved_id,
            item_label=label,
            description=(description or "").strip(),
            created_by=by,
        )
        report._history_user = by
        report.full_clean()
        report.save()
        _store_evidence(report=report, files=evidence, by=by)
        review_submit(obj=report, by=by)
    return report


def error_report_resubmit(
    *,
    report: ErrorReport,
    by: Any,
    item_type: str,
    item_id: int | None,
    item_label: str = "",
    description: str,
    evidence: Sequence[UploadedFile] = (),
    remove_attachment_ids: Iterable[int] = (),
) -> ErrorReport:
    """Changes a returned report (item, description, evidence added or removed) and submits it again.

    The workflow's conditional UPDATE on 已退回 guards the whole change: a report no longer returned
    raises InvalidTransition and nothing is saved.
    """
    resolved_id, label = _resolve_item(
        institution=report.institution, item_type=item_type, item_id=item_id, item_text=item_label
    )
    try:
        with transaction.atomic():
            attachments_remove(owner=report, purpose=EVIDENCE_PURPOSE, ids=remove_attachment_ids)
            _store_evidence(report=report, files=evidence, by=by)
            report.item_type = item_type
            report.item_id = resolved_id
            report.item_label = label
            report.description = (description or "").strip()
            report._history_user = by
            report.full_clean()
            report.save(update_fields=["item_type", "item_id", "item_label", "description", "updated_at"])
            review_resubmit(obj=report, by=by)
    except Exception:
        report.refresh_from_db()
        raise
    return report


def error_report_withdraw(*, report: ErrorReport, by: Any) -> ErrorReport:
    """Withdraws a report not yet decided (InvalidTransition otherwise)."""
    review_withdraw(obj=report, by=by)
    return report
