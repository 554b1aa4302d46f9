"""What a regulator sees of institution-owned data: the rows inside their jurisdiction (`in_scope`, the
one region rule) and, of reviewed submissions, only those ever put in front of them.

Admin's lists (RegionScopedAdmin, ReviewAdminMixin) and the owners' file rules (`attachments_visible_to`,
through `regulator_lists`) read these same functions, so a regulator may download a file exactly when
admin lists its owner to them.
"""

from typing import Any

from django.contrib.auth import get_permission_codename
from django.db.models import Model, QuerySet

from .choices import RegionLevel, ReviewStatus
from .regions import PROVINCE_CODE, city_code_of, level_of


def _jurisdiction(scope: str) -> tuple[str, str] | None:
    """The lowest and highest region code inside `scope`'s jurisdiction; None for the province (all).

    Region codes are six digits (320000 the province, 32XX00 a city, 32XXYY a district of it), so a
    city holds the codes 32XX00..32XX99 and a district only itself. Bounds rather than a prefix (LIKE
    '32XX%') keep the region-code indexes usable on every database collation."""
    if scope == PROVINCE_CODE:
        return None
    if level_of(scope) == RegionLevel.CITY:
        return f"{scope[:4]}00", f"{scope[:4]}99"
    return scope, scope


def in_scope(queryset: QuerySet, scope: str | None, field: str) -> QuerySet:
    """The rows whose `field` (a lookup path to a region code, e.g. "institution__region_code") lies
    inside the jurisdiction `scope` (a region code: the province, a city or a district): every row for
    the province, the city's own and its districts' rows for a city, that district's rows for a
    district, none without a scope.

    The one place the region rule is written: admin lists and filters, selectors, the public city
    filters, review queues and file access call this, or `regulator_scoped` (reads the scope off a
    user), `scope_covers` (one code) and `jurisdictions_over` (who oversees a code), which share it."""
    if scope is None:
        return queryset.none()
    bounds = _jurisdiction(scope)
    if bounds is None:
        return queryset
    low, high = bounds
    if low == high:
        return queryset.filter(**{field: low})
    return queryset.filter(**{f"{field}__gte": low, f"{field}__lte": high})


def scope_covers(scope: str | None, region_code: str) -> bool:
    """Whether `region_code` lies inside the jurisdiction `scope`: `in_scope` for one code. No scope
    covers anything, and nothing covers an empty code."""
    if scope is None or not region_code:
        return False
    bounds = _jurisdiction(scope)
    return bounds is None or bounds[0] <= region_code <= bounds[1]


def jurisdictions_over(region_code: str) -> set[str]:
    """The jurisdictions (scope codes) that hold `region_code`: the province, its city and, for a
    district, the district itself. The regulators at these codes are those whose `in_scope` lists rows
    of `region_code` (who is told about an institution's submission reads this)."""
    if not region_code:
        return set()
    return {PROVINCE_CODE, city_code_of(region_code), region_code}


def is_province_regulator(user: Any) -> bool:
    """A regulator of the province (superusers' scope is the province too): who steers rules that hold
    for every region, such as the credit point table."""
    return bool(getattr(user, "is_active", False)) and getattr(user, "region_scope", None) == PROVINCE_CODE


def regulator_scoped(queryset: QuerySet, *, user: Any, region_field: str) -> QuerySet:
    """The rows whose `region_field` (a lookup path to a region code) lies in the user's jurisdiction:
    all of them for the province and superusers, none for a user who is no regulator."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    return in_scope(queryset, getattr(user, "region_scope", None), region_field)


def ever_submitted(queryset: QuerySet) -> QuerySet:
    """Of reviewable rows, those the institution ever submitted: a draft, and a draft withdrawn before it
    was submitted, are the institution's private work."""
    return queryset.exclude(status=ReviewStatus.DRAFT).exclude(
        status=ReviewStatus.WITHDRAWN, submitted_at__isnull=True
    )


def regulator_lists(obj: Model, *, user: Any, region_field: str, reviewed: bool = False) -> bool:
    """Whether admin lists `obj` to `user`: they may view its model there (as ModelAdmin asks), it lies
    in their jurisdiction and, when `reviewed` (its admin is a review queue), it was ever submitted."""
    opts = obj._meta
    if not any(
        user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in ("view", "change")
    ):
        return False
    queryset = type(obj)._default_manager.filter(pk=obj.pk)
    if reviewed:
        queryset = ever_submitted(queryset)
    return regulator_scoped(queryset, user=user, region_field=region_field).exists()
