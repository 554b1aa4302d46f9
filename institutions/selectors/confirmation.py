"""Reads for 确认机构信息 (manual §三.3): what the institution checks, and its error reports.

Everything is read for one institution, the one the member works under (`request.institution`); another
institution's report or data item does not exist here (a 404 or a validation error, never a 403).
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Model, Q, QuerySet
from django.shortcuts import get_object_or_404

from sujt.accounts.permissions import institution_ids_for
from sujt.core.choices import ReviewStatus, TestingField
from sujt.core.dates import format_date

from ..choices import CertificateStatus, ErrorItemType
from ..models import (
    Capability,
    Certificate,
    Equipment,
    ErrorReport,
    Institution,
    Personnel,
    Signatory,
    Site,
)
from ..sections import SECTIONS_BY_ITEM_TYPE

# Motor-vehicle inspection (机动车安检) is the testing field whose approval information waits for the
# approval system's motor-vehicle module (manual §三.3). An institution counts as one when it holds a
# certificate of that field (the field is digits 5–6 of the synced certificate number, not the
# self-declared 检验检测领域) that has not been revoked or cancelled.
MOTOR_VEHICLE_FIELD = TestingField.MOTOR_VEHICLE
MOTOR_VEHICLE_MESSAGE = (
    "由于江苏省检验检测资质认定审批系统（机动车模块）尚未启用，机动车检验检测机构审批相关信息的确认另行通知，"
    "目前暂不能确认。如发现信息有误，可以先报告错误。"
)
_ENDED_CERTIFICATE = (CertificateStatus.REVOKED, CertificateStatus.CANCELLED)

# The data item an error report may point at, by its type (基础信息 is free text): the synced sections.
ITEM_MODELS: dict[str, type[Model]] = {
    item_type: section.model for item_type, section in SECTIONS_BY_ITEM_TYPE.items()
}
# Item types with so many rows per institution that the choice is narrowed by a search first.
SEARCHED_ITEM_TYPES = {ErrorItemType.CAPABILITY}
ITEM_CHOICE_LIMIT = 200
SEARCHED_CHOICE_LIMIT = 50

REPORT_STATUS_CHOICES = [
    (status, label) for status, label in ReviewStatus.choices if status != ReviewStatus.DRAFT
]


def is_motor_vehicle_institution(*, institution: Institution) -> bool:
    return (
        Certificate.objects.filter(institution=institution, field_code=MOTOR_VEHICLE_FIELD)
        .exclude(status__in=_ENDED_CERTIFICATE)
        .exists()
    )


def confirmation_institution_get(*, institution_id: int) -> Institution:
    """The institution with who confirmed its information last."""
    return get_object_or_404(Institution.objects.select_related("info_confirmed_by"), pk=institution_id)


def confirmation_certificates(*, institution: Institution) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(institution=institution)
        .select_related("scan")
        .order_by("-issued_on", "number")
    )


# --- The item an error report is about ---------------------------------------------------------------


def _item_queryset(*, institution: Institution, item_type: str) -> QuerySet:
    model = ITEM_MODELS[item_type]
    queryset = model.objects.filter(institution=institution)
    if model is Capability:
        queryset = queryset.select_related("certificate").order_by("certificate__number", "seq", "pk")
    elif model is Certificate:
        queryset = queryset.order_by("-issued_on", "number")
    else:
        queryset = queryset.order_by("name", "pk")
    return queryset


def item_label(obj: Any) -> str:
    """How a data item is named in an error report (stored with the report, at most 255 characters)."""
    if isinstance(obj, Certificate):
        text = f"{obj.number}（{obj.get_field_code_display()}，有效期至 {format_date(obj.expires_on)}）"
    elif isinstance(obj, Capability):
        text = f"证书 {obj.certificate.number} 第 {obj.seq} 项：{obj.item}（{obj.standard}）"
    elif isinstance(obj, Site):
        text = f"{obj.name}（{obj.address}）"
    elif isinstance(obj, Equipment):
        text = f"{obj.name} {obj.model_spec}".strip()
    elif isinstance(obj, Signatory | Personnel):
        extra = obj.title if isinstance(obj, Signatory) else obj.department
        text = f"{obj.name}（{extra}）" if extra else obj.name
    else:
        text = str(obj)
    return text if len(text) <= 255 else text[:254] + "…"


def error_item_get(*, institution: Institution, item_type: str, item_id: Any) -> Model | None:
    """The institution's data item of that type and id; None when it is not the institution's."""
    if item_type not in ITEM_MODELS:
        return None
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        return None
    return _item_queryset(institution=institution, item_type=item_type).filter(pk=pk).first()


def error_item_choices(
    *, institution: Institution, item_type: str, q: str = "", include_id: int | None = None
) -> list[tuple[int, str]]:
    """(id, label) of the institution's items of `item_type` to choose from.

    Capabilities (up to 20,000 per institution) are narrowed by `q` (序号, 项目/参数 or 标准) and capped;
    `include_id` (the item a returned report points at) is always among the choices.
    """
    if item_type not in ITEM_MODELS:
        return []
    queryset = _item_queryset(institution=institution, item_type=item_type)
    limit = ITEM_CHOICE_LIMIT
    if item_type in SEARCHED_ITEM_TYPES:
        limit = SEARCHED_CHOICE_LIMIT
        q = (q or "").strip()[:100]
        if q:
            match = Q(item__icontains=q) | Q(standard__icontains=q) | Q(category__icontains=q)
            if q.isdigit():
                match |= Q(seq=int(q))
            queryset = queryset.filter(match)
    items = list(queryset[:limit])
    if include_id is not None and all(obj.pk != include_id for obj in items):
        current = error_item_get(institution=institution, item_type=item_type, item_id=include_id)
        if current is not None:
            items.insert(0, current)
    return [(obj.pk, item_label(obj)) for obj in items]


def error_item_count(*, institution: Institution, item_type: str) -> int:
    if item_type not in ITEM_MODELS:
        return 0
    return ITEM_MODELS[item_type].objects.filter(institution=institution).count()


# --- Error reports -----------------------------------------------------------------------------------


def error_reports_for(*, institution: Institution) -> QuerySet[ErrorReport]:
    """The institution's error reports, newest first (the workspace list filters them further)."""
    reports = ErrorReport.objects.filter(institution=institution).select_related("created_by")
    return reports.order_by("-created_at", "-pk")


