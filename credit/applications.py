"""信用管理 › 加分申请, 申疑 and 信用修复: the institution's three applications (credit.models.applications),
their services (writes, one transaction each) and selectors (reads filtered by the institution).

Every application goes through the kit's common review (草稿 → 待审核 → 已通过 | 已退回 | 未通过, 撤回;
sujt.core.workflow). Where an application moves its deduction, the deduction's state changes with a
conditional UPDATE on the state expected, in the same transaction as the review transition, with its
history row, and the institution's score is recalculated after the commit:

- 加分申请: a draft may be saved and changed; submitted with one piece of evidence at least; approval
  records the bonus event (credit.services.event_record, keyed by the application: once only).
- 申疑: only on a deduction 计分中 with no other objection open (待审核 or 已退回) and no repair under review.
  Submitted at once: the deduction becomes 异议中 and still counts (the manual restores the points only on
  approval). Approved → 已撤销 (the points come back at once); rejected or withdrawn → 计分中.
  Returned → 计分中 as well: 异议中 means "a regulator is reviewing a dispute", and while the objection
  is back in the institution's hands nobody is; the points count either way, so the score is the same.
  Resubmitting it makes the deduction 异议中 again (refused if it is no longer 计分中).
- 修复: only on a deduction 计分中 whose rectification was accepted (`rectified_on`), with no other repair
  open; a veto item is refused while its validity period runs. Submitting changes nothing in the ledger
  (the deduction keeps counting); approval makes it 已修复待返还, and the nightly job returns the points
  once its validity period has ended (credit.services.calendar_states_update).

Evidence files are core Attachments of the application (purpose "evidence"), never public: the
workspace and admin serve them after their own checks (the models define no attachments_visible_to, so
core's generic download view refuses them).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from institutions.models import Institution
from sujt.core.attachments import AttachmentRule, attachments_of, attachments_remove, attachments_store
from sujt.core.choices import AttachmentKind, ReviewStatus
from sujt.core.dates import add_months
from sujt.core.models import Attachment
from sujt.core.workflow import InvalidTransition, Side, transition

from .choices import Direction, EventSource, EventState
from .models import BonusApplication, CreditEvent, CreditItem, CreditObjection, CreditRepair
from .models.applications import EVIDENCE_PURPOSE
from .services import event_record, recalculation_queue

# Scans and photos of certificates, letters, test reports: ten files of 10 MB each is ample and keeps
# uploads quick on institutions' connections (UPLOAD_MAX_BYTES still applies when lower).
EVIDENCE_RULE = AttachmentRule(
    purpose=EVIDENCE_PURPOSE,
    kinds=(AttachmentKind.IMAGE, AttachmentKind.PDF),
    max_bytes=10 * 1024 * 1024,
    max_files=10,
    noun="证明材料",
    unit="份",
)
NO_EVIDENCE = "请至少上传一份证明材料（图片或 PDF）。"
REASON_MAX_CHARS = 2000
Application = BonusApplication | CreditObjection | CreditRepair
APPLICATION_MODELS: tuple[type[Application], ...] = (BonusApplication, CreditObjection, CreditRepair)
S = ReviewStatus
# Open: neither decided nor withdrawn, in the regulator's hands or back in the institution's.
OPEN = (S.DRAFT, S.SUBMITTED, S.RETURNED)


# --- Selectors -----------------------------------------------------------------------------------


def bonus_items() -> QuerySet[CreditItem]:
    """The bonus items an institution may apply for today."""
    return CreditItem.objects.filter(direction=Direction.BONUS, active=True).order_by("code")


def bonus_applications_of(*, institution_id: int) -> QuerySet[BonusApplication]:
    return BonusApplication.objects.filter(institution_id=institution_id).select_related("item", "event")


def bonus_application_get(*, institution_id: int, pk: int) -> BonusApplication:
    """One of the institution's bonus applications; another institution's is a 404."""
    return get_object_or_404(bonus_applications_of(institution_id=institution_id), pk=pk)


def objections_of(*, institution_id: int) -> QuerySet[CreditObjection]:
    return CreditObjection.objects.filter(institution_id=institution_id).select_related("event__item")


def objection_get(*, institution_id: int, pk: int) -> CreditObjection:
    return get_object_or_404(objections_of(institution_id=institution_id), pk=pk)


def repairs_of(*, institution_id: int) -> QuerySet[CreditRepair]:
    return CreditRepair.objects.filter(institution_id=institution_id).select_related("event__item")


def repair_get(*, institution_id: int, pk: int) -> CreditRepair:
    return get_object_or_404(repairs_of(institution_id=institution_id), pk=pk)


def deduction_get(*, institution_id: int, pk: int) -> CreditEvent:
    """One of the institution's deductions; another institution's (or a bonus) is a 404."""
    return get_object_or_404(
        CreditEvent.objects.filter(
            institution_id=institution_id, direction=Direction.DEDUCTION
        ).select_related("item"),
        pk=pk,
    )


def evidence_of(application: Application) -> QuerySet[Attachment]:
    return attachments_of(application, purpose=EVIDENCE_PURPOSE)


def evidence_get(*, institution_id: int, pk: int) -> Attachment:
    """An evidence file of one of the institution's applications; anything else is a 404."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("content_type"), pk=pk, purpose=EVIDENCE_PURPOSE
    )
    model = attachment.content_type.model_class()
    if model not in APPLICATION_MODELS or not (
        model._default_manager.filter(pk=attachment.object_id, institution_id=institution_id).exists()
    ):
        raise Http404("not an evidence file of this institution")
    return attachment


