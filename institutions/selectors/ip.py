"""Reads of the current institution's intellectual property: software copyrights, patents, trademarks.

The kinds are keyed "copyright", "patent" and "trademark" everywhere in module 02 (URL names, forms,
services). Another institution's row fetched by id is a 404.
"""

from django.db.models import Count, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..choices import PatentType
from ..models import Institution, Patent, SoftwareCopyright, Trademark
from .qualification import clean_query

IP_MODELS: dict[str, type[Model]] = {
    "copyright": SoftwareCopyright,
    "patent": Patent,
    "trademark": Trademark,
}
IP_TITLES: dict[str, str] = {"copyright": "软件著作权", "patent": "专利", "trademark": "商标"}
# The fields that, with the institution, identify a row (the models' unique constraints).
IP_UNIQUE_FIELDS: dict[str, tuple[str, ...]] = {
    "copyright": ("registration_number",),
    "patent": ("patent_number",),
    "trademark": ("registration_number", "nice_class"),
}

# Fields the search box matches, per kind.
_SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "copyright": ("name", "registration_number", "version"),
    "patent": ("name", "patent_number", "inventors"),
    "trademark": ("name", "registration_number"),
}
_ORDER: dict[str, tuple[str, ...]] = {
    "copyright": ("-registered_on", "name", "pk"),
    "patent": ("-applied_on", "name", "pk"),
    "trademark": ("name", "nice_class", "pk"),
}


def ip_search(*, institution_id: int, kind: str, q: str = "", patent_type: str = "") -> QuerySet:
    """The institution's rows of one kind; `q` matches names and numbers; `patent_type` filters patents."""
    queryset = IP_MODELS[kind].objects.filter(institution_id=institution_id)
    q = clean_query(q)
    if q:
        condition = Q()
        for name in _SEARCH_FIELDS[kind]:
            condition |= Q(**{f"{name}__icontains": q})
        queryset = queryset.filter(condition)
    if kind == "patent" and patent_type in PatentType.values:
        queryset = queryset.filter(patent_type=patent_type)
    return queryset.order_by(*_ORDER[kind])


def ip_get(*, institution_id: int, kind: str, pk: int) -> Model:
    return get_object_or_404(IP_MODELS[kind].objects.filter(institution_id=institution_id), pk=pk)


def _count(model: type[Model]) -> Coalesce:
    rows = (
        model.objects.filter(institution_id=OuterRef("pk"))
        .order_by()
        .values("institution_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def ip_counts(*, institution_id: int) -> dict[str, int]:
    """Rows of each kind the institution has, in one query."""
    counts = (
        Institution.objects.filter(pk=institution_id)
        .annotate(**{f"n_{kind}": _count(model) for kind, model in IP_MODELS.items()})
        .values(*(f"n_{kind}" for kind in IP_MODELS))
        .first()
    ) or {}
    return {kind: counts.get(f"n_{kind}", 0) for kind in IP_MODELS}


def ip_key(values: tuple) -> tuple:
    """A unique key as compared: text upper-cased and stripped."""
    return tuple(value.strip().upper() if isinstance(value, str) else value for value in values)


def ip_taken_keys(*, institution_id: int, kind: str) -> set[tuple]:
    """The unique keys (IP_UNIQUE_FIELDS values) the institution already uses for `kind`."""
    rows = IP_MODELS[kind].objects.filter(institution_id=institution_id).values_list(*IP_UNIQUE_FIELDS[kind])
    return {ip_key(row) for row in rows}
