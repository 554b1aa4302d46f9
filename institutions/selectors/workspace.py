"""Reads of the current institution for the workspace pages of module 02.

A workspace page never takes an institution id from the request: it reads the institution the member works
under (`request.institution`, set by `institution_required`), so another institution cannot be reached.
"""

from django.db.models import Count, IntegerField, Model, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..models import Institution, InstitutionField
from ..sections import SECTIONS

# Count key → the model whose rows of the institution it counts: every part of every section.
COUNTED: dict[str, type[Model]] = {
    name: model for section in SECTIONS for name, model in section.parts.items()
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
    """How many rows each section of the profile (institutions.sections) has, in one query.

    Keys: the sections' keys, plus the parts of a section of several ("copyright", "patent",
    "trademark", whose sum is "ip").
    """
    counts = (
        Institution.objects.filter(pk=institution_id)
        .annotate(**{f"n_{name}": _count_of(model) for name, model in COUNTED.items()})
        .values(*(f"n_{name}" for name in COUNTED))
        .first()
    ) or {}
    result = {name: counts.get(f"n_{name}", 0) for name in COUNTED}
    for section in SECTIONS:
        result[section.key] = sum(result[name] for name in section.parts)
    return result
