"""The upsert engine of the qualification sync: one page of institution records in, the database up to date.

- A record is matched by its source id, else an institution by its USCC and a certificate by its number
  (the source id is then recorded). Items point at the certificate and site of their own record.
- Only contract fields are written; 完善信息, IP, the confirmation and completeness never are. Incoming
  values are compared with the stored ones and only what changed is written, with one history row per
  created or changed object attributed to the system user 资质认定同步: the same data synced twice writes
  nothing and adds no history.
- A bad record (invalid data, or a USCC / certificate number held by another row) is skipped and reported
  in run.errors; the rest of its page is applied.
- Withdrawals are marks (`withdrawn_at`), never deletions: `withdrawn: true` in a record, or absence from a
  full snapshot (`withdraw_unseen`).
- Speed: a page costs a few queries per model (existing rows prefetched as dicts keyed by source id,
  bulk_create / bulk_update in batches), whatever the number of rows.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DataError, IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from sujt.core.audit import acting_as, system_user

from ..models import Certificate, Institution, SyncRun
from ..services.completeness import completeness_recalculate
from .accounts import first_accounts_create
from .records import (
    INSTITUTION_FIELDS,
    ITEM_KINDS,
    KINDS_BY_KEY,
    ItemKind,
    ParsedItem,
    ParsedRecord,
    RecordError,
    record_key,
    record_parse,
)

SYNC_ACTOR = "资质认定同步"
BATCH_SIZE = 500
IN_CHUNK = 500


def _chunks(values: Iterable[Any], size: int = IN_CHUNK) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for value in values:
        chunk.append(value)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class SeenIds:
    """What a full snapshot mentioned: source ids of institutions and of each kind of item.

    Records that could not be applied are remembered too (`skipped`, `skipped_usccs`): their institution and
    items are left alone by `withdraw_unseen`, so a bad record loses nothing.
    """

    institutions: set[str] = field(default_factory=set)
    items: dict[str, set[str]] = field(default_factory=lambda: {kind.key: set() for kind in ITEM_KINDS})
    skipped: set[str] = field(default_factory=set)
    skipped_usccs: set[str] = field(default_factory=set)

    def add(self, record: ParsedRecord) -> None:
        self.institutions.add(record.source_id)
        for key, items in record.items.items():
            self.items[key].update(item.source_id for item in items)

    def skip(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            return
        sid, uscc = raw.get("id"), raw.get("uscc")
        if isinstance(sid, int) and not isinstance(sid, bool):
            sid = str(sid)
        if isinstance(sid, str) and sid.strip():
            self.skipped.add(sid.strip())
        if isinstance(uscc, str) and uscc.strip():
            self.skipped_usccs.add(uscc.strip().upper())


@dataclass
class _Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    accounts_created: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    applied: list[ParsedRecord] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)


_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def _history_rows_insert(
    model: type[models.Model], objs: list[models.Model], *, actor: Any, now: Any
) -> None:
    """The "+" history rows of newly created objects, as simple-history's bulk_history_create writes them
    (every tracked field, date, type, user, no reason), with one COPY (PostgreSQL) or executemany (SQLite)
    per batch: building a historical model instance per row and compiling it costs twice the insert itself
    for 200,000 capability rows."""
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history_model = model.history.model
    tracked = [history_model._meta.get_field(tracked.name) for tracked in history_model.tracked_fields]
    columns = [field.column for field in tracked]
    columns += ["history_date", "history_change_reason", "history_type", "history_user_id"]
    prepare: list[Any] = []
    for model_field in tracked:
        plain = isinstance(model_field, _PLAIN_FIELDS) or model_field.is_relation
        prepare.append(None if plain else model_field)
    date = history_model._meta.get_field("history_date").get_db_prep_save(now, connection)
    tail = (date, None, "+", getattr(actor, "pk", None))
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(history_model._meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    copy_sql = "COPY {} ({}) FROM STDIN".format(
        quote(history_model._meta.db_table), ", ".join(quote(column) for column in columns)
    )
    pairs = [
        (model_field.attname, converter) for model_field, converter in zip(tracked, prepare, strict=True)
    ]
    with connection.cursor() as cursor:
        for batch in _chunks(objs, 2000):
            rows = []
            for obj in batch:
                row = []
                for attname, converter in pairs:
                    value = getattr(obj, attname)
                    if converter is not None and value is not None:
                        value = converter.get_db_prep_save(value, connection)
                    row.append(value)
                rows.append((*row, *tail))
            if connection.vendor == "postgresql":
                # COPY: one stream per batch instead of a statement per row.
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, rows)


class _Writer:
    """Collects creates and updates of one model, then writes them in bulk with their history rows."""

    def __init__(self, model: type[models.Model], *, actor: Any, now: Any) -> None:
        self.model = model
        self.actor = actor
        self.now = now
        self.creates: list[models.Model] = []
        self.updates: dict[int, dict[str, Any]] = {}
        self.has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)

    def create(self, values: dict[str, Any]) -> models.Model:
        obj = self.model(**values)
        self.creates.append(obj)
        return obj

    def update(self, pk: int, changes: dict[str, Any]) -> None:
        self.updates[pk] = changes

    def flush(self) -> None:
        if self.creates:
            created = self.model.objects.bulk_create(self.creates, batch_size=BATCH_SIZE)
            _history_rows_insert(self.model, created, actor=self.actor, now=self.now)
            self.creates = []
        if self.updates:
            for pks in _chunks(self.updates, BATCH_SIZE):
                objs = list(self.model.objects.filter(pk__in=pks))
                names: set[str] = set()
                for obj in objs:
                    for name, value in self.updates[obj.pk].items():
                        setattr(obj, name, value)
                        names.add(name)
                    if self.has_updated_at:
                        obj.updated_at = self.now
                if self.has_updated_at:
                    names.add("updated_at")
                self.model.objects.bulk_update(objs, sorted(names), batch_size=BATCH_SIZE)
                self.model.history.bulk_history_create(
                    objs, batch_size=BATCH_SIZE, update=True, default_user=self.actor, default_date=self.now
                )
            self.updates = {}


def _desired_withdrawn_at(withdrawn: bool, stored: Any, now: Any) -> Any:
    if not withdrawn:
        return None
    return stored or now


def _diff(row: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in desired.items() if row[name] != value}


def _item_columns(kind: ItemKind) -> list[str]:
    columns = ["pk", "source_id", "withdrawn_at", "institution_id", *kind.fields]
    columns += [attname for _key, _target, attname, _required in kind.refs]
    if kind.model is Certificate:
        columns += ["authority_code", "field_code", "department_code"]
    return columns


class _PagePlan:
    """Matches one set of parsed records with the stored rows, then writes the differences."""

    def __init__(self, records: list[ParsedRecord], *, actor: Any, now: Any) -> None:
        self.records = records
        self.actor = actor
        self.now = now
        self.outcome = _Outcome()
        self.institution_rows: dict[int, dict[str, Any] | None] = {}  # record index → stored row
        self.item_rows: dict[str, dict[str, dict[str, Any]]] = {kind.key: {} for kind in ITEM_KINDS}
        self.item_match: dict[tuple[str, str], dict[str, Any] | None] = {}

    # --- matching --------------------------------------------------------------------------------

    def _reject(self, record: ParsedRecord, message: str) -> None:
        self.outcome.errors.append({"record": record.key, "message": message})

    def match(self) -> list[ParsedRecord]:
        columns = ["pk", "source_id", "withdrawn_at", *INSTITUTION_FIELDS]
        sids = [r.source_id for r in self.records]
        usccs = [r.values["uscc"] for r in self.records]
        rows = list(Institution.objects.filter(Q(source_id__in=sids) | Q(uscc__in=usccs)).values(*columns))
        by_sid = {row["source_id"]: row for row in rows if row["source_id"]}
        by_uscc = {row["uscc"]: row for row in rows}
        claimed: set[Any] = set()
        accepted: list[ParsedRecord] = []
        for record in self.records:
            uscc = record.values["uscc"]
            row = by_sid.get(record.source_id) or by_uscc.get(uscc)
            holder = by_uscc.get(uscc)
            if row is not None and holder is not None and holder["pk"] != row["pk"]:
                self._reject(
                    record, f"统一社会信用代码 {uscc} 已被其他机构（{holder['name']}）使用，记录未导入。"
                )
                continue
            keys = {("sid", record.source_id), ("uscc", uscc)} | ({("pk", row["pk"])} if row else set())
            if keys & claimed:
                self._reject(record, "本页中有重复的机构记录（编号或统一社会信用代码相同），记录未导入。")
                continue
            claimed |= keys
            self.institution_rows[record.index] = row
            accepted.append(record)
        self.records = accepted
        self._load_items()
        return self._match_items()

    def _load_items(self) -> None:
        institution_ids = [row["pk"] for row in self.institution_rows.values() if row is not None]
        for kind in ITEM_KINDS:
            columns = _item_columns(kind)
            rows = self.item_rows[kind.key]
            for ids in _chunks(institution_ids):
                for row in kind.model.objects.filter(institution_id__in=ids).values(*columns):
                    if row["source_id"]:
                        rows[row["source_id"]] = row
            missing = [
                item.source_id
                for record in self.records
                for item in record.items[kind.key]
                if item.source_id not in rows
            ]
            # Items moved from another institution: their source ids exist elsewhere.
            for sids in _chunks(missing):
                for row in kind.model.objects.filter(source_id__in=sids).values(*columns):
                    rows[row["source_id"]] = row
        numbers = [item.values["number"] for record in self.records for item in record.items["certificates"]]
        self.certificates_by_number: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(numbers):
            for row in Certificate.objects.filter(number__in=chunk).values(
                *_item_columns(KINDS_BY_KEY["certificates"])
            ):
                self.certificates_by_number[row["number"]] = row

    def _match_items(self) -> list[ParsedRecord]:
        claimed: dict[str, set[Any]] = {kind.key: set() for kind in ITEM_KINDS}
        accepted: list[ParsedRecord] = []
        for record in self.records:
            problems: list[str] = []
            matches: dict[tuple[str, str], dict[str, Any] | None] = {}
            record_claims: dict[str, set[Any]] = {kind.key: set() for kind in ITEM_KINDS}
            for kind in ITEM_KINDS:
                rows = self.item_rows[kind.key]
                for item in record.items[kind.key]:
                    row = rows.get(item.source_id)
                    keys: set[Any] = {("sid", item.source_id)}
                    if kind.model is Certificate:
                        number = item.values["number"]
                        holder = self.certificates_by_number.get(number)
                        if row is None:
                            row = holder
                        elif holder is not None and holder["pk"] != row["pk"]:
                            problems.append(f"证书编号 {number} 已被其他证书使用")
                        keys.add(("number", number))
                    if row is not None:
                        keys.add(("pk", row["pk"]))
                    if keys & claimed[kind.key]:
                        problems.append(f"{kind.label}（{item.source_id}）在本页的其他机构记录中重复出现")
                    record_claims[kind.key] |= keys
                    matches[(kind.key, item.source_id)] = row
            if problems:
                self._reject(record, "；".join(problems[:5]) + "。记录未导入。")
                continue
            for key, keys in record_claims.items():
                claimed[key] |= keys
            self.item_match.update({(record.index, *k): v for k, v in matches.items()})
            accepted.append(record)
        self.records = accepted
        return accepted

    # --- writing ---------------------------------------------------------------------------------

    def write(self) -> _Outcome:
        now, outcome = self.now, self.outcome
        changed: set[int] = set()
        institution_pk: dict[int, int] = {}
        writer = _Writer(Institution, actor=self.actor, now=now)
        new_institutions: list[tuple[Institution, ParsedRecord]] = []
        for record in self.records:
            row = self.institution_rows[record.index]
            desired = {
                **record.values,
                "source_id": record.source_id,
                "withdrawn_at": _desired_withdrawn_at(record.withdrawn, row and row["withdrawn_at"], now),
            }
            if row is None:
                new_institutions.append((writer.create(desired), record))
                changed.add(record.index)
                continue
            institution_pk[record.index] = row["pk"]
            changes = _diff(row, desired)
            if changes:
                writer.update(row["pk"], changes)
                changed.add(record.index)
                if row["withdrawn_at"] is None and changes.get("withdrawn_at"):
                    outcome.withdrawn += 1
        writer.flush()
        for institution, record in new_institutions:
            institution_pk[record.index] = institution.pk

        item_pk: dict[str, dict[str, int]] = {kind.key: {} for kind in ITEM_KINDS}
        for phase in (ITEM_KINDS[:2], ITEM_KINDS[2:]):
            writers = {kind.key: _Writer(kind.model, actor=self.actor, now=now) for kind in phase}
            created: list[tuple[str, ParsedItem, models.Model]] = []
            for record in self.records:
                for kind in phase:
                    for item in record.items[kind.key]:
                        row = self.item_match[(record.index, kind.key, item.source_id)]
                        desired = {
                            **item.values,
                            "institution_id": institution_pk[record.index],
                            "source_id": item.source_id,
                            "withdrawn_at": _desired_withdrawn_at(
                                item.withdrawn, row and row["withdrawn_at"], now
                            ),
                        }
                        for _key, target, attname, _required in kind.refs:
                            ref = item.refs[attname]
                            desired[attname] = item_pk[target][ref] if ref is not None else None
                        if row is None:
                            created.append((kind.key, item, writers[kind.key].create(desired)))
                            changed.add(record.index)
                            continue
                        item_pk[kind.key][item.source_id] = row["pk"]
                        changes = _diff(row, desired)
                        if changes:
                            writers[kind.key].update(row["pk"], changes)
                            changed.add(record.index)
                            if row["withdrawn_at"] is None and changes.get("withdrawn_at"):
                                outcome.withdrawn += 1
            for kind_writer in writers.values():
                kind_writer.flush()
            for key, item, obj in created:
                item_pk[key][item.source_id] = obj.pk

        if new_institutions:
            accounts = first_accounts_create(institutions=new_institutions, actor=self.actor, now=now)
            outcome.accounts_created += accounts.created
            outcome.warnings.extend(accounts.warnings)
        created_indexes = {record.index for _inst, record in new_institutions}
        for record in self.records:
            if record.index in created_indexes:
                outcome.created += 1
            elif record.index in changed:
                outcome.updated += 1
            else:
                outcome.unchanged += 1
            if record.index in changed:
                outcome.touched.add(institution_pk[record.index])
        for pk in sorted(outcome.touched):
            completeness_recalculate(institution_id=pk)
        outcome.applied = list(self.records)
        return outcome


def _apply(records: list[ParsedRecord], *, actor: Any, now: Any) -> _Outcome:
    with transaction.atomic():
        plan = _PagePlan(records, actor=actor, now=now)
        plan.match()
        errors = plan.outcome.errors
        outcome = plan.write()
        outcome.errors = errors
        return outcome


def _apply_guarded(records: list[ParsedRecord], *, actor: Any, now: Any) -> list[_Outcome]:
    """Applies the records together; if the database refuses the batch, each one on its own."""
    if not records:
        return []
    try:
        return [_apply(records, actor=actor, now=now)]
    except (IntegrityError, DataError):
        if len(records) == 1:
            return [_failed(records[0])]
    outcomes = []
    for record in records:
        try:
            outcomes.append(_apply([record], actor=actor, now=now))
        except (IntegrityError, DataError):
            outcomes.append(_failed(record))
    return outcomes


def _failed(record: ParsedRecord) -> _Outcome:
    return _Outcome(
        errors=[{"record": record.key, "message": "数据库拒绝写入该记录（与已有数据冲突），记录未导入。"}]
    )


def apply_page(
    *, run: SyncRun, records: list[dict], full: bool, seen: "SeenIds | None", touched: set[int] | None = None
) -> None:
    """Validates and upserts one page of institution records; updates the run's counters and errors in
    memory (the caller saves the run). With `full`, `seen` collects what the snapshot mentioned;
    `touched` collects the ids of the institutions whose data changed."""
    actor = system_user(SYNC_ACTOR)
    now = timezone.now()
    parsed: list[ParsedRecord] = []
    for index, raw in enumerate(records):
        try:
            parsed.append(record_parse(raw, index=index))
        except RecordError as exc:
            run.failed += 1
            run.errors.append({"record": record_key(raw, index), "message": "；".join(exc.messages)})
            if seen is not None:
                seen.skip(raw)
    by_index = {record.index: record for record in parsed}
    with acting_as(actor), transaction.atomic():
        outcomes = _apply_guarded(parsed, actor=actor, now=now)
    applied: set[int] = set()
    for outcome in outcomes:
        run.created += outcome.created
        run.updated += outcome.updated
        run.unchanged += outcome.unchanged
        run.withdrawn += outcome.withdrawn
        run.accounts_created += outcome.accounts_created
        run.failed += len(outcome.errors)
        run.errors.extend(outcome.errors)
        run.errors.extend(outcome.warnings)
        applied.update(record.index for record in outcome.applied)
        if touched is not None:
            touched.update(outcome.touched)
    if seen is not None:
        for index, record in by_index.items():
            if index in applied:
                seen.add(record)
            else:
                seen.skip(records[index])


def _withdraw(model: type[models.Model], pks: list[int], *, actor: Any, now: Any) -> None:
    writer = _Writer(model, actor=actor, now=now)
    for pk in pks:
        writer.update(pk, {"withdrawn_at": now})
    writer.flush()


def withdraw_unseen(*, run: SyncRun, seen: SeenIds, touched: set[int] | None = None) -> None:
    """After a full snapshot: every synced institution or item it did not mention is marked withdrawn
    (never deleted), with a history row; records that could not be applied keep what they had.
    `touched` collects the ids of the institutions that lost items."""
    actor = system_user(SYNC_ACTOR)
    now = timezone.now()
    with acting_as(actor), transaction.atomic():
        kept: set[int] = set()
        for chunk in _chunks(seen.skipped):
            kept.update(Institution.objects.filter(source_id__in=chunk).values_list("pk", flat=True))
        for chunk in _chunks(seen.skipped_usccs):
            kept.update(Institution.objects.filter(uscc__in=chunk).values_list("pk", flat=True))
        pks = [
            pk
            for pk, sid in Institution.objects.filter(source_id__isnull=False, withdrawn_at__isnull=True)
            .values_list("pk", "source_id")
            .iterator(chunk_size=2000)
            if sid not in seen.institutions and pk not in kept
        ]
        _withdraw(Institution, pks, actor=actor, now=now)
        total = len(pks)
        lost: set[int] = set()
        for kind in ITEM_KINDS:
            ids = seen.items[kind.key]
            unseen = [
                (pk, institution_id)
                for pk, sid, institution_id in kind.model.objects.filter(
                    source_id__isnull=False, withdrawn_at__isnull=True
                )
                .values_list("pk", "source_id", "institution_id")
                .iterator(chunk_size=2000)
                if sid not in ids and institution_id not in kept
            ]
            _withdraw(kind.model, [pk for pk, _i in unseen], actor=actor, now=now)
            total += len(unseen)
            lost.update(institution_id for _pk, institution_id in unseen)
        for pk in sorted(lost):
            completeness_recalculate(institution_id=pk)
    if touched is not None:
        touched.update(lost)
    run.withdrawn += total