def error_report_get(*, institution: Institution, pk: int) -> ErrorReport:
    """One of the institution's reports; another institution's report is a 404."""
    return get_object_or_404(
        ErrorReport.objects.filter(institution=institution).select_related(
            "institution", "created_by", "status_changed_by"
        ),
        pk=pk,
    )


def error_report_counts(*, institution: Institution) -> dict[str, int]:
    """How many of the institution's reports await review and how many were returned to it."""
    return ErrorReport.objects.filter(institution=institution).aggregate(
        submitted=Count("pk", filter=Q(status=ReviewStatus.SUBMITTED)),
        returned=Count("pk", filter=Q(status=ReviewStatus.RETURNED)),
    )


def returned_error_reports_for(*, user: Any) -> QuerySet[ErrorReport]:
    """Returned reports of every institution where the user may manage the profile (their to-dos)."""
    return (
        ErrorReport.objects.filter(
            institution_id__in=institution_ids_for(user=user, perm="manage_profile"),
            status=ReviewStatus.RETURNED,
        )
        .select_related("institution")
        .order_by("status_changed_at", "pk")
    )


def institutions_managed_by(*, user: Any) -> Iterable[int]:
    """Ids of the institutions where the user may manage the profile (module 02)."""
    return institution_ids_for(user=user, perm="manage_profile")
