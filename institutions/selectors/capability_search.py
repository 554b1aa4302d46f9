"""谁能检 (/capabilities/?q=): capability rows across the public institutions, for someone who knows what
they need tested and wants to compare who can test it, under which standard, near them.

A row is one capability in force (not withdrawn, its certificate not withdrawn) of a public institution
(the directory's rule, `selectors.public._public`) whose search row matches every piece of the query
(institutions.search.query: the same matching as the directory's capability search, on PostgreSQL and
SQLite alike). No personal data: institution, certificate, schedule columns and the site's name.
"""

from django.db.models import Exists, OuterRef, QuerySet

from sujt.core.choices import TestingField
from sujt.core.regions import CITIES
from sujt.core.scoping import in_scope

from ..models import Capability, CapabilitySearch, InstitutionField
from ..search.query import highlight, highlight_terms, piece_condition, query_pieces
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


def public_capability_rows(*, q: str, city: str = "", field: str = "") -> QuerySet[Capability]:
    """Capabilities of public institutions matching every piece of `q`, in `city` (its districts
    included), of institutions declaring the testing field `field` (the directory's meaning of a field).

    Without a usable query there are no rows: the page asks what is to be tested rather than listing a
    province's million rows. Order: the most complete institution profiles first (as in the directory),
    then institution name, then schedule order. An unknown city or field code is ignored.
    """
    pieces = query_pieces(q=(q or "").strip())
    if not pieces:
        return Capability.objects.none()
    matching = CapabilitySearch.objects.all()
    for piece in pieces:
        matching = matching.filter(piece_condition(piece))
    queryset = Capability.objects.filter(
        pk__in=matching.values("capability_id"),
        institution__in=_public(),
        withdrawn_at__isnull=True,
        certificate__withdrawn_at__isnull=True,
    )
    if city in CITIES:
        queryset = in_scope(queryset, city, "institution__region_code")
    if field in TestingField.values:
        queryset = queryset.filter(
            Exists(InstitutionField.objects.filter(institution_id=OuterRef("institution_id"), code=field))
        )
    return (
        queryset.select_related("institution", "certificate", "site")
        .only(*ROW_COLUMNS)
        .order_by(
            "-institution__completeness", "institution__name", "institution_id", "certificate_id", "seq"
        )
    )


def capability_rows_highlight(rows: list[Capability], *, q: str) -> list[Capability]:
    """Sets `category_marked`, `item_marked`, `standard_marked` on each row: the text escaped, the parts
    matching `q` in <mark>."""
    tokens = highlight_terms(query_pieces(q=(q or "").strip()))
    for row in rows:
        row.category_marked = highlight(row.category, tokens)
        row.item_marked = highlight(row.item, tokens)
        row.standard_marked = highlight(row.standard, tokens)
    return rows
