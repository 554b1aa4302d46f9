"""The review workflow every submission uses (DESIGN §6).

    draft → submitted → approved | returned | rejected;  returned → submitted;  draft/submitted → withdrawn

Each transition is a conditional UPDATE on the expected states inside one transaction, so two reviewers
can never both win; it writes a ReviewTransition row (the log) and a history row, and after commit the
other side is notified: regulators overseeing the institution's region on submit/resubmit/withdraw, the
institution's active admins and the submitting user on approve/return/reject.

Core knows nothing about accounts or institutions: `sujt.accounts.parties` registers the function that
finds those people with `set_party_resolver()`.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from .choices import ReviewStatus
from .models import Reviewable, ReviewTransition
from .notifications import notify
from .tasks import notify_transition_task

logger = logging.getLogger(__name__)

Status = ReviewStatus

# Fields the workflow owns on a Reviewable; refreshed after a transition, read-only in admin.
WORKFLOW_FIELDS = ["status", "submitted_at", "status_changed_at", "status_changed_by", "review_comment"]
DECISIONS = {Status.APPROVED, Status.RETURNED, Status.REJECTED}

# What each target state is called as an action, for messages.
ACTION_NAMES = {
    Status.SUBMITTED: "提交",
    Status.APPROVED: "审核通过",
    Status.RETURNED: "退回修改",
    Status.REJECTED: "不予通过",
    Status.WITHDRAWN: "撤回",
}


class InvalidTransition(Exception):
    """The object is not (or no longer) in a state this transition starts from."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- Who is on the other side ------------------------------------------------------------------------

REGULATOR_SIDE = "regulators"  # active regulators whose region contains the institution's
INSTITUTION_SIDE = "institution"  # the institution's active admins
MEMBER_SIDE = "members"  # all its active members

# resolver(institution=..., side=REGULATOR_SIDE | INSTITUTION_SIDE | MEMBER_SIDE) -> users
PartyResolver = Callable[..., Iterable[Any]]
_party_resolver: PartyResolver | None = None


def set_party_resolver(resolver: PartyResolver | None) -> None:
    """Registers the function that finds an institution's regulators / active admins."""
    global _party_resolver
    _party_resolver = resolver


def review_parties(*, institution: Any, side: str) -> list[Any]:
    if institution is None:
        return []
    if _party_resolver is None:
        logger.warning("no review party resolver registered; nobody is notified")
        return []
    return list(_party_resolver(institution=institution, side=side))


# --- Services ----------------------------------------------------------------------------------------


def _invalid_message(*, current: str | None, to: str) -> str:
    if current is None:
        return _("该事项不存在或已被删除，请刷新后查看。")
    return _("该事项当前状态为「%(status)s」，不能%(action)s。可能已被他人处理，请刷新后重试。") % {
        "status": Status(current).label,
        "action": ACTION_NAMES.get(to, to),
    }


def _record_history(*, model: type[Reviewable], pk: int, by: Any, reason: str) -> None:
    """A history row for the status change (a queryset update bypasses simple-history's signals)."""
    # A proxy (e.g. a review queue's model) keeps its history on the concrete model.
    model = model._meta.concrete_model
    try:
        manager = get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return
    instance = model._default_manager.get(pk=pk)
    manager.bulk_history_create([instance], update=True, default_user=by, default_change_reason=reason)


def transition(
    *, obj: Reviewable, to: str, allowed_from: Iterable[str], by: Any, comment: str = ""
) -> ReviewTransition:
    """Moves `obj` to `to` if it is in one of `allowed_from`; otherwise raises InvalidTransition."""
    model = type(obj)
    allowed = {str(state) for state in allowed_from}
    now = timezone.now()
    fields: dict[str, Any] = {"status": to, "status_changed_at": now, "status_changed_by": by}
    if to == Status.SUBMITTED:
        fields["submitted_at"] = now
    if to in DECISIONS:
        fields["review_comment"] = comment
    with transaction.atomic():
        # The row lock makes the logged "from" state exact; the conditional UPDATE is the guard.
        current = (
            model._default_manager.select_for_update()
            .filter(pk=obj.pk)
            .values_list("status", flat=True)
            .first()
        )
        changed = model._default_manager.filter(pk=obj.pk, status__in=allowed).update(**fields)
        if changed != 1:
            raise InvalidTransition(_invalid_message(current=current, to=to))
        log = ReviewTransition.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=obj.pk,
            from_status=current,
            to_status=to,
            by=by,
            comment=comment,
            created_at=now,
        )
        _record_history(model=model, pk=obj.pk, by=by, reason=f"{Status(current).label} → {Status(to).label}")
        label, pk, to_status = model._meta.label, obj.pk, str(to)
        transaction.on_commit(lambda: notify_transition_task.delay(label, pk, to_status))
    obj.refresh_from_db(fields=WORKFLOW_FIELDS)
    return log


def _require_comment(comment: str, action: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            _("%(action)s时必须填写审核意见。") % {"action": action}, code="comment_required"
        )
    return comment


def review_submit(*, obj: Reviewable, by: Any, comment: str = "") -> ReviewTransition:
    """The institution submits a draft for review."""
    return transition(obj=obj, to=Status.SUBMITTED, allowed_from={Status.DRAFT}, by=by, comment=comment)


