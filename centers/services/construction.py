"""筹建申请 (two steps: the city bureau, then the province) and 系统外中心登记 (the common review).

- A 筹建申请 is saved as a draft with its equipment list and files; submitting needs the feasibility
  report and one equipment line at least. Its first submission creates the center (筹建申请中), a
  resubmission after a return updates it. The province's approval makes the center 筹建中 with its
  approval number and deadlines; a refusal or a withdrawal after submission revokes it (已撤销, which
  frees the name for a new application).
- A registration of a center approved outside the system needs its approval documents; approval creates
  the center at the stage the institution gave (筹建中 with its deadline, or 运行中 with its acceptance).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from institutions.models import Institution
from sujt.core.attachments import attachments_remove
from sujt.core.dates import add_months
from sujt.core.workflow import InvalidTransition, Side, transition

from ..choices import CenterOrigin, CenterStatus, RegisteredStage, TwoStepStatus
from ..models import Center, CenterRegistration, ConstructionApplication, PlannedEquipment
from .centers import center_construction_approve, center_running_record
from .common import (
    APPROVAL_RULE,
    FEASIBILITY_RULE,
    MATERIALS_RULE,
    files_update,
    locked,
    require_files,
    rows_checked,
    rows_replace,
)

FACTS = ("name", "level", "kind", "product_scope", "industry")
CONSTRUCTION_FIELDS = (
    *FACTS,
    "content_and_goals",
    "planned_investment",
    "funding_source",
    "construction_months",
    "staffing_plan",
)
EQUIPMENT_FIELDS = ("name", "specification", "unit_price", "quantity")
REGISTRATION_FIELDS = (
    *FACTS,
    "approval_number",
    "approved_on",
    "stage",
    "construction_due_on",
    "accepted_on",
    "acceptance_grade",
)
T = TwoStepStatus


def _editable_or_refuse(application: Any, noun: str) -> None:
    if not application.is_editable_by_institution:
        raise InvalidTransition(
            f"该{noun}当前状态为「{application.get_status_display()}」，不能修改。请刷新后查看。"
        )


def _name_taken(*, institution_id: int, name: str, center_id: int | None = None) -> bool:
    live = Center.objects.filter(institution_id=institution_id, name=name).exclude(
        status=CenterStatus.REVOKED
    )
    return live.exclude(pk=center_id).exists() if center_id else live.exists()


def construction_save(
    *,
    institution: Institution,
    by: Any,
    data: Mapping[str, Any],
    equipment: Sequence[Mapping[str, Any]],
    feasibility: UploadedFile | None = None,
    materials: Sequence[UploadedFile] = (),
    remove_files: Sequence[int] = (),
    application: ConstructionApplication | None = None,
    submit: bool = False,
) -> ConstructionApplication:
    """Creates or changes the institution's draft (or returned) 筹建申请 — its fields, its equipment list
    (replaced as given), its files — and with `submit` hands it in. ValidationError keyed by field for
    what is missing or wrong; nothing is kept then."""
    equipment = rows_checked(equipment, noun="主要仪器设备", field="equipment")
    with transaction.atomic():
        if application is None:
            application = ConstructionApplication(institution=institution, applicant=by)
        else:
            application = locked(application)
            _editable_or_refuse(application, "筹建申请")
        for name in CONSTRUCTION_FIELDS:
            setattr(application, name, data.get(name))
        application.full_clean(exclude=["status"])
        application.save()
        rows_replace(
            old=application.equipment.all(),
            model=PlannedEquipment,
            by=by,
            new=(
                PlannedEquipment(
                    application=application, position=index, **{f: row[f] for f in EQUIPMENT_FIELDS}
                )
                for index, row in enumerate(equipment, start=1)
            ),
        )
        files_update(
            owner=application,
            rule=MATERIALS_RULE,
            files=materials,
            remove=remove_files,
            by=by,
            field="files",
        )
        if feasibility is not None:
            # One report: a new upload replaces the one kept.
            attachments_remove(owner=application, purpose=FEASIBILITY_RULE.purpose)
            files_update(
                owner=application, rule=FEASIBILITY_RULE, files=[feasibility], by=by, field="feasibility"
            )
        if submit:
            construction_submit(application=application, by=by)
    application.refresh_from_db()
    return application


def construction_submit(*, application: ConstructionApplication, by: Any) -> None:
    """Hands the application in to the city bureau; the first submission creates the center."""
    with transaction.atomic():
        application = locked(application)
        errors: dict[str, str] = {}
        if not application.equipment.exists():
            errors["equipment"] = "请至少填写一行主要仪器设备。"
        try:
            require_files(
                application, FEASIBILITY_RULE, field="feasibility", message="请上传可行性研究报告。"
            )
        except ValidationError as error:
            errors.update({key: value[0] for key, value in error.message_dict.items()})
        if errors:
            raise ValidationError(errors)
        center_id = application.center_id
        if _name_taken(institution_id=application.institution_id, name=application.name, center_id=center_id):
            raise ValidationError({"name": "本机构已有同名中心，请更换中心名称。"})
        facts = {name: getattr(application, name) for name in FACTS}
        if center_id is None:
            center = Center.objects.create(
                institution_id=application.institution_id, origin=CenterOrigin.APPLIED, **facts
            )
            ConstructionApplication.objects.filter(pk=application.pk).update(center=center)
            application.center = center
        else:
            Center.objects.filter(pk=center_id, status=CenterStatus.APPLYING).update(**facts)
        transition(obj=application, name="submit", by=by, side=Side.INSTITUTION)


def construction_withdraw(*, application: ConstructionApplication, by: Any) -> None:
    """The institution withdraws its application; a center it created is revoked with it."""
    with transaction.atomic():
        transition(obj=application, name="withdraw", by=by, side=Side.INSTITUTION)
        _center_refuse(application, by=by)


def construction_approve(
    *, application: ConstructionApplication, by: Any, comment: str = "", side: str | None = None
) -> None:
    """The province approves: the center is 筹建中 with its approval number and deadlines."""
    with transaction.atomic():
        transition(obj=application, name="province_approve", by=by, comment=comment, side=side)
        application.refresh_from_db(fields=["center"])
        center_construction_approve(center=application.center, by=by)


def construction_reject(
    *, application: ConstructionApplication, by: Any, comment: str = "", side: str | None = None
) -> None:
    """The province refuses: the center the application created is revoked."""
    with transaction.atomic():
        transition(obj=application, name="province_reject", by=by, comment=comment, side=side)
        _center_refuse(application, by=by)


def _center_refuse(application: ConstructionApplication, *, by: Any) -> None:
    application.refresh_from_db(fields=["center"])
    if application.center_id is None:
        return
    center = Center.objects.get(pk=application.center_id)
    if center.status == CenterStatus.APPLYING:
        transition(obj=center, name="refuse", by=by, side=Side.SYSTEM)


# --- 系统外中心登记 --------------------------------------------------------------------------------


def registration_save(
    *,
    institution: Institution,
    by: Any,
    data: Mapping[str, Any],
    documents: Sequence[UploadedFile] = (),
    remove_files: Sequence[int] = (),
    registration: CenterRegistration | None = None,
    submit: bool = False,
) -> CenterRegistration:
    """Creates or changes a draft (or returned) registration and its approval documents; with `submit`,
    hands it in (the documents are required)."""
    with transaction.atomic():
        if registration is None:
            registration = CenterRegistration(institution=institution, applicant=by)
        else:
            registration = locked(registration)
            _editable_or_refuse(registration, "登记申请")
        for name in REGISTRATION_FIELDS:
            setattr(registration, name, data.get(name))
        if registration.stage == RegisteredStage.BUILDING:
            registration.accepted_on, registration.acceptance_grade = None, ""
        registration.acceptance_grade = registration.acceptance_grade or ""
        registration.full_clean(exclude=["status"])
        registration.save()
        files_update(
            owner=registration,
            rule=APPROVAL_RULE,
            files=documents,
            remove=remove_files,
            by=by,
            field="files",
        )
        if submit:
            registration_submit(registration=registration, by=by)
    registration.refresh_from_db()
    return registration


def registration_submit(*, registration: CenterRegistration, by: Any) -> None:
    with transaction.atomic():
        registration = locked(registration)
        require_files(registration, APPROVAL_RULE, field="files", message="请上传中心的批准文件。")
        if _name_taken(institution_id=registration.institution_id, name=registration.name):
            raise ValidationError({"name": "本机构已有同名中心，请更换中心名称。"})
        name = "resubmit" if registration.status == "returned" else "submit"
        transition(obj=registration, name=name, by=by, side=Side.INSTITUTION)


def registration_approve(
    *, registration: CenterRegistration, by: Any, comment: str = "", side: str | None = None
) -> Center:
    """A regulator verifies the registration: the center is created at the stage given (运行中 with its
    acceptance, or 筹建中 with its deadline; its task book is then due CENTER_TASK_BOOK_MONTHS after
    the verification, as the system never asked for it before)."""
    with transaction.atomic():
        transition(obj=registration, name="approve", by=by, comment=comment, side=side)
        if _name_taken(institution_id=registration.institution_id, name=registration.name):
            raise ValidationError("该机构已有同名中心，不能通过登记。请退回机构修改中心名称。")
        running = registration.stage == RegisteredStage.RUNNING
        today = timezone.localdate()
        center = Center.objects.create(
            institution_id=registration.institution_id,
            origin=CenterOrigin.REGISTERED,
            status=CenterStatus.RUNNING if running else CenterStatus.BUILDING,
            approval_number=registration.approval_number,
            approved_on=registration.approved_on,
            construction_due_on=registration.construction_due_on,
            task_book_due_on=None if running else add_months(today, settings.CENTER_TASK_BOOK_MONTHS),
            accepted_on=registration.accepted_on if running else None,
            acceptance_grade=registration.acceptance_grade if running else "",
            status_changed_at=timezone.now(),
            status_changed_by=by,
            **{name: getattr(registration, name) for name in FACTS},
        )
        CenterRegistration.objects.filter(pk=registration.pk).update(center=center)
        if running:
            center_running_record(center=center)
        registration.center = center
    return center


def registration_withdraw(*, registration: CenterRegistration, by: Any) -> None:
    transition(obj=registration, name="withdraw", by=by, side=Side.INSTITUTION)
