"""What a regulator sees of institution-owned data: the rows inside their jurisdiction and, of reviewed
submissions, only those ever put in front of them.

Admin's lists (RegionScopedAdmin, ReviewAdminMixin) and the owners' file rules (`attachments_visible_to`,
through `regulator_lists`) read these same functions, so a regulator may download a file exactly when
admin lists its owner to them.
"""

from typing import Any

from django.contrib.auth import get_permission_codename
from django.db.models import Model, QuerySet

from .choices import ReviewStatus
from .regions import PROVINCE_CODE, scope_prefix


def in_scope(queryset: QuerySet, scope: str | None, field: str) -> QuerySet:
    """The rows whose `field` (a lookup path to a region code) lies inside the jurisdiction `scope`
    (a region code: the province, a city or a district); every row for the province, none without one.

    The one place the region rule is written: admin lists and filters, selectors, notifications and file
    access all call this (or `regulator_scoped`, which reads the scope off a user)."""
    if scope is None:
        return queryset.none()
    if scope == PROVINCE_CODE:
        return queryset
    return queryset.filter(**{f"{field}__startswith": scope_prefix(scope)})


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
