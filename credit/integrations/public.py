"""The credit level on the public side: the directory filters by it and shows it, with its downloads and
JSON, and the public profile shows it (sujt.core.registries.register_institution_facet). The stored
level of the last recalculation (credit.services.scores_recalculate) is what the public reads; an
institution module 05 does not apply to has none."""

from collections.abc import Sequence

from sujt.core.registries import register_institution_facet

from ..choices import Level
from ..models import CreditScore


def _levels(institution_ids: Sequence[int]) -> dict[int, str]:
    return dict(
        CreditScore.objects.filter(institution_id__in=list(institution_ids)).values_list(
            "institution_id", "level"
        )
    )


def _with_level(level: str):
    return CreditScore.objects.filter(level=level).values("institution_id")


register_institution_facet(
    "credit_level",
    label="信用等级",
    choices=[(code, f"{code} 级") for code in Level.values],
    values=_levels,
    matching=_with_level,
    order=10,
)
