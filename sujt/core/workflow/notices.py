"""Who is told of a transition, and what (after commit, on the worker).

The people who act next hear of it: the regulators of the step the object now waits in (the city bureau
and the institution's district bureau for Side.CITY, the province bureau for Side.PROVINCE), or the
institution (its active admins and the submitter while still a member) when the object comes back to it
or is decided. `Transition.notify` overrides the derived sides. Regulators who chose the daily digest get
a DigestItem instead of a message (sujt.core.notifications.review_notify); institutions always hear at once.

Core knows nothing about accounts or institutions: `sujt.accounts.parties` registers the function that
finds those people with `set_party_resolver()`.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ReviewTransition
from ..notifications import notify, review_notify
from .declaration import REGULATOR_SIDES, Notice, Side, Transition, Workflow, workflow_of
from .engine import last_submitter, transitions_of

logger = logging.getLogger(__name__)

# The sides the party resolver answers, besides Side.CITY and Side.PROVINCE (the reviewers of a step).
REGULATOR_SIDE = "regulators"  # every active regulator whose jurisdiction contains the institution
INSTITUTION_SIDE = Side.INSTITUTION.value  # the institution's active admins
MEMBER_SIDE = "members"  # all its active members

# resolver(institution=..., side=INSTITUTION_SIDE | MEMBER_SIDE | REGULATOR_SIDE | Side.CITY | Side.PROVINCE)
PartyResolver = Callable[..., Iterable[Any]]
_party_resolver: PartyResolver | None = None


def set_party_resolver(resolver: PartyResolver | None) -> None:
    """Registers the function that finds an institution's regulators / active admins / members."""
    global _party_resolver
    _party_resolver = resolver


def review_parties(*, institution: Any, side: str) -> list[Any]:
    """The people on `side` of `institution` (empty without an institution or a resolver)."""
    if institution is None:
        return []
    if _party_resolver is None:
        logger.warning("no review party resolver registered; nobody is notified")
        return []
    return list(_party_resolver(institution=institution, side=side))


def sides_to_tell(*, workflow: Workflow, step: Transition, source: str) -> list[Side]:
    """The sides told of `step` taken from `source` (see Transition.notify)."""
    if step.notify is not None:
        return list(step.notify)
    reviewers = workflow.reviewers_at(step.target)
    if reviewers:
        return reviewers
    if step.side == Side.INSTITUTION:
        # The institution took it out of a queue (e.g. withdrew a submission): that queue's reviewers.
        return workflow.reviewers_at(source)
    return [Side.INSTITUTION]


def _admin_url(obj: models.Model) -> str:
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def _institution_url(obj: models.Model) -> str:
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return get_url()
    except NoReverseMatch:
        return ""


DEFAULT_TO_REVIEWERS = Notice(
    "{state}：{thing}", "{institution}的{thing}已{action}，当前状态为「{state}」，请及时办理。"
)
DEFAULT_TO_INSTITUTION = Notice("{state}：{thing}", "您单位的{thing}已{action}，当前状态为「{state}」。")


def _message(*, notice: Notice, obj: models.Model, step: Transition, log: ReviewTransition, institution: Any):
    values = {
        "thing": f"{obj._meta.verbose_name}「{obj}」",
        "institution": institution,
        "state": workflow_of(obj).label(log.to_status),
        "action": step.label,
    }
    title, body = notice.title.format(**values), notice.body.format(**values)
    if step.by_regulator and log.comment:
        body = " ".join([body, _("审核意见：%(comment)s") % {"comment": log.comment}])
    return title, body


def _tell_institution(*, obj: models.Model, institution: Any, title: str, body: str) -> int:
    recipients = review_parties(institution=institution, side=INSTITUTION_SIDE)
    submitter = last_submitter(obj)
    # The submitter hears of it while still a member (someone who left the institution does not).
    if submitter is not None and submitter in review_parties(institution=institution, side=MEMBER_SIDE):
        recipients.append(submitter)
    return len(notify(recipients=recipients, title=title, body=body, url=_institution_url(obj)))


def transition_notify(*, model_label: str, pk: int, to_status: str) -> int:
    """Tells the people who act next of the latest transition of an object to `to_status`, once.

    Returns how many people were told (in-site messages plus digest entries); 0 when already done or
    nobody is to be told.
    """
    model = apps.get_model(model_label)
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        return 0
    workflow = workflow_of(model)
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
        step = workflow.find(source=log.from_status, target=log.to_status, action=log.action)
        if step is None:
            return 0
        # Reviewable's `review_institution`; a model with its own lifecycle may just have `institution`.
        institution = getattr(obj, "review_institution", None) or getattr(obj, "institution", None)
        told = 0
        for side in sides_to_tell(workflow=workflow, step=step, source=log.from_status):
            if side in REGULATOR_SIDES:
                notice = step.notice_to_reviewers or DEFAULT_TO_REVIEWERS
                title, body = _message(notice=notice, obj=obj, step=step, log=log, institution=institution)
                told += review_notify(
                    recipients=review_parties(institution=institution, side=side),
                    title=title,
                    body=body,
                    url=_admin_url(obj),
                )
            elif side == Side.INSTITUTION:
                notice = step.notice_to_institution or DEFAULT_TO_INSTITUTION
                title, body = _message(notice=notice, obj=obj, step=step, log=log, institution=institution)
                told += _tell_institution(obj=obj, institution=institution, title=title, body=body)
        return told
