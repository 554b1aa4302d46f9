"""Writes of 07/08 运营数据填报: each a keyword-only function, one transaction, events recorded inside it.

Regulators keep templates and issue tasks in admin (`template_save`, `task_save`, `task_publish`); the
institution fills its assignment in the workspace (`assignment_save`, with submit); a regulator accepts
or returns it (`assignment_accept`, `assignment_return`), reminds the laggards (`assignments_remind`) and
may excuse a late one (`assignment_excuse`); the deadline job marks what was not handed in on time
(`assignment_mark_overdue`). Every state change goes through the kit's engine (`transition`).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from sujt.accounts.parties import institution_members_with_perm, members_with_perm_in
from sujt.core.dates import format_date
from sujt.core.events import event_record
from sujt.core.notifications import notify
from sujt.core.ratelimit import limit_take
from sujt.core.workflow import InvalidTransition, Side, transition

from . import events, schema, targets
from .choices import AssignmentStatus, TargetKind, TaskStatus
from .models import PERMISSION, ReportAssignment, ReportTask, ReportTemplate, TemplateField
from .selectors import previous_values

S = AssignmentStatus
# What the deadline job's 逾期 starts from (ASSIGNMENT_WORKFLOW's "overdue").
OVERDUE_FROM = frozenset({S.PENDING, S.DRAFT})
NOT_HANDED_IN = frozenset({S.PENDING, S.DRAFT, S.RETURNED, S.OVERDUE})
# 催报: an assignment is reminded at most once a day; a regulator sends at most this many batches.
REMIND_INTERVAL = datetime.timedelta(hours=20)
REMIND_LIMITS = ((10, 3600), (50, 86400))
REMIND_MAX = 5000
EXCUSE_MAX_CHARS = 500
BULK_SIZE = 1000


# --- Templates and tasks ------------------------------------------------------------------------------


def template_save(*, template: ReportTemplate, by: Any) -> ReportTemplate:
    """Saves a template's own facts (its fields are saved with it by admin's inline formset)."""
    with transaction.atomic():
        template.full_clean()
        template.save()
    return template


def template_copy(*, template: ReportTemplate, by: Any) -> ReportTemplate:
    """A copy of a template with its fields, named “…（副本）” (a second copy gets a number), to adapt."""
    with transaction.atomic():
        name, n = f"{template.name}（副本）", 1
        while ReportTemplate.objects.filter(name=name).exists():
            n += 1
            name = f"{template.name}（副本{n}）"
        fields = list(template.fields.all())
        copy = ReportTemplate.objects.create(
            name=name[:100], target_kind=template.target_kind, description=template.description
        )
        for field in fields:
            field.pk, field.id, field.template = None, None, copy
        TemplateField.objects.bulk_create(fields)
    return copy


def task_title_default(*, template: ReportTemplate, period_label: str) -> str:
    return f"{period_label.strip()}{template.name}"


def task_save(*, task: ReportTask, criteria: Mapping[str, Any], by: Any) -> ReportTask:
    """Saves a task not published yet, with how its targets are chosen. A task issued by a regulator
    covers their jurisdiction (`region_code`), fixed when it is created."""
    if task.pk and ReportTask.objects.filter(pk=task.pk).exclude(status=TaskStatus.DRAFT).exists():
        raise InvalidTransition("该任务已发布，不能再修改。")
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if task.due_on and task.due_on <= today:
        errors["due_on"] = "截止日期须晚于今天。"
    if task.template_id and not task.template.active:
        errors["template"] = "该模板已停用，请选择其他模板。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not task.pk:
            task.created_by = by
            task.region_code = by.region_scope
        if not task.title.strip():
            task.title = task_title_default(template=task.template, period_label=task.period_label)
        task.criteria = dict(criteria)
        task.full_clean()
        task.save()
    return task


def task_publish(*, task: ReportTask, by: Any) -> int:
    """发布: freezes the template's fields, creates one assignment per target (each due on the task's
    date) and tells the institutions' members who fill reports. Returns the number of assignments.
    Refused when the task is published already (two clicks, two regulators), has no target, or its
    template cannot be filled in."""
    with transaction.atomic():
        task = ReportTask.objects.select_for_update().select_related("template").get(pk=task.pk)
        if task.status != TaskStatus.DRAFT:
            raise InvalidTransition("该任务已发布，请刷新后查看。")
        if task.due_on <= timezone.localdate():
            raise ValidationError({"due_on": "截止日期须晚于今天，请修改后再发布。"})
        if not task.template.active:  # deactivated after the draft was saved
            raise ValidationError({"template": "该模板已停用，请选择其他模板。"})
        frozen = task.template.schema()
        schema.validate_schema(frozen)
        chosen = targets.targets_of(
            target_kind=task.target_kind, criteria=task.criteria, region_code=task.region_code
        )
        if not chosen:
            raise ValidationError("没有符合条件的填报对象，请调整筛选条件。")
        subject = targets.subject_of(task.target_kind)
        subject_type = ContentType.objects.get_for_model(subject.model) if subject else None
        ReportAssignment.objects.bulk_create(
            [
                ReportAssignment(
                    task=task,
                    institution_id=target.institution_id,
                    subject_type=subject_type if target.subject_id else None,
                    subject_id=target.subject_id,
                    subject_name=target.subject_name,
                    due_on=task.due_on,
                )
                for target in chosen
            ],
            batch_size=BULK_SIZE,
        )
        now = timezone.now()
        ReportTask.objects.filter(pk=task.pk, status=TaskStatus.DRAFT).update(
            status=TaskStatus.PUBLISHED, schema=frozen, published_at=now, published_by=by
        )
        task.refresh_from_db()
        ReportTask.history.bulk_history_create([task], update=True, default_change_reason="发布任务")
        module = "中心运营数据填报" if task.target_kind == TargetKind.CENTER else "技术机构运营数据填报"
        notify(
            recipients=members_with_perm_in(
                institution_ids=sorted({target.institution_id for target in chosen}), perm=PERMISSION
            ),
            title=f"运营数据填报任务：{task.title}",
            body=(
                f"监管部门发布了填报任务「{task.title}」，请于 {format_date(task.due_on)} 前在"
                f"“{module}”中完成填报。{task.instructions}".strip()
            ),
            url=reverse(
                "reporting:center_list" if task.target_kind == TargetKind.CENTER else "reporting:list"
            ),
        )
    return len(chosen)


# --- Filling --------------------------------------------------------------------------------------------


def _locked(assignment: ReportAssignment) -> ReportAssignment:
    return ReportAssignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)


def assignment_save(
    *,
    assignment: ReportAssignment,
    by: Any,
    values: Mapping[str, Any],
    explanations: Mapping[str, str] | None = None,
    submit: bool = False,
) -> ReportAssignment:
    """Saves the answers (cleaned form values by field key) as the assignment's draft; with `submit`,
    hands it in: every required field answered (the form checks that) and every answer that moved more
    than 50 % from the previous period's explained (ValidationError by key otherwise, nothing saved).
    Refused with InvalidTransition when the assignment is not the institution's to edit."""
    explanations = explanations or {}
    with transaction.atomic():
        assignment = _locked(assignment)
        if not assignment.is_editable:
            raise InvalidTransition(
                f"该填报当前状态为「{assignment.get_status_display()}」，不能修改。请刷新后查看。"
            )
        specs = schema.specs_of(assignment.task.schema)
        stored = {}
        for spec in specs:
            value = schema.to_stored(spec, values.get(spec.key))
            if value is not None:
                stored[spec.key] = value
        previous = previous_values(assignment=assignment)
        large = set(schema.changed_keys(specs, stored, previous))
        kept = {
            key: text.strip()[: schema.EXPLANATION_MAX]
            for key, text in explanations.items()
            if key in large and (text or "").strip()
        }
        if submit:
            missing = schema.explanation_errors(specs, stored, previous, kept)
            if missing:
                raise ValidationError({f"explain_{key}": message for key, message in missing.items()})
        handed_in = {"submitted_values": stored, "submitted_explanations": kept} if submit else {}
        ReportAssignment.objects.filter(pk=assignment.pk).update(
            values=stored, explanations=kept, saved_at=timezone.now(), **handed_in
        )
        if assignment.status == S.PENDING:
            transition(obj=assignment, name="save", by=by, side=Side.INSTITUTION)
        if submit:
            transition(obj=assignment, name="submit", by=by, side=Side.INSTITUTION)
        assignment.refresh_from_db()
        if not submit:
            ReportAssignment.history.bulk_history_create(
                [assignment], update=True, default_change_reason="保存草稿"
            )
    return assignment


