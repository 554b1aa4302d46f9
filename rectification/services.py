"""Writes of 03 机构整改: each a keyword-only function, one transaction, events recorded inside it.

Regulators record inspections (with findings and penalties) and issue rectification orders in admin;
the institution answers an order in the workspace, one round per submission; a regulator accepts the
answer (整改完成) or returns it with a comment per finding; the deadline job marks an unanswered order
逾期. Every state change goes through the kit's engine (`transition`), every cross-module effect is a
domain event (rectification.events; the portal disclosure is core's DISCLOSURE_REQUESTED).
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks

from sujt.accounts.parties import institution_members_with_perm
from sujt.core.attachments import AttachmentRule, attachments_of, attachments_remove, attachments_store
from sujt.core.choices import AttachmentKind
from sujt.core.dates import format_date
from sujt.core.events import DISCLOSURE_REQUESTED, event_record
from sujt.core.notifications import notify
from sujt.core.validators import redact_personal_numbers
from sujt.core.workflow import InvalidTransition, Side, transition

from . import events
from .choices import OrderStatus, RoundDecision
from .models import (
    PERMISSION,
    Finding,
    Inspection,
    Penalty,
    RectificationMeasure,
    RectificationOrder,
    RectificationRound,
)
from .selectors import EVIDENCE_PURPOSE, answer_draft_measures

EVIDENCE_RULE = AttachmentRule(
    purpose=EVIDENCE_PURPOSE,
    kinds=(AttachmentKind.IMAGE, AttachmentKind.PDF, AttachmentKind.DOCX, AttachmentKind.XLSX),
    max_files=10,
    noun="证明材料",
    unit="份",
)
ANSWERABLE = frozenset({OrderStatus.OPEN, OrderStatus.RETURNED, OrderStatus.OVERDUE})
# The states the deadline job's 逾期 starts from (ORDER_WORKFLOW's "overdue" transition).
OVERDUE_FROM = frozenset({OrderStatus.OPEN, OrderStatus.RETURNED})
MEASURES_MAX_CHARS = 5000


def due_on_default(*, today: datetime.date | None = None) -> datetime.date:
    """The default deadline of a new order: settings.RECTIFICATION_DUE_DAYS (30) days from today."""
    return (today or timezone.localdate()) + datetime.timedelta(days=settings.RECTIFICATION_DUE_DAYS)


# --- Inspections, findings, penalties ----------------------------------------------------------------


def _finding_event(finding: Finding) -> None:
    inspection = finding.inspection
    event_record(
        kind=events.FINDING_RECORDED,
        key=f"rectification.finding:{finding.pk}:recorded",
        institution=inspection.institution_id,
        source=finding,
        payload={
            "finding_id": finding.pk,
            "inspection_id": inspection.pk,
            "inspection_kind": inspection.kind,
            "inspected_on": inspection.inspected_on.isoformat(),
            "category": finding.category,
            "severity": finding.severity,
        },
    )


def _penalty_event(penalty: Penalty) -> None:
    event_record(
        kind=events.PENALTY_RECORDED,
        key=f"rectification.penalty:{penalty.pk}:recorded",
        institution=penalty.inspection.institution_id,
        source=penalty,
        payload={
            "penalty_id": penalty.pk,
            "inspection_id": penalty.inspection_id,
            "kind": penalty.kind,
            "amount": None if penalty.amount is None else str(penalty.amount),
            "decision_number": penalty.decision_number,
            "decided_on": penalty.decided_on.isoformat(),
        },
    )


def inspection_events_record(*, inspection: Inspection) -> None:
    """Records the event of every finding and penalty of the inspection (once each: the keys name them).
    Admin calls it after saving an inspection with its inlines; `inspection_record` inside its own."""
    with transaction.atomic():
        for finding in inspection.findings.select_related("inspection"):
            _finding_event(finding)
        for penalty in inspection.penalties.select_related("inspection"):
            _penalty_event(penalty)


def inspection_record(
    *,
    institution: Any,
    kind: str,
    inspected_on: datetime.date,
    inspectors: str,
    by: Any,
    summary: str = "",
    findings: Sequence[Mapping[str, Any]] = (),
    penalties: Sequence[Mapping[str, Any]] = (),
) -> Inspection:
    """Records an inspection with its findings (category, severity, description, clause) and penalties
    (kind, amount, decision_number, decided_on, description); each row is validated first."""
    with transaction.atomic():
        inspection = Inspection(
            institution=institution,
            kind=kind,
            inspected_on=inspected_on,
            inspectors=inspectors,
            summary=summary,
            recorded_by=by,
        )
        inspection.full_clean()
        inspection.save()
        for values in findings:
            finding = Finding(inspection=inspection, **values)
            finding.full_clean()
            finding.save()
        for values in penalties:
            penalty = Penalty(inspection=inspection, **values)
            penalty.full_clean()
            penalty.save()
        inspection_events_record(inspection=inspection)
    return inspection


# --- Orders -------------------------------------------------------------------------------------------


def _members_to_tell(order: RectificationOrder) -> Any:
    return institution_members_with_perm(institution_id=order.institution_id, perm=PERMISSION)


def order_issue(
    *,
    inspection: Inspection,
    findings: Iterable[Finding],
    by: Any,
    due_on: datetime.date | None = None,
    requirement: str = "",
) -> RectificationOrder:
    """整改通知 for these findings of the inspection, due `due_on` (default: due_on_default()). The
    institution's members who handle rectification get an in-site message and an SMS; the deadline's
    reminders and the to-do follow from the kit's declaration (rectification.integrations)."""
    chosen = list(findings)
    if not chosen:
        raise ValidationError({"findings": "请至少选择一项需要整改的问题。"})
    if any(finding.inspection_id != inspection.pk for finding in chosen):
        raise ValidationError({"findings": "只能选择本次检查发现的问题。"})
    today = timezone.localdate()
    due_on = due_on or due_on_default(today=today)
    if due_on <= today:
        raise ValidationError({"due_on": "整改期限须晚于今天。"})
    with transaction.atomic():
        order = RectificationOrder.objects.create(
            inspection=inspection,
            institution_id=inspection.institution_id,
            requirement=requirement.strip(),
            due_on=due_on,
            issued_by=by,
        )
        order.findings.set(chosen)
        event_record(
            kind=events.ORDER_ISSUED,
            key=f"rectification.order:{order.pk}:issued",
            institution=order.institution_id,
            source=order,
            payload={
                "order_id": order.pk,
                "inspection_id": inspection.pk,
                "finding_ids": sorted(finding.pk for finding in chosen),
                "issued_on": today.isoformat(),
                "due_on": due_on.isoformat(),
            },
        )
        notify(
            recipients=_members_to_tell(order),
            title=f"整改通知：请于 {format_date(due_on)} 前完成整改",
            body=(
                f"监管部门在{inspection.inspected_on:%Y年%m月%d日}的{inspection.get_kind_display()}中发现"
                f" {len(chosen)} 项问题，要求您单位限期整改，请在期限内提交整改措施和证明材料。"
            ),
            url=order.get_absolute_url(),
            sms=True,
        )
    return order


