"""The engine that runs every declared workflow (DESIGN §6).

`transition(obj=..., name=..., by=..., comment=..., side=...)` takes one declared transition: a row lock
and a conditional UPDATE on the transition's source states inside one transaction (two reviewers can
never both win), one ReviewTransition row (with the action name), one history row, and after commit the
task that tells the people who act next (sujt.core.workflow.notices).
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from ..models import ReviewTransition
from ..regions import PROVINCE_CODE
from ..tasks import notify_transition_task
from .declaration import Side, Transition, Workflow, side_may_take, workflow_of

# Fields the engine owns on a Reviewable; refreshed after a transition, read-only in admin. A model with
# its own lifecycle needs only its state field: the others are written when the model has them.
WORKFLOW_FIELDS = ["status", "submitted_at", "status_changed_at", "status_changed_by", "review_comment"]


class InvalidTransition(Exception):
    """The object is not (or no longer) in a state this transition starts from, or the caller acts for a
    side that may not take it. `message` is the Chinese text to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _invalid_message(*, workflow: Workflow, current: str | None, step: Transition) -> str:
    if current is None:
        return _("该事项不存在或已被删除，请刷新后查看。")
    return _("该事项当前状态为「%(status)s」，不能%(action)s。可能已被他人处理，请刷新后重试。") % {
        "status": workflow.label(current),
        "action": step.label,
    }


def _record_history(*, model: type[models.Model], pk: int, by: Any, reason: str) -> None:
    """A history row for the status change (a queryset update bypasses simple-history's signals)."""
    # A proxy (e.g. a review queue's model) keeps its history on the concrete model.
    model = model._meta.concrete_model
    try:
        manager = get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return
    instance = model._default_manager.get(pk=pk)
    manager.bulk_history_create([instance], update=True, default_user=by, default_change_reason=reason)


def _legacy_step(workflow: Workflow, *, to: str, allowed_from: Iterable[str]) -> tuple[Transition, set[str]]:
    """The declared transition a call in the older form (to=, allowed_from=) means."""
    allowed = {str(state) for state in allowed_from}
    for step in workflow.transitions:
        if step.target == str(to) and step.source & allowed:
            return step, set(step.source & allowed)
    raise ValueError(f"{workflow.name}: no declared transition to {to!r} from {sorted(allowed)}")


def _check_request(*, step: Transition, obj: Any, by: Any, comment: str, side: str | None) -> None:
    """What can be refused before touching the database: the side, the comment, the guard."""
    if side is not None and not side_may_take(side, step.side):
        raise InvalidTransition(
            _("「%(action)s」须由%(side)s办理，不能由%(actor)s操作。")
            % {"action": step.label, "side": step.side.label, "actor": Side(side).label}
        )
    if step.comment_required and not comment:
        raise ValidationError(
            _("%(action)s时必须填写审核意见。") % {"action": step.label}, code="comment_required"
        )
    if step.guard is not None:
        refusal = step.guard(obj, by)
        if refusal:
            raise ValidationError(refusal, code="guard")


def transition(
    *,
    obj: models.Model,
    by: Any,
    name: str | None = None,
    comment: str = "",
    side: str | None = None,
    to: str | None = None,
    allowed_from: Iterable[str] | None = None,
) -> ReviewTransition:
    """Takes the declared transition `name` of `obj`'s workflow; returns its log row.

    - `by`: the acting user, or None for the system (a scheduled job).
    - `comment`: stripped; required when the transition says so (ValidationError otherwise). A
      regulator's comment is also kept on the object as `review_comment`.
    - `side`: whose side the caller acts for (Side). When given, a transition declared for another side
      is refused with InvalidTransition (the province may take a city step). Views and admin pass it —
      workspace code Side.INSTITUTION, admin the regulator's side (`regulator_side(user)`), scheduled
      jobs Side.SYSTEM; trusted internal code may leave it None.
    - Raises InvalidTransition when the object is not in one of the transition's source states (also when
      someone else moved it first) and ValidationError when the comment or a guard refuses. Nothing is
      written then.

    `to=` / `allowed_from=` instead of `name` is the older form: it takes the declared transition leading
    to `to` from one of `allowed_from` (ValueError when none is declared).
    """
    model = type(obj)
    workflow = workflow_of(model)
    if name is not None:
        step = workflow.get(name)
        allowed = set(step.source)
    elif to is not None and allowed_from is not None:
        step, allowed = _legacy_step(workflow, to=to, allowed_from=allowed_from)
    else:
        raise TypeError("transition() needs name= (or to= with allowed_from=)")
    comment = (comment or "").strip()
    _check_request(step=step, obj=obj, by=by, comment=comment, side=side)

    now = timezone.now()
    # The state field always; who and when, the submission time and a regulator's opinion (an
    # institution's or the system's move keeps the last one) where the model has those fields.
    fields: dict[str, Any] = {workflow.field: step.target, "status_changed_at": now, "status_changed_by": by}
    if step.submits:
        fields["submitted_at"] = now
    if step.by_regulator:
        fields["review_comment"] = comment
    has = {f.name for f in model._meta.concrete_fields}
    fields = {key: value for key, value in fields.items() if key in has}
    with transaction.atomic():
        # The row lock makes the logged "from" state exact; the conditional UPDATE is the guard.
        current = (
            model._default_manager.select_for_update()
            .filter(pk=obj.pk)
            .values_list(workflow.field, flat=True)
            .first()
        )
        changed = model._default_manager.filter(pk=obj.pk, **{f"{workflow.field}__in": allowed}).update(
            **fields
        )
        if changed != 1:
            raise InvalidTransition(_invalid_message(workflow=workflow, current=current, step=step))
        log = ReviewTransition.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=obj.pk,
            from_status=current,
            to_status=step.target,
            action=step.name,
            by=by,
            comment=comment,
            created_at=now,
        )
        _record_history(
            model=model, pk=obj.pk, by=by, reason=f"{workflow.label(current)} → {workflow.label(step.target)}"
        )
        label, pk, to_status = model._meta.label, obj.pk, step.target
        transaction.on_commit(lambda: notify_transition_task.delay(label, pk, to_status))
    obj.refresh_from_db(fields=[name for name in [workflow.field, *WORKFLOW_FIELDS] if name in has])
    return log


# --- Selectors ---------------------------------------------------------------------------------------


def transitions_of(obj: models.Model) -> QuerySet[ReviewTransition]:
    """The object's transition log, oldest first."""
    return (
        ReviewTransition.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        )
        .select_related("by")
        .order_by("created_at", "id")
    )


def last_submitter(obj: models.Model) -> Any:
    """Who last handed the object in (took a submitting transition), or None."""
    submitted = workflow_of(obj).submitted_states()
    latest = transitions_of(obj).filter(to_status__in=submitted).order_by("-created_at", "-id").first()
    return latest.by if latest else None


def regulator_side(user: Any) -> Side | None:
    """The side a regulator acts for: the province when their jurisdiction is the province (superusers
    too), else the city step (city and district regulators); None for a user with no jurisdiction."""
    scope = getattr(user, "region_scope", None)
    if scope is None:
        return None
    return Side.PROVINCE if scope == PROVINCE_CODE else Side.CITY
