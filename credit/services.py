"""Writes of 05 信用管理: the ledger (events from their sources, manual entries, the calendar's state
changes) and the scores, recalculated set-based.

Every write that can change a score queues the recalculation of the institutions concerned after its
commit (`recalculation_queue`); the nightly job (`credit_nightly`) applies what the calendar changed and
recalculates everyone, so the score users see is always the one of today.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from institutions.models import Certificate, Institution
from institutions.selectors.qualification import jiangsu_certificates
from sujt.core.dates import add_months

from .choices import Direction, EventSource, EventState
from .models import CreditEvent, CreditItem, CreditPolicy, CreditScore, CreditSnapshot
from .scoring import Entry, Rules, score_on

RECALCULATE_BATCH = 1000


# --- Who has module 05 ---------------------------------------------------------------------------


def _jiangsu_certificates(today: datetime.date) -> QuerySet[Certificate]:
    return jiangsu_certificates(today=today)


def credit_institutions(*, today: datetime.date | None = None) -> QuerySet[Institution]:
    """Institutions module 05 applies to: holding a valid CMA certificate issued by Jiangsu."""
    today = today or timezone.localdate()
    return Institution.objects.filter(
        Exists(_jiangsu_certificates(today).filter(institution_id=OuterRef("pk")))
    )


def credit_applies(institution: Any) -> bool:
    """Whether module 05 applies to `institution` (remembered on the instance: a request asks it for the
    menu and for the view)."""
    if institution is None or getattr(institution, "pk", None) is None:
        return False
    applies = getattr(institution, "_credit_applies", None)
    if applies is None:
        applies = _jiangsu_certificates(timezone.localdate()).filter(institution_id=institution.pk).exists()
        institution._credit_applies = applies
    return applies


# --- The ledger ----------------------------------------------------------------------------------


def recalculation_queue(institution_ids: Iterable[int] | None) -> None:
    """Recalculates these institutions' scores (None: every institution) on the worker after the
    commit."""
    from .tasks import credit_recalculate_task

    if institution_ids is None:
        transaction.on_commit(lambda: credit_recalculate_task.delay(None))
        return
    ids = sorted(set(institution_ids))
    if ids:
        transaction.on_commit(lambda: credit_recalculate_task.delay(ids))


# --- The rules -----------------------------------------------------------------------------------


def item_save(*, item: CreditItem, by: Any) -> CreditItem:
    """Saves a point-table item (province regulators, admin) and recalculates the institutions with
    events of it: its veto flag and yearly cap apply at once (its points and validity to new events)."""
    item.full_clean()
    with transaction.atomic():
        item.save()
        recalculation_queue(
            CreditEvent.objects.filter(item=item).values_list("institution_id", flat=True).distinct()
        )
    return item


def policy_save(*, policy: CreditPolicy, by: Any) -> CreditPolicy:
    """Saves the scoring constants (province regulators, admin) and recalculates everyone."""
    policy.full_clean()
    with transaction.atomic():
        policy.save()
        recalculation_queue(None)
    return policy


def event_record(
    *,
    institution_id: int,
    item_code: str,
    occurred_on: datetime.date,
    source: str,
    source_key: str,
    source_object: Any = None,
    details: dict | None = None,
    reason: str = "",
    by: Any = None,
    recalculate: bool = True,
) -> CreditEvent | None:
    """Records the credit event of a source once: the same `source_key` again returns the event already
    recorded and changes nothing. Points and validity are the item's at the time of recording. An
    inactive or unknown item records nothing (returns None). The institution's score is recalculated
    after the commit, unless `recalculate` is False (a batch that recalculates everyone afterwards)."""
    existing = CreditEvent.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    item = CreditItem.objects.filter(code=item_code, active=True).first()
    if item is None:
        return None
    with transaction.atomic():
        event, created = CreditEvent.objects.get_or_create(
            source_key=source_key,
            defaults={
                "institution_id": institution_id,
                "item": item,
                "direction": item.direction,
                "points": item.points,
                "occurred_on": occurred_on,
                "valid_until": add_months(occurred_on, item.months_valid) - datetime.timedelta(days=1),
                "source": source,
                "source_type": ContentType.objects.get_for_model(source_object) if source_object else None,
                "source_id": source_object.pk if source_object else None,
                "details": details or {},
                "reason": reason,
                "recorded_by": by,
            },
        )
        if created and recalculate:
            recalculation_queue([institution_id])
    return event


def event_manual_record(
    *, institution: Institution, item: CreditItem, occurred_on: datetime.date, reason: str, by: Any
) -> CreditEvent:
    """A regulator's own entry in the ledger, with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写录入事由。"})
    if not item.active:
        raise ValidationError({"item": "该评价项目已停用。"})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "发生日期不能晚于今天。"})
    event = event_record(
        institution_id=institution.pk,
        item_code=item.code,
        occurred_on=occurred_on,
        source=EventSource.MANUAL,
        source_key=f"credit.manual:{uuid.uuid4().hex}",
        reason=reason,
        by=by,
    )
    assert event is not None  # the item is active
    return event


