"""Who stands on each side of an institution: its active members and admins, and the regulators whose
jurisdiction contains its region. Core's review workflow and attachment checks reach these through
hooks (core cannot import accounts); `AccountsConfig.ready()` registers `review_party_resolver`.
"""

from typing import Any

from django.db.models import QuerySet

from sujt.core.regions import PROVINCE_CODE, city_code_of, region_contains
from sujt.core.workflow import INSTITUTION_SIDE, MEMBER_SIDE, REGULATOR_SIDE, set_party_resolver

from .choices import MembershipRole
from .models import User


def regulators_over(*, region_code: str) -> list[User]:
    """Active regulators whose region contains `region_code` (its district, its city, the province)."""
    if not region_code:
        return []
    candidates = {PROVINCE_CODE, city_code_of(region_code), region_code}
    users = User.objects.filter(
        is_active=True, regulator__is_active=True, regulator__region_code__in=candidates
    ).select_related("regulator")
    return [user for user in users if region_contains(user.regulator.region_code, region_code)]


def institution_admins(*, institution_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__institution_id=institution_id,
        memberships__is_active=True,
        memberships__role=MembershipRole.ADMIN,
    ).distinct()


def institution_members(*, institution_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__institution_id=institution_id, memberships__is_active=True
    ).distinct()


def oversees_region(*, user: Any, region_code: str) -> bool:
    """A regulator (or superuser) whose jurisdiction contains `region_code`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    scope = user.region_scope
    return scope is not None and region_contains(scope, region_code)


def review_party_resolver(*, institution: Any, side: str) -> list[User]:
    """The workflow's hook: the regulators over the institution, its active admins or its members."""
    if side == REGULATOR_SIDE:
        return regulators_over(region_code=institution.region_code)
    if side == INSTITUTION_SIDE:
        return list(institution_admins(institution_id=institution.pk))
    if side == MEMBER_SIDE:
        return list(institution_members(institution_id=institution.pk))
    raise ValueError(f"unknown side: {side}")


set_party_resolver(review_party_resolver)