def assignment_accept(
    *, assignment: ReportAssignment, by: Any, comment: str = "", side: str | None = None
) -> None:
    transition(obj=assignment, name="accept", by=by, comment=comment, side=side)


def assignment_return(
    *, assignment: ReportAssignment, by: Any, comment: str, side: str | None = None
) -> None:
    transition(obj=assignment, name="return", by=by, comment=comment, side=side)


# --- Deadlines, lateness and reminders ---------------------------------------------------------------


def assignment_mark_overdue(*, assignment: ReportAssignment) -> None:
    """逾期未报 (the deadline job's overdue action): not handed in by its date. The institution is told;
    the event lets credit record K05. One handed in meanwhile (or returned for a correction after being
    handed in on time) is left alone."""
    with transaction.atomic():
        assignment = _locked(assignment)
        if assignment.status not in OVERDUE_FROM:
            return
        transition(obj=assignment, name="overdue", by=None, side=Side.SYSTEM)
        ReportAssignment.objects.filter(pk=assignment.pk, overdue_at__isnull=True).update(
            overdue_at=timezone.now()
        )
        assignment.refresh_from_db()
        event_record(
            kind=events.ASSIGNMENT_OVERDUE,
            key=f"reporting.assignment:{assignment.pk}:overdue",
            institution=assignment.institution_id,
            source=assignment,
            payload={
                "assignment_id": assignment.pk,
                "task_id": assignment.task_id,
                "due_on": assignment.due_on.isoformat(),
                # The day it became overdue, however late the job ran (the credit record is dated by it).
                "overdue_on": (assignment.due_on + datetime.timedelta(days=1)).isoformat(),
            },
        )
        notify(
            recipients=institution_members_with_perm(
                institution_id=assignment.institution_id, perm=PERMISSION
            ),
            title=f"运营数据填报已逾期：{assignment.task.title}",
            body=(
                f"「{assignment.task.title}」的截止日期为 {format_date(assignment.due_on)}，您单位尚未提交，"
                "已标记为逾期未报。请尽快完成填报；未按期填报将记入信用记录。"
            ),
            url=assignment.get_absolute_url(),
        )


