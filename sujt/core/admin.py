"""Admin building blocks shared by every app: the regulator's region scope."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .regions import PROVINCE_CODE, scope_prefix


class RegionScopedAdmin(admin.ModelAdmin):
    """Limits a regulator's admin lists and objects to their jurisdiction.

    `region_field` is the lookup path to a region code (e.g. "institution__region_code"). A user with
    no regulator scope sees nothing; the province (and superusers) see everything.
    """

    region_field: str = "region_code"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        scope = getattr(request.user, "region_scope", None)
        if scope is None:
            return queryset.none()
        if scope == PROVINCE_CODE:
            return queryset
        return queryset.filter(**{f"{self.region_field}__startswith": scope_prefix(scope)})

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if getattr(request.user, "region_scope", None) is None:
            return False
        return super().has_view_permission(request, obj)