def _locked(order: RectificationOrder) -> RectificationOrder:
    return RectificationOrder.objects.select_for_update().get(pk=order.pk)


def round_current(*, order: RectificationOrder) -> RectificationRound | None:
    """The round not submitted yet (the draft), if any."""
    return order.rounds.filter(submitted_at__isnull=True).order_by("-number").first()


def _draft_round(order: RectificationOrder) -> RectificationRound:
    """The draft round, created on first use with one measure per finding (what the answer form showed:
    selectors.answer_draft_measures; a new round after a return starts from the previous round's text,
    the evidence stays with the round it was sent in)."""
    draft = round_current(order=order)
    if draft is not None:
        return draft
    measures = answer_draft_measures(order=order)
    latest = order.rounds.order_by("-number").values_list("number", flat=True).first() or 0
    draft = RectificationRound.objects.create(order=order, number=latest + 1)
    for measure in measures:
        measure.round = draft
    RectificationMeasure.objects.bulk_create(measures)
    return draft


def answer_save(
    *,
    order: RectificationOrder,
    by: Any,
    measures: Mapping[int, str],
    evidence: Mapping[int, Sequence[UploadedFile]] | None = None,
    remove_evidence: Iterable[int] = (),
    submit: bool = False,
) -> RectificationRound:
    """Saves the institution's answer (per finding id: the measures taken, new evidence files, evidence
    of this draft to remove) as the draft round; with `submit`, hands it in (every finding needs its
    measures). Refused with InvalidTransition when the order is not waiting for an answer."""
    evidence = evidence or {}
    with transaction.atomic():
        order = _locked(order)
        if order.status not in ANSWERABLE:
            raise InvalidTransition(
                f"该整改通知当前状态为「{order.get_status_display()}」，不能修改整改答复。请刷新后查看。"
            )
        draft = _draft_round(order)
        rows = {measure.finding_id: measure for measure in draft.measures.select_related("finding")}
        errors: dict[str, list[str]] = {}
        for finding_id, text in measures.items():
            measure = rows.get(finding_id)
            if measure is None:
                continue  # not a finding of this order: ignored, as a form never offers it
            text = (text or "").strip()
            if len(text) > MEASURES_MAX_CHARS:
                errors[f"measures_{finding_id}"] = [f"整改措施最多 {MEASURES_MAX_CHARS} 字。"]
                continue
            if text != measure.measures:
                measure.measures = text
                measure.save(update_fields=["measures", "updated_at"])
        if errors:
            raise ValidationError(errors)
        remove_ids = [int(pk) for pk in remove_evidence]
        if remove_ids:
            for measure in rows.values():
                attachments_remove(owner=measure, purpose=EVIDENCE_RULE.purpose, ids=remove_ids)
        for finding_id, files in evidence.items():
            measure = rows.get(finding_id)
            if measure is not None and files:
                attachments_store(
                    owner=measure, rule=EVIDENCE_RULE, files=files, by=by, error_key=f"evidence_{finding_id}"
                )
        if submit:
            missing = {
                f"measures_{measure.finding_id}": ["请填写该问题的整改措施及结果。"]
                for measure in rows.values()
                if not measure.measures
            }
            if missing:
                raise ValidationError(missing)
            transition(obj=order, name="submit", by=by, side=Side.INSTITUTION)
            RectificationRound.objects.filter(pk=draft.pk).update(
                submitted_at=timezone.now(), submitted_by=by
            )
            draft.refresh_from_db()
    return draft


