"""谁能检 (/capabilities/?q=): capability rows across the public institutions, for someone who knows what
they need tested and wants to compare who can test it, under which standard, near them.

A row is one capability in force (not withdrawn, its certificate not withdrawn) of a public institution
(the directory's rule, `selectors.public._public`) whose search row matches every piece of the query
(institutions.search.match: the same matching as the directory's capability search, on PostgreSQL and
SQLite alike). No personal data: institution, certificate, schedule columns and the site's name.

At a million capabilities a common term matches over a hundred thousand rows: counting them, or
sorting them for a page, would read every one. The rows are therefore never counted or sorted as rows:
the matching institutions are (at most a few thousand, with their counts from the index), and a page
reads only the rows of the institutions it spans.
"""

from django.db.models import Exists, OuterRef, QuerySet

from sujt.core.choices import TestingField
from sujt.core.expressions import InIds
from sujt.core.regions import CITIES
from sujt.core.scoping import in_scope

from ..models import Capability, CapabilitySearch, InstitutionField
from ..search.match import CapabilityMatch, capability_match
from ..search.query import highlight
from .public import _public

# Columns a row shows and the downloads write.
ROW_COLUMNS = (
    "id",
    "institution_id",
    "institution__name",
    "institution__region_code",
    "institution__completeness",
    "certificate_id",
    "certificate__number",
    "certificate__status",
    "certificate__expires_on",
    "seq",
    "category",
    "item",
    "standard",
    "limitation",
    "note",
    "site_id",
    "site__name",
)


ROW_ORDER = (
    "-institution__completeness",
    "institution__name",
    "institution_id",
    "certificate_id",
    "seq",
    "pk",
)


class CapabilityRows:
    """The rows of a 谁能检 search as a sequence Paginator and the downloads can use (`count()`,
    slicing), computed from the matching institutions and their counts instead of from the rows.

    `institutions` is [(institution id, how many of its capabilities match)] in the rows' institution
    order. A slice reads only the rows of the institutions it spans, in one query; the rows of one
    institution are consecutive, so the slice's first row is an offset into its first institution."""

    def __init__(self, *, match: CapabilityMatch, institutions: list[tuple[int, int]]) -> None:
        self.match = match
        self.institutions = institutions
        self.total = sum(count for _, count in institutions)

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key: slice) -> list[Capability]:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("CapabilityRows supports slices only")
        start, stop, _ = key.indices(self.total)
        if start >= stop:
            return []
        spanned, before, position = [], 0, 0
        for pk, count in self.institutions:
            if position + count > start and position < stop:
                if not spanned:
                    before = position
                spanned.append(pk)
            position += count
            if position >= stop:
                break
        matching = CapabilitySearch.objects.filter(institution_id__in=spanned).filter(
            self.match.every_condition()
        )
        rows = (
            _in_force(Capability.objects.filter(institution_id__in=spanned))
            .filter(pk__in=matching.values("capability_id"))
            .select_related("institution", "certificate", "site")
            .only(*ROW_COLUMNS)
            .order_by(*ROW_ORDER)
        )
        return list(rows[start - before : stop - before])


def _in_force(queryset: QuerySet[Capability]) -> QuerySet[Capability]:
    return queryset.filter(withdrawn_at__isnull=True, certificate__withdrawn_at__isnull=True)


def public_capability_rows(
    *, q: str, city: str = "", field: str = "", match: CapabilityMatch | None = None
) -> CapabilityRows:
    """Capabilities in force (neither they nor their certificate withdrawn) of public institutions
    (the directory's rule, `selectors.public._public`) matching every piece of `q`
    (institutions.search.match), in `city` (its districts included), of institutions declaring the
    testing field `field` (the directory's meaning of a field).

    Without a usable query there are no rows: the page asks what is to be tested rather than listing a
    province's million rows. Order: the most complete institution profiles first (as in the directory),
    then institution name, then schedule order. An unknown city or field code is ignored. `match` is
    `q` already resolved, for a caller that has it.
    """
    match = match if match is not None else capability_match(q=q)
    holders = match.holders()
    if not holders:
        return CapabilityRows(match=match, institutions=[])
    institutions = _public().filter(InIds("pk", holders))
    if city in CITIES:
        institutions = in_scope(institutions, city, "region_code")
    if field in TestingField.values:
        institutions = institutions.filter(
            Exists(InstitutionField.objects.filter(institution_id=OuterRef("pk"), code=field))
        )
    ordered = list(institutions.order_by("-completeness", "name", "pk").values_list("pk", flat=True))
    counts = match.every_piece_counts(institution_ids=ordered)
    return CapabilityRows(match=match, institutions=[(pk, counts[pk]) for pk in ordered if counts.get(pk)])


def capability_rows_highlight(rows: list[Capability], *, match: CapabilityMatch) -> list[Capability]:
    """Sets `category_marked`, `item_marked`, `standard_marked` on each row: the text escaped, the parts
    matching the query in <mark>."""
    tokens = match.highlight
    for row in rows:
        row.category_marked = highlight(row.category, tokens)
        row.item_marked = highlight(row.item, tokens)
        row.standard_marked = highlight(row.standard, tokens)
    return rows