def review_resubmit(*, obj: Reviewable, by: Any, comment: str = "") -> ReviewTransition:
    """The institution submits again after a return."""
    return transition(obj=obj, to=Status.SUBMITTED, allowed_from={Status.RETURNED}, by=by, comment=comment)


def review_approve(*, obj: Reviewable, by: Any, comment: str = "") -> ReviewTransition:
    return transition(
        obj=obj, to=Status.APPROVED, allowed_from={Status.SUBMITTED}, by=by, comment=(comment or "").strip()
    )


def review_return(*, obj: Reviewable, by: Any, comment: str) -> ReviewTransition:
    """Back to the institution for changes; the comment says what to change."""
    comment = _require_comment(comment, _("退回"))
    return transition(obj=obj, to=Status.RETURNED, allowed_from={Status.SUBMITTED}, by=by, comment=comment)


def review_reject(*, obj: Reviewable, by: Any, comment: str) -> ReviewTransition:
    comment = _require_comment(comment, _("不予通过"))
    return transition(obj=obj, to=Status.REJECTED, allowed_from={Status.SUBMITTED}, by=by, comment=comment)


def review_withdraw(*, obj: Reviewable, by: Any, comment: str = "") -> ReviewTransition:
    """The institution withdraws a draft or a submission not yet decided."""
    return transition(
        obj=obj, to=Status.WITHDRAWN, allowed_from={Status.DRAFT, Status.SUBMITTED}, by=by, comment=comment
    )


# --- Selectors ---------------------------------------------------------------------------------------


def transitions_of(obj: Reviewable) -> QuerySet[ReviewTransition]:
    """The object's transition log, oldest first."""
    return (
        ReviewTransition.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        )
        .select_related("by")
        .order_by("created_at", "id")
    )


def last_submitter(obj: Reviewable) -> Any:
    latest = transitions_of(obj).filter(to_status=Status.SUBMITTED).order_by("-created_at", "-id").first()
    return latest.by if latest else None


# --- Notifying the other side ------------------------------------------------------------------------


def _admin_url(obj: Reviewable) -> str:
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def _institution_url(obj: Reviewable) -> str:
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return get_url()
    except NoReverseMatch:
        return ""


def _message(*, obj: Reviewable, log: ReviewTransition, institution: Any) -> tuple[str, str]:
    thing = f"{obj._meta.verbose_name}「{obj}」"
    opinion = _("审核意见：%(comment)s") % {"comment": log.comment} if log.comment else ""
    if log.to_status == Status.SUBMITTED:
        again = log.from_status == Status.RETURNED
        title = (_("重新提交待审核：%(thing)s") if again else _("待审核：%(thing)s")) % {"thing": thing}
        body = (
            _("%(institution)s按退回意见修改后重新提交了%(thing)s，请及时审核。")
            if again
            else _("%(institution)s提交了%(thing)s，请及时审核。")
        ) % {"institution": institution, "thing": thing}
        return title, body
    if log.to_status == Status.WITHDRAWN:
        title = _("已撤回：%(thing)s") % {"thing": thing}
        return title, _("%(institution)s撤回了%(thing)s，无需审核。") % {
            "institution": institution,
            "thing": thing,
        }
    titles = {
        Status.APPROVED: (_("审核通过：%(thing)s"), _("您单位提交的%(thing)s已审核通过。")),
        Status.RETURNED: (
            _("已退回：%(thing)s"),
            _("您单位提交的%(thing)s已被退回，请按审核意见修改后重新提交。"),
        ),
        Status.REJECTED: (_("未通过：%(thing)s"), _("您单位提交的%(thing)s未通过审核。")),
    }
    title, body = titles[log.to_status]
    return title % {"thing": thing}, " ".join(part for part in (body % {"thing": thing}, opinion) if part)


def transition_notify(*, model_label: str, pk: int, to_status: str) -> int:
    """Notifies the other side of the latest transition of an object to `to_status`, once.

    Returns the number of in-site messages sent (0 when already notified or nobody to tell).
    """
    model = apps.get_model(model_label)
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        return 0
    with transaction.atomic():
        log = (
            transitions_of(obj)
            .filter(to_status=to_status, notified_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        if log is None:
            return 0
        if not ReviewTransition.objects.filter(pk=log.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        ):
            return 0
        # A withdrawn draft was never in front of a regulator: nobody to tell.
        if to_status == Status.WITHDRAWN and log.from_status != Status.SUBMITTED:
            return 0
        institution = obj.review_institution
        title, body = _message(obj=obj, log=log, institution=institution)
        if to_status in {Status.SUBMITTED, Status.WITHDRAWN}:
            recipients = review_parties(institution=institution, side=REGULATOR_SIDE)
            url = _admin_url(obj)
        else:
            recipients = review_parties(institution=institution, side=INSTITUTION_SIDE)
            submitter = last_submitter(obj)
            # The submitter hears of it while still a member (someone who left the institution does not).
            if submitter is not None and submitter in review_parties(
                institution=institution, side=MEMBER_SIDE
            ):
                recipients.append(submitter)
            url = _institution_url(obj)
        return len(notify(recipients=recipients, title=title, body=body, url=url))
