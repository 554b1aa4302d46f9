"""Reads of 03 机构整改, filtered by who asks: an institution's members see their institutions' orders
when they hold `handle_rectification` (another institution's order does not exist for them: 404)."""

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from sujt.accounts.permissions import institution_ids_for
from sujt.core.attachments import attachments_by_owner

from .choices import OrderStatus
from .models import PERMISSION, Finding, RectificationMeasure, RectificationOrder, RectificationRound

# The purpose of evidence files (services.EVIDENCE_RULE.purpose), read here without importing services.
EVIDENCE_PURPOSE = "evidence"
OPEN_STATUSES = (OrderStatus.OPEN, OrderStatus.RETURNED, OrderStatus.OVERDUE)


def orders_for(*, user) -> QuerySet[RectificationOrder]:
    """The orders of the institutions where `user` handles rectification, newest first."""
    return (
        RectificationOrder.objects.filter(institution_id__in=institution_ids_for(user=user, perm=PERMISSION))
        .select_related("institution", "inspection")
        .order_by("-issued_at", "-pk")
    )


def orders_of(*, institution_id: int) -> QuerySet[RectificationOrder]:
    """One institution's orders (the workspace list of the current institution), newest first, each with
    `finding_count`."""
    return (
        RectificationOrder.objects.filter(institution_id=institution_id)
        .select_related("inspection")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("-issued_at", "-pk")
    )


def order_get(*, institution_id: int, pk: int) -> RectificationOrder:
    """The institution's order `pk`, with its findings; another institution's order is a 404."""
    findings = Finding.objects.order_by("pk")
    return get_object_or_404(
        orders_of(institution_id=institution_id).prefetch_related(Prefetch("findings", queryset=findings)),
        pk=pk,
    )


def order_rounds(*, order: RectificationOrder) -> list[RectificationRound]:
    """The order's rounds, oldest first, each with its measures (finding, evidence as `evidence`)."""
    measures = RectificationMeasure.objects.select_related("finding").order_by("finding_id")
    rounds = list(
        order.rounds.select_related("submitted_by", "decided_by")
        .prefetch_related(Prefetch("measures", queryset=measures))
        .order_by("number")
    )
    all_measures = [measure for answer in rounds for measure in answer.measures.all()]
    evidence = attachments_by_owner(all_measures, purpose=EVIDENCE_PURPOSE)
    for measure in all_measures:
        measure.evidence = evidence[measure.pk]
    return rounds


def open_order_counts(*, institution_id: int) -> dict[str, int]:
    """How many of the institution's orders are in each state (the list's tabs)."""
    rows = (
        RectificationOrder.objects.filter(institution_id=institution_id)
        .order_by()
        .values("status")
        .annotate(total=Count("pk"))
    )
    return {row["status"]: row["total"] for row in rows}


def answer_draft_measures(*, order: RectificationOrder) -> list[RectificationMeasure]:
    """The measures the answer form starts from, one per finding of the order, with `evidence`: the
    draft round's when there is one; else unsaved ones carrying the last round's text (a new answer
    after a return starts from the previous one), so reading the form writes nothing."""
    draft = order.rounds.filter(submitted_at__isnull=True).order_by("-number").first()
    if draft is not None:
        measures = list(draft.measures.select_related("finding").order_by("finding_id"))
        evidence = attachments_by_owner(measures, purpose=EVIDENCE_PURPOSE)
        for measure in measures:
            measure.evidence = evidence[measure.pk]
        return measures
    previous = order.rounds.order_by("-number").first()
    earlier = {m.finding_id: m.measures for m in previous.measures.all()} if previous else {}
    measures = [
        RectificationMeasure(finding=finding, measures=earlier.get(finding.pk, ""))
        for finding in order.findings.order_by("pk")
    ]
    for measure in measures:
        measure.evidence = []
    return measures


def last_decided_round(*, order: RectificationOrder) -> RectificationRound | None:
    """The latest round a regulator decided on (its per-finding comments guide a new answer)."""
    return (
        order.rounds.exclude(decision="")
        .prefetch_related(Prefetch("measures", queryset=RectificationMeasure.objects.order_by("finding_id")))
        .order_by("-number")
        .first()
    )