def events_rectified(*, source_keys: Iterable[str], rectified_on: datetime.date) -> int:
    """Marks the deductions of these sources as rectified (their rectification was accepted): from now
    on they may be repaired. Returns how many were marked."""
    return CreditEvent.objects.filter(
        source_key__in=list(source_keys), direction=Direction.DEDUCTION, rectified_on__isnull=True
    ).update(rectified_on=rectified_on)


def events_void(*, source_keys: Iterable[str], reason: str) -> set[int]:
    """The deductions of these sources stop counting (已撤销: the source module withdrew its cause, e.g. a
    regulator excused a late report); their institutions are recalculated. Returns them."""
    institutions = _bulk_state(
        CreditEvent.objects.filter(
            source_key__in=list(source_keys),
            direction=Direction.DEDUCTION,
            state__in=[EventState.COUNTING, EventState.OBJECTED],
        ),
        EventState.VOIDED,
        reason=reason,
    )
    if institutions:
        recalculation_queue(sorted(institutions))
    return institutions


def _bulk_state(queryset: QuerySet[CreditEvent], to: str, *, reason: str) -> set[int]:
    """Moves the events of `queryset` (already filtered on the expected state) to `to` with one UPDATE
    and their history rows; returns the institutions concerned."""
    with transaction.atomic():
        ids = list(queryset.select_for_update().values_list("pk", flat=True))
        if not ids:
            return set()
        now = timezone.now()
        CreditEvent.objects.filter(pk__in=ids).update(state=to, state_changed_at=now)
        changed = list(CreditEvent.objects.filter(pk__in=ids))
        # A queryset UPDATE bypasses simple-history's signals: the history rows are written here.
        CreditEvent.history.bulk_history_create(changed, update=True, default_change_reason=reason)
    return {event.institution_id for event in changed}


def calendar_states_update(*, today: datetime.date | None = None) -> set[int]:
    """What the calendar changed by `today`: repaired deductions past their validity period are returned
    (已返还), bonuses past theirs expire (已过期). Returns the institutions concerned."""
    today = today or timezone.localdate()
    past = CreditEvent.objects.filter(valid_until__lt=today)
    returned = _bulk_state(
        past.filter(direction=Direction.DEDUCTION, state=EventState.REPAIRED),
        EventState.RETURNED,
        reason="有效期届满，修复分值自动返还",
    )
    expired = _bulk_state(
        past.filter(direction=Direction.BONUS, state=EventState.COUNTING),
        EventState.EXPIRED,
        reason="有效期届满",
    )
    return returned | expired


# --- Scores --------------------------------------------------------------------------------------


def credit_rules() -> Rules:
    """The policy row as scoring's Rules."""
    policy = CreditPolicy.current()
    return Rules(
        base_score=policy.base_score,
        bonus_cap=policy.bonus_cap,
        level_a_min=policy.level_a_min,
        level_b_min=policy.level_b_min,
        level_c_min=policy.level_c_min,
    )