def _submitted_round(order: RectificationOrder) -> RectificationRound:
    latest = order.rounds.filter(submitted_at__isnull=False, decision="").order_by("-number").first()
    if latest is None:
        raise InvalidTransition("该整改通知没有待审核的整改答复，请刷新后查看。")
    return latest


def order_accept(*, order: RectificationOrder, by: Any, comment: str = "", side: str | None = None) -> None:
    """整改完成: the submitted answer is accepted; the order keeps whether it was overdue."""
    with transaction.atomic():
        order = _locked(order)
        answer = _submitted_round(order)
        transition(obj=order, name="accept", by=by, comment=comment, side=side)
        now = timezone.now()
        RectificationRound.objects.filter(pk=answer.pk).update(
            decision=RoundDecision.ACCEPTED, decided_at=now, decided_by=by, comment=comment.strip()
        )
        RectificationOrder.objects.filter(pk=order.pk).update(accepted_at=now)
        event_record(
            kind=events.ORDER_ACCEPTED,
            key=f"rectification.order:{order.pk}:accepted",
            institution=order.institution_id,
            source=order,
            payload={
                "order_id": order.pk,
                "inspection_id": order.inspection_id,
                "accepted_on": timezone.localdate().isoformat(),
                "was_overdue": order.overdue_at is not None,
                "rounds": answer.number,
            },
        )


def order_return(
    *,
    order: RectificationOrder,
    by: Any,
    comment: str,
    finding_comments: Mapping[int, str] | None = None,
    side: str | None = None,
) -> None:
    """退回: the answer goes back with a comment (required) and, per finding, what is still missing."""
    finding_comments = finding_comments or {}
    with transaction.atomic():
        order = _locked(order)
        answer = _submitted_round(order)
        transition(obj=order, name="return", by=by, comment=comment, side=side)
        RectificationRound.objects.filter(pk=answer.pk).update(
            decision=RoundDecision.RETURNED, decided_at=timezone.now(), decided_by=by, comment=comment.strip()
        )
        for measure in answer.measures.all():
            text = (finding_comments.get(measure.finding_id) or "").strip()
            if text:
                measure.regulator_comment = text
                measure.save(update_fields=["regulator_comment", "updated_at"])