def _state_label(state: str) -> str:
    return str(EventState(state).label) if state in EventState.values else state


def objection_refusal(
    event: CreditEvent, *, open_objection: CreditObjection | None, repair_under_review: bool
) -> str:
    """Why `event` cannot be objected to now ("" when it can)."""
    if event.direction != Direction.DEDUCTION:
        return "只有扣分记录可以申疑。"
    if open_objection is not None:
        if open_objection.status == S.RETURNED:
            return "该扣分的申疑已被退回，请按审核意见修改后重新提交。"
        return "该扣分已有申疑正在审核。"
    if repair_under_review:
        return "该扣分的信用修复申请正在审核，审核办结后才能申疑。"
    if event.state != EventState.COUNTING:
        return f"该扣分当前为「{_state_label(event.state)}」，只有计分中的扣分可以申疑。"
    return ""


def repair_refusal(event: CreditEvent, *, open_repair: CreditRepair | None, today: datetime.date) -> str:
    """Why `event` cannot be repaired now ("" when it can)."""
    if event.direction != Direction.DEDUCTION:
        return "只有扣分记录可以申请信用修复。"
    if open_repair is not None:
        if open_repair.status == S.RETURNED:
            return "该扣分的修复申请已被退回，请按审核意见修改后重新提交。"
        return "该扣分已有信用修复申请正在审核。"
    if event.state == EventState.OBJECTED:
        return "该扣分正在申疑中，申疑办结后才能申请信用修复。"
    if event.state != EventState.COUNTING:
        return f"该扣分当前为「{_state_label(event.state)}」，只有计分中的扣分可以申请信用修复。"
    if event.rectified_on is None:
        return "该扣分事项的整改尚未通过验收，整改完成后才能申请信用修复。"
    if event.item.veto and event.valid_until >= today:
        return (
            f"一票否决事项在有效期内（至 {event.valid_until:%Y-%m-%d}）不能申请信用修复，"
            "有效期届满后方可申请。"
        )
    return ""


def _open_by_event(model: type[CreditObjection] | type[CreditRepair], event_ids: Iterable[int]) -> dict:
    """{event id: its open application of `model`} (the latest, should there be more)."""
    rows = model.objects.filter(event_id__in=list(event_ids), status__in=OPEN).order_by("created_at", "pk")
    return {row.event_id: row for row in rows}


@dataclass
class Deduction:
    """A row of 信用修复: the deduction, its open objection and repair, and why each action is refused
    ("" when it is allowed)."""

    event: CreditEvent
    objection: CreditObjection | None
    repair: CreditRepair | None
    objection_refusal: str
    repair_refusal: str


def deductions_of(*, institution_id: int, today: datetime.date | None = None) -> list[Deduction]:
    """The institution's deductions, newest first, each with what may be done about it (three queries)."""
    today = today or timezone.localdate()
    events = list(
        CreditEvent.objects.filter(
            institution_id=institution_id, direction=Direction.DEDUCTION
        ).select_related("item")
    )
    ids = [event.pk for event in events]
    objections = _open_by_event(CreditObjection, ids)
    repairs = _open_by_event(CreditRepair, ids)
    rows = []
    for event in events:
        objection, repair = objections.get(event.pk), repairs.get(event.pk)
        reviewing_repair = repair is not None and repair.status == S.SUBMITTED
        rows.append(
            Deduction(
                event=event,
                objection=objection,
                repair=repair,
                objection_refusal=objection_refusal(
                    event, open_objection=objection, repair_under_review=reviewing_repair
                ),
                repair_refusal=repair_refusal(event, open_repair=repair, today=today),
            )
        )
    return rows


