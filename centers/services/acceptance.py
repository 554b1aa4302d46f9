"""验收申请: two steps, the city bureau then the province.

Started while the center is being built and has an approved task book (and no change under review).
Submitting needs a self-evaluation of every indicator of the current task book and the acceptance
materials; the first submission makes the center 验收申请中 (the construction deadline stops counting).
The province accepts with a grade (验收通过（优秀/良好/合格）: the center is 运行中 with its acceptance date
and grade) or not (验收不通过 with its comments: the center is 验收未通过 and construction goes on, or
筹建超期 when its deadline has passed). A withdrawal puts the center back where it was building.
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from sujt.core.choices import ReviewStatus
from sujt.core.workflow import InvalidTransition, Side, transition

from ..choices import AcceptanceGrade, AcceptanceStatus, CenterStatus, TaskBookKind
from ..models import AcceptanceApplication, AcceptanceEvaluation, Center, TaskBook, TaskIndicator
from .centers import center_running_record
from .common import ACCEPTANCE_RULE, files_update, locked, require_files, rows_checked, rows_replace

A = AcceptanceStatus
OPEN = (A.DRAFT, A.CITY_REVIEW, A.PROVINCE_REVIEW, A.RETURNED)
GRADE_OF_DECISION = {
    "pass_excellent": AcceptanceGrade.EXCELLENT,
    "pass_good": AcceptanceGrade.GOOD,
    "pass_pass": AcceptanceGrade.PASS,
}


def acceptance_refusal(center: Center) -> str:
    """Why the institution cannot start an acceptance application for `center` now ("" when it can)."""
    if not center.under_construction:
        return f"中心当前状态为「{center.get_status_display()}」，只有筹建中的中心可以申请验收。"
    if center.task_book_id is None:
        return "任务书审核通过后才能申请验收。"
    if AcceptanceApplication.objects.filter(center=center, status__in=OPEN).exists():
        return "已有验收申请在填报或审核中，请在原申请上继续。"
    if TaskBook.objects.filter(
        center=center, kind=TaskBookKind.CHANGE, status=ReviewStatus.SUBMITTED
    ).exists():
        return "任务书变更申请正在审核，审核办结后再申请验收。"
    return ""


def acceptance_save(
    *,
    center: Center,
    by: Any,
    summary: str,
    evaluations: Sequence[Mapping[str, Any]],
    files: Sequence[UploadedFile] = (),
    remove_files: Sequence[int] = (),
    application: AcceptanceApplication | None = None,
    submit: bool = False,
) -> AcceptanceApplication:
    """Creates or changes a draft (or returned) acceptance application: the summary, `evaluations`
    ({indicator_id, achieved_value, met, remark}) of the current task book's indicators and the
    materials; with `submit`, hands it in."""
    evaluations = rows_checked(evaluations, noun="指标自评", field="evaluations")
    with transaction.atomic():
        center = locked(center)
        if application is None:
            refusal = acceptance_refusal(center)
            if refusal:
                raise InvalidTransition(refusal)
            application = AcceptanceApplication(
                center=center, institution_id=center.institution_id, applicant=by
            )
        else:
            application = locked(application)
            if not application.is_editable_by_institution:
                raise InvalidTransition(
                    f"该验收申请当前状态为「{application.get_status_display()}」，不能修改。"
                )
        application.task_book_id = center.task_book_id
        application.summary = (summary or "").strip()
        application.full_clean(exclude=["status"])
        indicators = set(
            TaskIndicator.objects.filter(task_book_id=center.task_book_id).values_list("pk", flat=True)
        )
        given = [row["indicator_id"] for row in evaluations]
        if set(given) - indicators:
            raise ValidationError({"evaluations": "任务书已变更，请按现行任务书的指标重新自评。"})
        if submit and set(given) != indicators:
            raise ValidationError({"evaluations": "请对现行任务书的每一项指标进行自评。"})
        application.save()
        rows_replace(
            old=application.evaluations.all(),
            model=AcceptanceEvaluation,
            by=by,
            new=(
                AcceptanceEvaluation(
                    application=application,
                    indicator_id=row["indicator_id"],
                    achieved_value=row["achieved_value"],
                    met=bool(row["met"]),
                    remark=(row.get("remark") or "").strip(),
                )
                for row in evaluations
            ),
        )
        files_update(
            owner=application, rule=ACCEPTANCE_RULE, files=files, remove=remove_files, by=by, field="files"
        )
        if submit:
            acceptance_submit(application=application, by=by)
    application.refresh_from_db()
    return application


def acceptance_submit(*, application: AcceptanceApplication, by: Any) -> None:
    with transaction.atomic():
        application = locked(application)
        center = locked(application.center)
        current = set(
            TaskIndicator.objects.filter(task_book_id=center.task_book_id).values_list("pk", flat=True)
        )
        evaluated = set(application.evaluations.values_list("indicator_id", flat=True))
        if application.task_book_id != center.task_book_id or evaluated != current:
            raise ValidationError({"evaluations": "请对现行任务书的每一项指标进行自评。"})
        require_files(application, ACCEPTANCE_RULE, field="files", message="请上传验收材料。")
        if center.status != CenterStatus.ACCEPTANCE:
            transition(obj=center, name="apply_acceptance", by=by, side=Side.SYSTEM)
        transition(obj=application, name="submit", by=by, side=Side.INSTITUTION)


def _center_resume(center: Center, *, by: Any, failed: bool, today: datetime.date) -> None:
    late = center.construction_due_on is not None and center.construction_due_on < today
    name = ("fail" if failed else "resume") + ("_late" if late else "")
    transition(obj=center, name=name, by=by, side=Side.SYSTEM)


def acceptance_withdraw(
    *, application: AcceptanceApplication, by: Any, today: datetime.date | None = None
) -> None:
    """The institution withdraws; a center waiting on this application is building again."""
    with transaction.atomic():
        submitted = application.submitted_at is not None
        transition(obj=application, name="withdraw", by=by, side=Side.INSTITUTION)
        center = locked(application.center)
        if submitted and center.status == CenterStatus.ACCEPTANCE:
            _center_resume(center, by=by, failed=False, today=today or timezone.localdate())


def acceptance_pass(
    *, application: AcceptanceApplication, decision: str, by: Any, comment: str = "", side: str | None = None
) -> None:
    """The province accepts with the grade its decision names: the center is 运行中."""
    grade = GRADE_OF_DECISION[decision]
    with transaction.atomic():
        transition(obj=application, name=decision, by=by, comment=comment, side=side)
        AcceptanceApplication.objects.filter(pk=application.pk).update(grade=grade)
        center = locked(application.center)
        Center.objects.filter(pk=center.pk).update(accepted_on=timezone.localdate(), acceptance_grade=grade)
        transition(obj=center, name="pass", by=by, side=Side.SYSTEM)
        center_running_record(center=center)
        application.refresh_from_db()


def acceptance_fail(
    *,
    application: AcceptanceApplication,
    by: Any,
    comment: str = "",
    side: str | None = None,
    today: datetime.date | None = None,
) -> None:
    """The province does not accept (a comment is required): construction goes on."""
    with transaction.atomic():
        transition(obj=application, name="province_fail", by=by, comment=comment, side=side)
        center = locked(application.center)
        _center_resume(center, by=by, failed=True, today=today or timezone.localdate())