def assignment_excuse(*, assignment: ReportAssignment, by: Any, reason: str) -> None:
    """免于逾期: a regulator accepts the reason for the delay; the lateness no longer counts (credit
    voids its K05 by the event). Only for an assignment marked 逾期, once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写免于逾期的理由。"})
    if len(reason) > EXCUSE_MAX_CHARS:
        raise ValidationError({"reason": f"理由最多 {EXCUSE_MAX_CHARS} 字。"})
    with transaction.atomic():
        changed = ReportAssignment.objects.filter(
            pk=assignment.pk, overdue_at__isnull=False, excused_at__isnull=True
        ).update(excused_at=timezone.now(), excused_by=by, excuse_reason=reason)
        if changed != 1:
            raise InvalidTransition("该填报未逾期或已免于逾期，请刷新后查看。")
        assignment.refresh_from_db()
        ReportAssignment.history.bulk_history_create(
            [assignment], update=True, default_change_reason="免于逾期"
        )
        event_record(
            kind=events.ASSIGNMENT_EXCUSED,
            key=f"reporting.assignment:{assignment.pk}:excused",
            institution=assignment.institution_id,
            source=assignment,
            payload={
                "assignment_id": assignment.pk,
                "task_id": assignment.task_id,
                "excused_on": timezone.localdate().isoformat(),
                "reason": reason,
            },
        )


@dataclass(frozen=True)
class ReminderResult:
    sent: int
    skipped: int


def assignments_remind(*, assignments: QuerySet[ReportAssignment], by: Any) -> ReminderResult:
    """催报: an in-site message and an SMS to the members who fill reports, for each of `assignments` not
    handed in yet and not reminded within the last day (the others are skipped). At most REMIND_MAX at a
    time; each regulator may send REMIND_LIMITS batches (ValidationError beyond)."""
    refusal = limit_take(scope="reporting.remind", key=str(by.pk), limits=REMIND_LIMITS)
    if refusal is not None:
        raise ValidationError(
            f"催报过于频繁（{refusal.period_label}最多 {refusal.count} 次），请 {refusal.retry_label}后再试。"
        )
    total = assignments.count()
    if total > REMIND_MAX:
        raise ValidationError(f"一次最多催报 {REMIND_MAX} 条，请缩小范围。")
    queryset = assignments
    now = timezone.now()
    due = list(
        queryset.filter(status__in=NOT_HANDED_IN)
        .exclude(reminded_at__gt=now - REMIND_INTERVAL)
        .select_related("task", "institution")
        .order_by("pk")
    )
    with transaction.atomic():
        for assignment in due:
            notify(
                recipients=institution_members_with_perm(
                    institution_id=assignment.institution_id, perm=PERMISSION
                ),
                title=f"催报：{assignment.task.title}",
                body=(
                    f"监管部门提醒：「{assignment.task.title}」（{assignment.target_name}）的截止日期为 "
                    f"{format_date(assignment.due_on)}，请尽快完成填报并提交。"
                ),
                url=assignment.get_absolute_url(),
                sms=True,
            )
        ReportAssignment.objects.filter(pk__in=[a.pk for a in due]).update(reminded_at=now)
    return ReminderResult(sent=len(due), skipped=total - len(due))