def deduction_check_objection(*, event: CreditEvent, exclude: int | None = None) -> str:
    """objection_refusal for one deduction, read from the database (`exclude`: the objection itself)."""
    open_objection = (
        CreditObjection.objects.filter(event_id=event.pk, status__in=OPEN).exclude(pk=exclude).first()
    )
    under_review = CreditRepair.objects.filter(event_id=event.pk, status=S.SUBMITTED).exists()
    return objection_refusal(event, open_objection=open_objection, repair_under_review=under_review)


def deduction_check_repair(
    *, event: CreditEvent, exclude: int | None = None, today: datetime.date | None = None
) -> str:
    """repair_refusal for one deduction, read from the database (`exclude`: the repair itself)."""
    open_repair = CreditRepair.objects.filter(event_id=event.pk, status__in=OPEN).exclude(pk=exclude).first()
    return repair_refusal(event, open_repair=open_repair, today=today or timezone.localdate())


# --- Shared pieces of the services ---------------------------------------------------------------


def _clean_reason(reason: str, *, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": missing})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError({"reason": f"最多 {REASON_MAX_CHARS} 字。"})
    return reason


def _evidence_update(
    *,
    application: Application,
    files: Sequence[UploadedFile],
    remove_ids: Iterable[int],
    by: Any,
    required: bool,
) -> None:
    """Removes then adds evidence files (inside the caller's transaction: a rollback removes what was
    written); with `required`, the application must then hold one file at least."""
    attachments_remove(owner=application, purpose=EVIDENCE_PURPOSE, ids=[int(pk) for pk in remove_ids])
    if files:
        attachments_store(owner=application, rule=EVIDENCE_RULE, files=files, by=by, error_key="evidence")
    if required and not evidence_of(application).exists():
        raise ValidationError({"evidence": NO_EVIDENCE})


def _event_move(*, event_id: int, source: str, target: str, by: Any, reason: str) -> None:
    """The deduction from `source` to `target` with one conditional UPDATE (the caller's transaction
    holds the application's review transition), its history row, and the recalculation after commit.
    InvalidTransition, with the state it is in, when it is not (or no longer) in `source`."""
    now = timezone.now()
    changed = CreditEvent.objects.filter(pk=event_id, state=source).update(state=target, state_changed_at=now)
    event = CreditEvent.objects.get(pk=event_id)
    if changed != 1:
        raise InvalidTransition(
            f"该扣分记录当前为「{_state_label(event.state)}」，不能改为「{_state_label(target)}」。"
            "可能已被他人处理，请刷新后重试。"
        )
    # A queryset UPDATE bypasses simple-history's signals: the row is written here.
    CreditEvent.history.bulk_history_create(
        [event],
        update=True,
        default_user=by if getattr(by, "pk", None) else None,
        default_change_reason=reason,
    )
    recalculation_queue([event.institution_id])


def _locked_event(event: CreditEvent, *, institution: Institution) -> CreditEvent:
    """The deduction, row-locked for the rest of the transaction: two applications for one deduction
    filed at once are checked one after the other."""
    locked = (
        CreditEvent.objects.select_for_update()
        .filter(pk=event.pk, institution_id=institution.pk, direction=Direction.DEDUCTION)
        .first()
    )
    if locked is None:
        raise ValidationError("该扣分记录不存在或不属于本机构。")
    # The item for the veto check; select_for_update with a join would lock the item row too.
    locked.item = CreditItem.objects.get(pk=locked.item_id)
    return locked


def _locked_application(application: Application) -> Application:
    locked = type(application).objects.select_for_update().filter(pk=application.pk).first()
    if locked is None:
        raise InvalidTransition("该申请不存在或已被删除，请刷新后查看。")
    return locked


def _editable(application: Application) -> None:
    if not application.is_editable_by_institution:
        raise InvalidTransition(
            f"该申请当前状态为「{application.get_status_display()}」，不能修改。可能已被处理，请刷新后查看。"
        )


def _submit(application: Application, *, by: Any) -> None:
    """Hands a draft in, or a returned application in again."""
    name = "resubmit" if application.status == S.RETURNED else "submit"
    transition(obj=application, name=name, by=by, side=Side.INSTITUTION)


def _withdraw(application: Application, *, by: Any) -> str:
    """Withdraws a draft or an application under review; returns the state it was withdrawn from."""
    log = transition(obj=application, name="withdraw", by=by, side=Side.INSTITUTION)
    return log.from_status


# --- 加分申请 --------------------------------------------------------------------------------------


def bonus_valid_until(*, item: CreditItem, achieved_on: datetime.date) -> datetime.date:
    """The last day a bonus achieved on `achieved_on` would count (as event_record computes it)."""
    return add_months(achieved_on, item.months_valid) - datetime.timedelta(days=1)


def _bonus_check(*, item: CreditItem | None, achieved_on: datetime.date | None, today: datetime.date) -> None:
    errors: dict[str, str] = {}
    if item is None or item.direction != Direction.BONUS or not item.active:
        errors["item"] = "请选择启用中的加分项目。"
    if achieved_on is None:
        errors["achieved_on"] = "请填写取得日期。"
    elif achieved_on > today:
        errors["achieved_on"] = "取得日期不能晚于今天。"
    elif (
        item is not None
        and "item" not in errors
        and bonus_valid_until(item=item, achieved_on=achieved_on) < today
    ):
        errors["achieved_on"] = (
            f"按「{item.code} {item.name}」{item.months_valid} 个月的有效期，该成果的加分已于"
            f" {bonus_valid_until(item=item, achieved_on=achieved_on):%Y-%m-%d} 到期，不能再申请。"
        )
    if errors:
        raise ValidationError(errors)


def bonus_application_save(
    *,
    institution: Institution,
    by: Any,
    item: CreditItem | None,
    achieved_on: datetime.date | None,
    reason: str,
    evidence: Sequence[UploadedFile] = (),
    remove_evidence_ids: Iterable[int] = (),
    application: BonusApplication | None = None,
    submit: bool = False,
    today: datetime.date | None = None,
) -> BonusApplication:
    """Saves a new bonus application, or changes a draft or a returned one (`application`); with
    `submit`, hands it in (one piece of evidence at least). ValidationError keyed by field; InvalidTransition
    when the application is no longer editable. Nothing is saved when either is raised."""
    today = today or timezone.localdate()
    reason = _clean_reason(reason, missing="请说明申请加分的理由（取得了什么成果、文件或证书编号等）。")
    _bonus_check(item=item, achieved_on=achieved_on, today=today)
    with transaction.atomic():
        if application is None:
            saved = BonusApplication(institution=institution, applicant=by)
        else:
            saved = _locked_application(application)
            _editable(saved)
        saved.item = item
        saved.achieved_on = achieved_on
        saved.reason = reason
        saved._history_user = by
        saved.full_clean()
        saved.save()
        _evidence_update(
            application=saved, files=evidence, remove_ids=remove_evidence_ids, by=by, required=submit
        )
        if submit:
            _submit(saved, by=by)
    return saved


def bonus_application_submit(
    *, application: BonusApplication, by: Any, today: datetime.date | None = None
) -> BonusApplication:
    """Hands in a saved draft (or a returned application unchanged), checked as when it was saved."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_application(application)
        _editable(locked)
        _bonus_check(item=locked.item, achieved_on=locked.achieved_on, today=today)
        if not evidence_of(locked).exists():
            raise ValidationError(NO_EVIDENCE)
        _submit(locked, by=by)
    application.refresh_from_db()
    return application


def bonus_application_withdraw(*, application: BonusApplication, by: Any) -> BonusApplication:
    _withdraw(application, by=by)
    return application


def bonus_application_approve(
    *, application: BonusApplication, by: Any, comment: str = "", side: str | None = None
) -> BonusApplication:
    """审核通过: the bonus event is recorded from the application (its item and date) in the same
    transaction, once: the event's source key is the application's."""
    with transaction.atomic():
        transition(obj=application, name="approve", by=by, comment=comment, side=side)
        event = event_record(
            institution_id=application.institution_id,
            item_code=application.item.code,
            occurred_on=application.achieved_on,
            source=EventSource.BONUS_APPLICATION,
            source_key=f"credit.bonus_application:{application.pk}",
            source_object=application,
            details={"application": application.pk},
            reason=application.reason[:500],
            by=by,
        )
        if event is None:
            # The province stopped the item after the application was submitted.
            raise ValidationError(
                f"加分项目「{application.item}」已停用，不能审核通过；请退回修改或不予通过。"
            )
        BonusApplication.objects.filter(pk=application.pk, event__isnull=True).update(event=event)
        application.refresh_from_db()
        BonusApplication.history.bulk_history_create(
            [application],
            update=True,
            default_user=by if getattr(by, "pk", None) else None,
            default_change_reason="审核通过，生成加分记录",
        )
    return application


# --- 申疑 -------------------------------------------------------------------------------------------


OBJECTION_REASON_MISSING = "请说明申疑的理由：扣分哪里与事实不符，依据是什么。"


def objection_submit(
    *,
    institution: Institution,
    event: CreditEvent,
    by: Any,
    reason: str,
    evidence: Sequence[UploadedFile],
) -> CreditObjection:
    """Files and submits an objection to a deduction of the institution: the deduction becomes 异议中
    (still counted). ValidationError when the deduction may not be objected to (objection_refusal) or
    the form is incomplete; nothing is saved then."""
    reason = _clean_reason(reason, missing=OBJECTION_REASON_MISSING)
    if not evidence:
        raise ValidationError({"evidence": NO_EVIDENCE})
    with transaction.atomic():
        locked = _locked_event(event, institution=institution)
        refusal = deduction_check_objection(event=locked)
        if refusal:
            raise ValidationError(refusal)
        objection = CreditObjection(institution=institution, event=locked, reason=reason, applicant=by)
        objection._history_user = by
        objection.full_clean()
        objection.save()
        _evidence_update(application=objection, files=evidence, remove_ids=(), by=by, required=True)
        transition(obj=objection, name="submit", by=by, side=Side.INSTITUTION)
        _event_move(
            event_id=locked.pk,
            source=EventState.COUNTING,
            target=EventState.OBJECTED,
            by=by,
            reason="机构提出申疑",
        )
    return objection


def objection_resubmit(
    *,
    objection: CreditObjection,
    by: Any,
    reason: str,
    evidence: Sequence[UploadedFile] = (),
    remove_evidence_ids: Iterable[int] = (),
) -> CreditObjection:
    """Changes a returned objection and submits it again: the deduction is 异议中 again."""
    reason = _clean_reason(reason, missing=OBJECTION_REASON_MISSING)
    try:
        with transaction.atomic():
            locked_event = _locked_event(objection.event, institution=objection.institution)
            locked = _locked_application(objection)
            if locked.status != S.RETURNED:
                raise InvalidTransition(
                    f"该申疑当前状态为「{locked.get_status_display()}」，只有被退回的申疑可以修改后重新提交。"
                )
            refusal = deduction_check_objection(event=locked_event, exclude=locked.pk)
            if refusal:
                raise ValidationError(refusal)
            locked.reason = reason
            locked._history_user = by
            locked.save(update_fields=["reason", "updated_at"])
            _evidence_update(
                application=locked, files=evidence, remove_ids=remove_evidence_ids, by=by, required=True
            )
            transition(obj=locked, name="resubmit", by=by, side=Side.INSTITUTION)
            _event_move(
                event_id=locked_event.pk,
                source=EventState.COUNTING,
                target=EventState.OBJECTED,
                by=by,
                reason="机构重新提交申疑",
            )
    finally:
        objection.refresh_from_db()
    return objection


def objection_withdraw(*, objection: CreditObjection, by: Any) -> CreditObjection:
    """Withdraws an objection under review: the deduction is 计分中 again."""
    with transaction.atomic():
        source = _withdraw(objection, by=by)
        if source == S.SUBMITTED:
            _event_move(
                event_id=objection.event_id,
                source=EventState.OBJECTED,
                target=EventState.COUNTING,
                by=by,
                reason="机构撤回申疑",
            )
    return objection


def _objection_decide(
    objection: CreditObjection,
    *,
    name: str,
    target: str,
    reason: str,
    by: Any,
    comment: str,
    side: str | None,
) -> CreditObjection:
    """A regulator's decision on an objection and its deduction's move off 异议中, in one transaction."""
    with transaction.atomic():
        transition(obj=objection, name=name, by=by, comment=comment, side=side)
        _event_move(
            event_id=objection.event_id, source=EventState.OBJECTED, target=target, by=by, reason=reason
        )
    return objection


def objection_approve(
    *, objection: CreditObjection, by: Any, comment: str = "", side: str | None = None
) -> CreditObjection:
    """审核通过: the deduction is voided (已撤销) and its points restored at once."""
    return _objection_decide(
        objection, name="approve", target=EventState.VOIDED, reason="申疑审核通过，扣分撤销",
        by=by, comment=comment, side=side,
    )  # fmt: skip


def objection_return(
    *, objection: CreditObjection, by: Any, comment: str, side: str | None = None
) -> CreditObjection:
    """退回修改: back to the institution; the deduction is 计分中 until the objection is resubmitted."""
    return _objection_decide(
        objection, name="return", target=EventState.COUNTING, reason="申疑退回修改",
        by=by, comment=comment, side=side,
    )  # fmt: skip


def objection_reject(
    *, objection: CreditObjection, by: Any, comment: str, side: str | None = None
) -> CreditObjection:
    """不予通过: the deduction is 计分中 again and keeps counting."""
    return _objection_decide(
        objection, name="reject", target=EventState.COUNTING, reason="申疑未通过，继续计分",
        by=by, comment=comment, side=side,
    )  # fmt: skip


# --- 信用修复 ---------------------------------------------------------------------------------------


REPAIR_REASON_MISSING = "请说明整改情况和申请修复的理由。"


def repair_submit(
    *,
    institution: Institution,
    event: CreditEvent,
    by: Any,
    reason: str,
    evidence: Sequence[UploadedFile],
    today: datetime.date | None = None,
) -> CreditRepair:
    """Files and submits a repair of a rectified deduction of the institution. The deduction keeps
    counting while it is reviewed. ValidationError when it may not be repaired (repair_refusal: not
    rectified, not 计分中, already under repair, a veto item still valid) or the form is incomplete."""
    reason = _clean_reason(reason, missing=REPAIR_REASON_MISSING)
    if not evidence:
        raise ValidationError({"evidence": NO_EVIDENCE})
    with transaction.atomic():
        locked = _locked_event(event, institution=institution)
        refusal = deduction_check_repair(event=locked, today=today)
        if refusal:
            raise ValidationError(refusal)
        repair = CreditRepair(institution=institution, event=locked, reason=reason, applicant=by)
        repair._history_user = by
        repair.full_clean()
        repair.save()
        _evidence_update(application=repair, files=evidence, remove_ids=(), by=by, required=True)
        transition(obj=repair, name="submit", by=by, side=Side.INSTITUTION)
    return repair


def repair_resubmit(
    *,
    repair: CreditRepair,
    by: Any,
    reason: str,
    evidence: Sequence[UploadedFile] = (),
    remove_evidence_ids: Iterable[int] = (),
    today: datetime.date | None = None,
) -> CreditRepair:
    """Changes a returned repair and submits it again (checked again: the deduction may have changed)."""
    reason = _clean_reason(reason, missing=REPAIR_REASON_MISSING)
    try:
        with transaction.atomic():
            locked_event = _locked_event(repair.event, institution=repair.institution)
            locked = _locked_application(repair)
            if locked.status != S.RETURNED:
                raise InvalidTransition(
                    f"该修复申请当前状态为「{locked.get_status_display()}」，只有被退回的申请可以修改后重新提交。"
                )
            refusal = deduction_check_repair(event=locked_event, exclude=locked.pk, today=today)
            if refusal:
                raise ValidationError(refusal)
            locked.reason = reason
            locked._history_user = by
            locked.save(update_fields=["reason", "updated_at"])
            _evidence_update(
                application=locked, files=evidence, remove_ids=remove_evidence_ids, by=by, required=True
            )
            transition(obj=locked, name="resubmit", by=by, side=Side.INSTITUTION)
    finally:
        repair.refresh_from_db()
    return repair


def repair_withdraw(*, repair: CreditRepair, by: Any) -> CreditRepair:
    _withdraw(repair, by=by)
    return repair


def repair_approve(
    *,
    repair: CreditRepair,
    by: Any,
    comment: str = "",
    side: str | None = None,
    today: datetime.date | None = None,
) -> CreditRepair:
    """审核通过: the deduction becomes 已修复待返还; its points return when its validity period ends (the
    nightly job). A veto item still valid is refused (its veto flag may have been set after submission)."""
    today = today or timezone.localdate()
    event = CreditEvent.objects.select_related("item").get(pk=repair.event_id)
    if event.item.veto and event.valid_until >= today:
        raise ValidationError(
            f"一票否决事项在有效期内（至 {event.valid_until:%Y-%m-%d}）不能修复；"
            "请不予通过，或有效期届满后再审核。"
        )
    with transaction.atomic():
        transition(obj=repair, name="approve", by=by, comment=comment, side=side)
        _event_move(
            event_id=repair.event_id,
            source=EventState.COUNTING,
            target=EventState.REPAIRED,
            by=by,
            reason="信用修复审核通过，有效期届满后返还分值",
        )
    return repair
