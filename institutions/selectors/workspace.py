"""Reads of the current institution for the workspace pages of module 02.

A workspace page never takes an institution id from the request: it reads the institution the member works
under (`request.institution`, set by `institution_required`), so another institution cannot be reached.
"""

from django.db.models import Count, IntegerField, Model, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..models import (
    Capability,
    Certificate,
    Equipment,
    Institution,
    InstitutionField,
    Patent,
    Personnel,
    Signatory,
    Site,
    SoftwareCopyright,
    Trademark,
)

# Name of the count → the model whose rows of the institution it counts.
COUNTED: dict[str, type[Model]] = {
    "certificates": Certificate,
    "sites": Site,
    "capabilities": Capability,
    "equipment": Equipment,
    "signatories": Signatory,
    "personnel": Personnel,
    "software_copyrights": SoftwareCopyright,
    "patents": Patent,
    "trademarks": Trademark,
}


def profile_institution_get(*, institution_id: int) -> Institution:
    """The institution with what its profile pages show: uploads and declared testing fields."""
    return get_object_or_404(
        Institution.objects.select_related("logo", "high_tech_certificate").prefetch_related(
            Prefetch("fields", queryset=InstitutionField.objects.order_by("code"))
        ),
        pk=institution_id,
    )


def _count_of(model: type[Model]) -> Coalesce:
    rows = model.objects.filter(institution_id=OuterRef("pk"))
    if any(f.name == "withdrawn_at" for f in model._meta.concrete_fields):
        rows = rows.filter(withdrawn_at__isnull=True)  # withdrawn by the sync: kept, not counted
    rows = rows.order_by().values("institution_id").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def profile_counts(*, institution_id: int) -> dict[str, int]:
    """How many rows of each kind of qualification data and IP the institution has, in one query.

    Keys: those of COUNTED, plus "ip" (software copyrights + patents + trademarks).
    """
    counts = (
        Institution.objects.filter(pk=institution_id)
        .annotate(**{f"n_{name}": _count_of(model) for name, model in COUNTED.items()})
        .values(*(f"n_{name}" for name in COUNTED))
        .first()
    ) or {}
    result = {name: counts.get(f"n_{name}", 0) for name in COUNTED}
    result["ip"] = result["software_copyrights"] + result["patents"] + result["trademarks"]
    return result