def order_mark_overdue(*, order: RectificationOrder) -> None:
    """逾期 (the deadline job's overdue action): the order still waits for an answer past its date. The
    institution and the regulator who issued the order are told; the order keeps `overdue_at`. An order
    that is not waiting for an answer any more (submitted, accepted, already 逾期) is left alone."""
    with transaction.atomic():
        order = _locked(order)
        if order.status not in OVERDUE_FROM:
            # Answered in the meantime, or marked already: nothing is late any more, or nothing new.
            return
        transition(obj=order, name="overdue", by=None, side=Side.SYSTEM)
        now = timezone.now()
        RectificationOrder.objects.filter(pk=order.pk, overdue_at__isnull=True).update(overdue_at=now)
        order.refresh_from_db()
        event_record(
            kind=events.ORDER_OVERDUE,
            key=f"rectification.order:{order.pk}:overdue:{order.due_on.isoformat()}",
            institution=order.institution_id,
            source=order,
            payload={
                "order_id": order.pk,
                "due_on": order.due_on.isoformat(),
                "overdue_on": timezone.localdate().isoformat(),
            },
        )
        institution = order.institution.name
        notify(
            recipients=_members_to_tell(order),
            title=f"整改已逾期：整改期限为 {format_date(order.due_on)}",
            body="您单位的整改通知已超过整改期限，请尽快提交整改措施和证明材料。逾期整改将记入信用记录。",
            url=order.get_absolute_url(),
        )
        if order.issued_by_id:
            notify(
                recipients=[order.issued_by],
                title=f"整改逾期：{institution}",
                body=f"{institution}未在 {format_date(order.due_on)} 前提交整改材料，已标记为逾期。",
                url=admin_order_url(order),
            )


def admin_order_url(order: RectificationOrder) -> str:
    return reverse("admin:rectification_rectificationorder_change", args=[order.pk])


# --- Disclosure on the portal ------------------------------------------------------------------------


def _paragraphs(*lines: str) -> str:
    return "".join(linebreaks(escape(redact_personal_numbers(line))) for line in lines if line)


def _disclose(*, record: Any, kind: str, by: Any, title: str, body: str, summary: str) -> None:
    now = timezone.now()
    name = type(record)._meta.model_name
    institution = record.inspection.institution if isinstance(record, Penalty) else record.institution
    event_record(
        kind=DISCLOSURE_REQUESTED,
        key=f"rectification.{name}:{record.pk}:disclosure:{now.timestamp():.6f}",
        institution=institution.pk,
        source=record,
        payload={
            "key": f"rectification.{name}:{record.pk}",
            "kind": kind,
            "title": redact_personal_numbers(title)[:200],
            "body": body,
            "summary": redact_personal_numbers(summary)[:300],
            "region_code": institution.region_code,
            "by_id": by.pk,
        },
    )
    type(record).objects.filter(pk=record.pk).update(disclosed_at=now)
    record.disclosed_at = now


def inspection_disclose(*, inspection: Inspection, by: Any, title: str = "", note: str = "") -> None:
    """Publishes the inspection's result on the portal (监督检查) through news, by event: the kind, date,
    institution, its findings by category and severity and whether rectification was ordered; never the
    inspectors or anyone's number (`note` is redacted too)."""
    findings = list(inspection.findings.all())
    lines = [
        f"{inspection.inspected_on:%Y年%m月%d日}，监管部门对{inspection.institution.name}开展了"
        f"{inspection.get_kind_display()}。",
        f"检查发现问题 {len(findings)} 项："
        + "；".join(
            f"{finding.get_category_display()}（{finding.get_severity_display()}）" for finding in findings
        )
        + "。"
        if findings
        else "检查未发现问题。",
        "已责令该机构限期整改。" if inspection.orders.exists() else "",
        note,
    ]
    with transaction.atomic():
        _disclose(
            record=inspection,
            kind="inspection",
            by=by,
            title=title or f"{inspection.institution.name}{inspection.get_kind_display()}结果",
            body=_paragraphs(*lines),
            summary=lines[0],
        )


def penalty_disclose(*, penalty: Penalty, by: Any, title: str = "", note: str = "") -> None:
    """Publishes the penalty's summary on the portal (行政处罚) through news, by event."""
    institution = penalty.inspection.institution
    amount = f"，金额 {penalty.amount:,.2f} 元" if penalty.amount is not None else ""
    lines = [
        f"{institution.name}（统一社会信用代码 {institution.uscc}）于{penalty.decided_on:%Y年%m月%d日}"
        f"被处以{penalty.get_kind_display()}{amount}，处罚决定书文号：{penalty.decision_number}。",
        f"处罚事由：{penalty.description}" if penalty.description else "",
        note,
    ]
    with transaction.atomic():
        _disclose(
            record=penalty,
            kind="penalty",
            by=by,
            title=title or f"{institution.name}行政处罚信息（{penalty.decision_number}）",
            body=_paragraphs(*lines),
            summary=lines[0],
        )


def evidence_of(measure: RectificationMeasure) -> Any:
    return attachments_of(measure, purpose=EVIDENCE_RULE.purpose)
