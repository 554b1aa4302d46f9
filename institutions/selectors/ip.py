"""Reads of the current institution's intellectual property: software copyrights, patents, trademarks.

The kinds are keyed "copyright", "patent" and "trademark" everywhere in module 02 (URL names, forms,
services). Another institution's row fetched by id is a 404.
"""

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from ..models import Patent, SoftwareCopyright, Trademark

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
IP_SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "copyright": ("name", "registration_number", "version"),
    "patent": ("name", "patent_number", "inventors"),
    "trademark": ("name", "registration_number"),
}
_ORDER: dict[str, tuple[str, ...]] = {
    "copyright": ("-registered_on", "name", "pk"),
    "patent": ("-applied_on", "name", "pk"),
    "trademark": ("name", "nice_class", "pk"),
}


def ip_of(*, institution_id: int, kind: str) -> QuerySet:
    """The institution's rows of one kind (the workspace list searches and filters them)."""
    return IP_MODELS[kind].objects.filter(institution_id=institution_id).order_by(*_ORDER[kind])


def ip_get(*, institution_id: int, kind: str, pk: int) -> Model:
    return get_object_or_404(IP_MODELS[kind].objects.filter(institution_id=institution_id), pk=pk)


def ip_key(values: tuple) -> tuple:
    """A unique key as compared: text upper-cased and stripped."""
    return tuple(value.strip().upper() if isinstance(value, str) else value for value in values)


def ip_taken_keys(*, institution_id: int, kind: str) -> set[tuple]:
    """The unique keys (IP_UNIQUE_FIELDS values) the institution already uses for `kind`."""
    rows = IP_MODELS[kind].objects.filter(institution_id=institution_id).values_list(*IP_UNIQUE_FIELDS[kind])
    return {ip_key(row) for row in rows}
