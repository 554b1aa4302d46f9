"""Upkeep of the capability search index (CapabilitySearch): the only writer of its rows.

`search_index_update` rebuilds whole institutions (delete + bulk insert, one transaction per batch of
institutions); the sync calls it once per run for the institutions it touched, the demo seed for its
institutions, `rebuild_search_index` for all. `search_capabilities_update` refreshes single rows after
a capability is saved one by one (admin). Withdrawn capabilities have no row.
"""

from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction

from ..models import Capability, CapabilitySearch, Institution
from .segment import document_terms, search_dictionary_refresh

INSTITUTIONS_PER_BATCH = 50
ROWS_PER_INSERT = 2000
_COLUMNS = ("id", "institution_id", "category", "item", "standard", "limitation", "note")


def _document(capability: Capability) -> str:
    return "\n".join(
        value
        for value in (
            capability.category,
            capability.item,
            capability.standard,
            capability.limitation,
            capability.note,
        )
        if value
    )


def search_row_build(*, capability: Capability) -> CapabilitySearch:
    """The unsaved search row of one capability."""
    text = _document(capability)
    tokens = document_terms(text)
    return CapabilitySearch(
        capability_id=capability.pk,
        institution_id=capability.institution_id,
        terms=f" {' '.join(tokens)} " if tokens else "",
        text=text.lower(),
    )


def _vectors_fill(*, field: str, ids: list[int]) -> None:
    """PostgreSQL: the tsvector of exactly the stored tokens (no parser, no stemming)."""
    if connection.vendor != "postgresql" or not ids:
        return
    table = connection.ops.quote_name(CapabilitySearch._meta.db_table)
    column = connection.ops.quote_name(field)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET vector = array_to_tsvector(string_to_array(btrim(terms), ' ')) "
            f"WHERE {column} = ANY(%s)",
            [ids],
        )


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _insert(capabilities: Iterable[Capability]) -> int:
    total, batch = 0, []
    for capability in capabilities:
        batch.append(search_row_build(capability=capability))
        if len(batch) >= ROWS_PER_INSERT:
            total += len(CapabilitySearch.objects.bulk_create(batch))
            batch = []
    if batch:
        total += len(CapabilitySearch.objects.bulk_create(batch))
    return total


def search_index_update(*, institution_ids: Iterable[int]) -> int:
    """Rebuilds the search rows of these institutions; returns how many rows were written."""
    ids = sorted(set(institution_ids))
    total = 0
    for chunk in _chunks(ids, INSTITUTIONS_PER_BATCH):
        with transaction.atomic():
            CapabilitySearch.objects.filter(institution_id__in=chunk).delete()
            total += _insert(
                Capability.objects.filter(institution_id__in=chunk, withdrawn_at__isnull=True)
                .only(*_COLUMNS)
                .order_by("pk")
                .iterator(chunk_size=ROWS_PER_INSERT)
            )
            _vectors_fill(field="institution_id", ids=chunk)
    return total


def search_capabilities_update(*, capability_ids: Iterable[int]) -> int:
    """Refreshes the search rows of these capabilities (removed if withdrawn or gone)."""
    ids = sorted(set(capability_ids))
    total = 0
    for chunk in _chunks(ids, ROWS_PER_INSERT):
        with transaction.atomic():
            CapabilitySearch.objects.filter(capability_id__in=chunk).delete()
            total += _insert(
                Capability.objects.filter(pk__in=chunk, withdrawn_at__isnull=True).only(*_COLUMNS)
            )
            _vectors_fill(field="capability_id", ids=chunk)
    return total


def search_index_rebuild(*, report: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Rebuilds the whole index, INSTITUTIONS_PER_BATCH institutions at a time, after refreshing the
    segmentation dictionary; `report(institutions done, rows written)` after each batch. Returns
    (institutions, rows)."""
    search_dictionary_refresh()
    ids = list(Institution.objects.order_by("pk").values_list("pk", flat=True))
    done = rows = 0
    for chunk in _chunks(ids, INSTITUTIONS_PER_BATCH):
        rows += search_index_update(institution_ids=chunk)
        done += len(chunk)
        if report is not None:
            report(done, rows)
    return done, rows
