"""Upkeep of the capability search index (CapabilitySearch and its per-institution sums,
InstitutionSearchTerm): the only writer of their rows.

`search_index_update` rebuilds whole institutions (delete + bulk insert, one transaction per batch of
institutions); the sync calls it once per run for the institutions it touched, the demo seed for its
institutions, `rebuild_search_index` for all. `search_capabilities_update` refreshes single rows after
a capability is saved one by one (admin). A capability has a row while it is in force: neither it nor
its certificate withdrawn (the sync withdraws a certificate as a change of its institution, which is
then rebuilt). Every write also rewrites the institutions' term sums in the same transaction.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction

from ..models import Capability, CapabilitySearch, Institution, InstitutionSearchTerm
from .segment import document_terms, search_dictionary_refresh

INSTITUTIONS_PER_BATCH = 50
ROWS_PER_INSERT = 2000
_COLUMNS = ("id", "institution_id", "category", "item", "standard", "limitation", "note")
# Schedules repeat the same texts (one standard for many parameters, one row in many laboratories): an
# update keeps the terms of the documents it has cut, up to this many, instead of cutting them again.
TERMS_MEMO_MAX = 100_000


def _document(*values: str) -> str:
    return "\n".join(value for value in values if value)


class _Terms:
    """document_terms with a memo for one update: the user dictionary does not change under it."""

    def __init__(self) -> None:
        self.memo: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        terms = self.memo.get(text)
        if terms is None:
            tokens = document_terms(text)
            terms = f" {' '.join(tokens)} " if tokens else ""
            if len(self.memo) < TERMS_MEMO_MAX:
                self.memo[text] = terms
        return terms


def _rows_write(rows: list[tuple[int, int, str, str]]) -> int:
    """(capability id, institution id, terms, text) rows. On PostgreSQL one INSERT per batch from arrays,
    the tsvector of exactly the stored tokens (no parser, no stemming) computed in the same statement,
    so no row is written twice; elsewhere bulk_create."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        return len(
            CapabilitySearch.objects.bulk_create(
                CapabilitySearch(capability_id=pk, institution_id=owner, terms=terms, text=text)
                for pk, owner, terms, text in rows
            )
        )
    table = connection.ops.quote_name(CapabilitySearch._meta.db_table)
    capability_ids, institution_ids, terms, texts = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (capability_id, institution_id, terms, text, vector) "
            "SELECT c, i, t, x, array_to_tsvector(string_to_array(btrim(t), ' ')) "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS u(c, i, t, x)",
            [capability_ids, institution_ids, terms, texts],
        )
    return len(rows)


def _terms_write(institution_ids: list[int]) -> None:
    """Rewrites the term sums of these institutions from their search rows (in the caller's transaction)."""
    InstitutionSearchTerm.objects.filter(institution_id__in=institution_ids).delete()
    if connection.vendor == "postgresql":
        terms_table = connection.ops.quote_name(InstitutionSearchTerm._meta.db_table)
        rows_table = connection.ops.quote_name(CapabilitySearch._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {terms_table} (institution_id, term, capabilities) "
                f"SELECT s.institution_id, t.term, count(*) FROM {rows_table} s "
                "CROSS JOIN LATERAL unnest(string_to_array(btrim(s.terms), ' ')) AS t(term) "
                "WHERE s.institution_id = ANY(%s) AND t.term <> '' GROUP BY 1, 2",
                [institution_ids],
            )
        return
    counts: Counter[tuple[int, str]] = Counter()
    rows = CapabilitySearch.objects.filter(institution_id__in=institution_ids).values_list(
        "institution_id", "terms"
    )
    for institution_id, terms in rows.iterator(chunk_size=ROWS_PER_INSERT):
        counts.update((institution_id, term) for term in terms.split())
    InstitutionSearchTerm.objects.bulk_create(
        (
            InstitutionSearchTerm(institution_id=pk, term=term, capabilities=n)
            for (pk, term), n in counts.items()
        ),
        batch_size=ROWS_PER_INSERT,
    )


def _in_force(queryset):
    return queryset.filter(withdrawn_at__isnull=True, certificate__withdrawn_at__isnull=True)


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _insert(capabilities: Iterable[tuple], terms_of: _Terms) -> int:
    """Writes the search rows of capabilities given as tuples in _COLUMNS order."""
    total, batch = 0, []
    for pk, institution_id, *values in capabilities:
        text = _document(*values)
        batch.append((pk, institution_id, terms_of(text), text.lower()))
        if len(batch) >= ROWS_PER_INSERT:
            total += _rows_write(batch)
            batch = []
    return total + _rows_write(batch)


def search_index_update(*, institution_ids: Iterable[int], _terms_of: _Terms | None = None) -> int:
    """Rebuilds the search rows of these institutions; returns how many rows were written."""
    ids = sorted(set(institution_ids))
    total = 0
    terms_of = _terms_of or _Terms()
    for chunk in _chunks(ids, INSTITUTIONS_PER_BATCH):
        with transaction.atomic():
            CapabilitySearch.objects.filter(institution_id__in=chunk).delete()
            total += _insert(
                _in_force(Capability.objects.filter(institution_id__in=chunk))
                .order_by("pk")
                .values_list(*_COLUMNS)
                .iterator(chunk_size=ROWS_PER_INSERT),
                terms_of,
            )
            _terms_write(chunk)
    return total


def search_capabilities_update(*, capability_ids: Iterable[int]) -> int:
    """Refreshes the search rows of these capabilities (removed if withdrawn or gone)."""
    ids = sorted(set(capability_ids))
    total = 0
    terms_of = _Terms()
    for chunk in _chunks(ids, ROWS_PER_INSERT):
        with transaction.atomic():
            owners = sorted(
                set(Capability.objects.filter(pk__in=chunk).values_list("institution_id", flat=True))
                | set(
                    CapabilitySearch.objects.filter(capability_id__in=chunk).values_list(
                        "institution_id", flat=True
                    )
                )
            )
            CapabilitySearch.objects.filter(capability_id__in=chunk).delete()
            total += _insert(
                _in_force(Capability.objects.filter(pk__in=chunk)).order_by("pk").values_list(*_COLUMNS),
                terms_of,
            )
            _terms_write(owners)
    return total


def search_terms_refresh(*, institution_ids: Iterable[int]) -> None:
    """Rewrites the term sums of these institutions from their search rows (after rows went away)."""
    ids = sorted(set(institution_ids))
    for chunk in _chunks(ids, INSTITUTIONS_PER_BATCH):
        with transaction.atomic():
            _terms_write(chunk)


def search_index_rebuild(*, report: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Rebuilds the whole index, INSTITUTIONS_PER_BATCH institutions at a time, after refreshing the
    segmentation dictionary; `report(institutions done, rows written)` after each batch. Returns
    (institutions, rows)."""
    search_dictionary_refresh()
    ids = list(Institution.objects.order_by("pk").values_list("pk", flat=True))
    done = rows = 0
    terms_of = _Terms()
    for chunk in _chunks(ids, INSTITUTIONS_PER_BATCH):
        rows += search_index_update(institution_ids=chunk, _terms_of=terms_of)
        done += len(chunk)
        if report is not None:
            report(done, rows)
    return done, rows
