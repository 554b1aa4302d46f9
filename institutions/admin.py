from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from sujt.accounts.admin import ReadOnlyInline
from sujt.accounts.models import Membership
from sujt.core.admin import RegionScopedAdmin
from sujt.core.admin_tools import ExcelExportAdminMixin, HistoryAdmin, city_filter
from sujt.core.excel import ExcelColumn
from sujt.core.regions import PROVINCE_CODE, REGION_CHOICES, region_contains, region_name

from .models import Institution

# For the admins of institution-owned data in other apps: list_filter = [InstitutionCityFilter].
InstitutionCityFilter = city_filter("institution__region_code")


class InstitutionAdminForm(forms.ModelForm):
    region_code = forms.ChoiceField(label="所在地区", choices=REGION_CHOICES)
    # Set by InstitutionAdmin.get_form: the jurisdiction of the regulator filling the form.
    region_scope: str | None = None

    class Meta:
        model = Institution
        fields = ("name", "uscc", "region_code", "status", "centers_enabled")

    def clean_region_code(self) -> str:
        code = self.cleaned_data["region_code"]
        scope = self.region_scope
        if scope != PROVINCE_CODE and (scope is None or not region_contains(scope, code)):
            raise ValidationError("只能选择您管辖范围内的地区。")
        return code


class InstitutionMembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = fields
    verbose_name = verbose_name_plural = "机构用户"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("user")


@admin.register(Institution)
class InstitutionAdmin(ExcelExportAdminMixin, RegionScopedAdmin, HistoryAdmin):
    form = InstitutionAdminForm
    region_field = "region_code"
    list_display = ("name", "uscc", "region_display", "status", "centers_enabled", "updated_at")
    list_filter = ("status", city_filter("region_code"), "centers_enabled")
    search_fields = ("name", "uscc")
    readonly_fields = ("created_at", "updated_at")
    inlines = [InstitutionMembershipInline]
    excel_columns = [
        ExcelColumn("名称", "name"),
        ExcelColumn("统一社会信用代码", "uscc"),
        ExcelColumn("所在地区", lambda obj: region_name(obj.region_code) or obj.region_code),
        ExcelColumn("状态", "get_status_display"),
        ExcelColumn("开通中心建设", "centers_enabled"),
        ExcelColumn("更新时间", "updated_at"),
    ]

    @admin.display(description="所在地区", ordering="region_code")
    def region_display(self, obj: Institution) -> str:
        return region_name(obj.region_code) or obj.region_code

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.region_scope = getattr(request.user, "region_scope", None)
        return form
