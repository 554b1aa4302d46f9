"""Who stands on each side of an institution: its active members and admins, the regulators whose
jurisdiction contains its region, and the reviewers of each workflow step. Core's workflow reaches these
through a hook (core cannot import accounts); `AccountsConfig.ready()` registers `review_party_resolver`.

The reviewers of a step (who is told when a submission waits for them):
- Side.CITY — the active regulators of the institution's city bureau and of its own district's bureau
  (a district regulator's jurisdiction holds the institution, admin lists it to them and
  `regulator_side` lets them take a city step); not another district's, not another city's, not the
  province (which may still take a city step, but is not asked to). An institution registered directly
  under the province has no city bureau: the province reviews its city step.
- Side.PROVINCE — the active province regulators only.

The region rule is core's: `region_contains` is the row-wise form of the prefix rule `in_scope` applies
to querysets (both read `scope_prefix`); here the question is the converse one (which jurisdictions hold
this institution), answered from the three codes that can: the province, its city, its district.
"""

from typing import Any

from django.db.models import Q, QuerySet

from sujt.core.regions import PROVINCE_CODE, city_code_of, region_contains
from sujt.core.workflow import INSTITUTION_SIDE, MEMBER_SIDE, REGULATOR_SIDE, Side, set_party_resolver

from .choices import MembershipRole
from .models import InstitutionUserObjectPermission, User


def _regulators_at(codes: set[str]) -> QuerySet[User]:
    """Active users with an active regulator profile whose jurisdiction is one of `codes`."""
    return User.objects.filter(
        is_active=True, regulator__is_active=True, regulator__region_code__in=codes
    ).select_related("regulator")


def regulators_over(*, region_code: str) -> list[User]:
    """Active regulators whose region contains `region_code` (its district, its city, the province)."""
    if not region_code:
        return []
    users = _regulators_at({PROVINCE_CODE, city_code_of(region_code), region_code})
    return [user for user in users if region_contains(user.regulator.region_code, region_code)]


def city_reviewers(*, region_code: str) -> list[User]:
    """The reviewers of a city step for an institution in `region_code`: its city's regulators and its
    own district's (when it lies in a district); the province's for an institution directly under it."""
    if not region_code:
        return []
    if region_code == PROVINCE_CODE:
        return province_reviewers()
    return list(_regulators_at({city_code_of(region_code), region_code}))


def province_reviewers() -> list[User]:
    """The reviewers of a province step: the active province regulators."""
    return list(_regulators_at({PROVINCE_CODE}))


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


def institution_members_with_perm(*, institution_id: int, perm: str) -> QuerySet[User]:
    """The active members of the institution who hold module permission `perm` there (its active admins
    hold every one): who must act on the module's matters."""
    granted = InstitutionUserObjectPermission.objects.filter(
        content_object_id=institution_id, permission__codename=perm
    ).values("user_id")
    return User.objects.filter(
        Q(memberships__role=MembershipRole.ADMIN) | Q(pk__in=granted),
        is_active=True,
        memberships__institution_id=institution_id,
        memberships__is_active=True,
    ).distinct()


def members_with_perm_in(*, institution_ids: list[int], perm: str) -> QuerySet[User]:
    """The active members holding module permission `perm` in any of these institutions (one query),
    for a message to many institutions at once."""
    granted = InstitutionUserObjectPermission.objects.filter(
        content_object_id__in=institution_ids, permission__codename=perm
    ).values("user_id")
    return User.objects.filter(
        Q(memberships__role=MembershipRole.ADMIN) | Q(pk__in=granted),
        is_active=True,
        memberships__institution_id__in=institution_ids,
        memberships__is_active=True,
    ).distinct()


def oversees_region(*, user: Any, region_code: str) -> bool:
    """A regulator (or superuser) whose jurisdiction contains `region_code`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    scope = user.region_scope
    return scope is not None and region_contains(scope, region_code)


def review_party_resolver(*, institution: Any, side: str) -> list[User]:
    """The workflow's hook: the reviewers of a city or province step, every regulator over the
    institution, its active admins or its members."""
    if side == Side.CITY:
        return city_reviewers(region_code=institution.region_code)
    if side == Side.PROVINCE:
        return province_reviewers()
    if side == REGULATOR_SIDE:
        return regulators_over(region_code=institution.region_code)
    if side == INSTITUTION_SIDE:
        return list(institution_admins(institution_id=institution.pk))
    if side == MEMBER_SIDE:
        return list(institution_members(institution_id=institution.pk))
    raise ValueError(f"unknown side: {side}")


set_party_resolver(review_party_resolver)