def _entries(institution_ids: list[int]) -> dict[int, list[Entry]]:
    rows = (
        CreditEvent.objects.filter(institution_id__in=institution_ids)
        .exclude(state=EventState.VOIDED)
        .values_list(
            "pk",
            "institution_id",
            "item__code",
            "direction",
            "points",
            "occurred_on",
            "valid_until",
            "state",
            "item__veto",
            "item__yearly_cap",
            "item__dimension",
        )
    )
    entries: dict[int, list[Entry]] = defaultdict(list)
    for pk, owner, code, direction, points, occurred, until, state, veto, cap, dimension in rows.iterator(
        chunk_size=5000
    ):
        entries[owner].append(
            Entry(pk, code, direction, points, occurred, until, state, veto, cap, dimension)
        )
    return entries


def scores_recalculate(
    *, institution_ids: Iterable[int] | None = None, day: datetime.date | None = None
) -> int:
    """Recalculates the current score and today's snapshot of these institutions (all when None), set
    by set: one read of the events and two bulk writes per batch of institutions, whatever their number.
    Institutions module 05 no longer applies to lose their current score (their snapshots stay).
    Returns how many institutions were scored."""
    day = day or timezone.localdate()
    rules = credit_rules()
    eligible = credit_institutions(today=day)
    if institution_ids is not None:
        wanted = sorted(set(institution_ids))
        eligible = eligible.filter(pk__in=wanted)
        CreditScore.objects.filter(institution_id__in=wanted).exclude(institution__in=eligible).delete()
    else:
        CreditScore.objects.exclude(institution__in=eligible).delete()
    ids = list(eligible.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    for start in range(0, len(ids), RECALCULATE_BATCH):
        batch = ids[start : start + RECALCULATE_BATCH]
        entries = _entries(batch)
        scores, snapshots = [], []
        for pk in batch:
            result = score_on(entries.get(pk, []), rules, day)
            scores.append(
                CreditScore(
                    institution_id=pk,
                    score=result.score,
                    level=result.level,
                    bonus=result.bonus,
                    deduction=result.deduction,
                    veto=result.veto,
                    calculated_at=now,
                )
            )
            snapshots.append(
                CreditSnapshot(
                    institution_id=pk,
                    day=day,
                    score=result.score,
                    level=result.level,
                    dimensions=result.dimensions,
                )
            )
        with transaction.atomic():
            CreditScore.objects.bulk_create(
                scores,
                update_conflicts=True,
                unique_fields=["institution"],
                update_fields=["score", "level", "bonus", "deduction", "veto", "calculated_at"],
            )
            CreditSnapshot.objects.bulk_create(
                snapshots,
                update_conflicts=True,
                unique_fields=["institution", "day"],
                update_fields=["score", "level", "dimensions"],
            )
    return len(ids)


def events_of_removed_sources_void() -> set[int]:
    """Deductions whose source record is gone (a finding or penalty a regulator deleted in admin: the
    source module reports no removal) no longer count: 计分中 or 异议中 → 已撤销. Returns the institutions
    concerned. One query per kind of source."""
    institutions: set[int] = set()
    kinds = (
        CreditEvent.objects.filter(source_type__isnull=False, direction=Direction.DEDUCTION)
        .order_by()
        .values_list("source_type", flat=True)
        .distinct()
    )
    for content_type in ContentType.objects.filter(pk__in=list(kinds)):
        model = content_type.model_class()
        if model is None:
            continue
        gone = CreditEvent.objects.filter(
            source_type=content_type,
            direction=Direction.DEDUCTION,
            state__in=[EventState.COUNTING, EventState.OBJECTED],
        ).exclude(Exists(model._default_manager.filter(pk=OuterRef("source_id"))))
        institutions |= _bulk_state(gone, EventState.VOIDED, reason="来源记录已删除，扣分撤销")
    return institutions


def credit_nightly(*, today: datetime.date | None = None) -> int:
    """The nightly job: the calendar's state changes, then every institution's score of today."""
    from .letters import commitment_missing_record  # credit.letters builds on this module

    today = today or timezone.localdate()
    calendar_states_update(today=today)
    events_of_removed_sources_void()
    commitment_missing_record(today=today)
    return scores_recalculate(day=today)
