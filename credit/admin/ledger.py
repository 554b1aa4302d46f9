"""05 信用管理 in admin.

- 信用评价项目 and 信用评价规则: every regulator reads them; only the province changes them (the point
  table holds for the whole province). A change is audited and recalculates the institutions concerned.
- 信用记录: the ledger, read-only and scoped to the regulator's region; 增加 is a regulator's own entry
  with its reason (credit.services.event_manual_record).
- 信用评价结果: the current score and level of each institution, by level and city, with Excel export.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from institutions.admin import InstitutionCityFilter, InstitutionInJurisdictionMixin
from sujt.core.admin import RegionScopedAdmin
from sujt.core.admin_tools import ExcelExportAdminMixin, HistoryAdmin, district_filter
from sujt.core.excel import ExcelColumn
from sujt.core.regions import region_name
from sujt.core.scoping import is_province_regulator

from ..models import CreditEvent, CreditItem, CreditPolicy, CreditScore
from ..services import event_manual_record, item_save, policy_save

REGION_FIELD = "institution__region_code"


class ProvinceEditsAdmin(HistoryAdmin):
    """Read by every regulator with the view permission; added and changed by the province only; never
    deleted (the ledger refers to the items)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_province_regulator(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_province_regulator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CreditItem)
class CreditItemAdmin(ProvinceEditsAdmin):
    list_display = [
        "code",
        "name",
        "direction",
        "points",
        "months_valid",
        "yearly_cap",
        "veto",
        "dimension",
        "active",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["direction", "dimension", "veto", "active"]
    search_fields = ["code", "name"]
    fields = [
        "code",
        "name",
        "direction",
        "points",
        "months_valid",
        "yearly_cap",
        "veto",
        "dimension",
        "active",
        "description",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # An item's code and direction name what the ledger's events are: they are fixed once created.
        return ["code", "direction"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: CreditItem, form: Any, change: bool) -> None:
        item_save(item=obj, by=request.user)


@admin.register(CreditPolicy)
class CreditPolicyAdmin(ProvinceEditsAdmin):
    list_display = ["__str__", "base_score", "bonus_cap", "level_a_min", "level_b_min", "level_c_min"]
    fields = ["base_score", "bonus_cap", "level_a_min", "level_b_min", "level_c_min"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the one row is seeded by migration (credit 0002)

    def save_model(self, request: HttpRequest, obj: CreditPolicy, form: Any, change: bool) -> None:
        policy_save(policy=obj, by=request.user)


class ManualEventForm(forms.ModelForm):
    class Meta:
        model = CreditEvent
        fields = ["institution", "item", "occurred_on", "reason"]
        help_texts = {"reason": _("必填：说明录入依据（如检查记录、文件文号）。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = CreditItem.objects.filter(active=True)
        self.fields["reason"].required = True


@admin.register(CreditEvent)
class CreditEventAdmin(
    InstitutionInJurisdictionMixin, ExcelExportAdminMixin, RegionScopedAdmin, HistoryAdmin
):
    region_field = REGION_FIELD
    list_display = [
        "institution",
        "item",
        "direction",
        "points",
        "occurred_on",
        "valid_until",
        "state",
        "source",
    ]
    list_filter = [
        "state",
        "direction",
        "source",
        "item",
        InstitutionCityFilter,
        district_filter(REGION_FIELD),
        "occurred_on",
    ]
    search_fields = ["institution__name", "institution__uscc", "item__code", "item__name", "reason"]
    list_select_related = ["institution", "item"]
    autocomplete_fields = ["institution"]
    readonly_fields = [
        "institution",
        "item",
        "direction",
        "points",
        "occurred_on",
        "valid_until",
        "state",
        "source",
        "details",
        "reason",
        "rectified_on",
        "recorded_by",
        "created_at",
        "state_changed_at",
    ]
    excel_columns = [
        ExcelColumn("机构名称", "institution.name", width=36),
        ExcelColumn("所在地区", lambda event: region_name(event.institution.region_code)),
        ExcelColumn("项目编号", "item.code"),
        ExcelColumn("项目名称", "item.name", width=28),
        ExcelColumn("类型", "get_direction_display"),
        ExcelColumn("分值", "points"),
        ExcelColumn("发生日期", "occurred_on"),
        ExcelColumn("有效期至", "valid_until"),
        ExcelColumn("状态", "get_state_display"),
        ExcelColumn("来源", "get_source_display"),
        ExcelColumn("事由", "reason", width=40),
    ]
    excel_select_related = ["institution", "item"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ManualEventForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["institution", "item", "occurred_on", "reason"]
        return list(self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.readonly_fields) if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CreditEvent, form: Any, change: bool) -> None:
        event = event_manual_record(
            institution=form.cleaned_data["institution"],
            item=form.cleaned_data["item"],
            occurred_on=form.cleaned_data["occurred_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        obj.pk = event.pk


@admin.register(CreditScore)
class CreditScoreAdmin(ExcelExportAdminMixin, RegionScopedAdmin, admin.ModelAdmin):
    """The current score and level of each institution module 05 applies to."""

    region_field = REGION_FIELD
    list_display = ["institution", "region", "score", "level", "bonus", "deduction", "veto", "calculated_at"]
    list_filter = ["level", "veto", InstitutionCityFilter, district_filter(REGION_FIELD)]
    search_fields = ["institution__name", "institution__uscc"]
    list_select_related = ["institution"]
    ordering = ["level", "-score", "institution__name"]
    fields = ["institution", "score", "level", "bonus", "deduction", "veto", "calculated_at"]
    readonly_fields = fields
    excel_columns = [
        ExcelColumn("机构名称", "institution.name", width=36),
        ExcelColumn("统一社会信用代码", "institution.uscc", width=22),
        ExcelColumn("所在地区", lambda score: region_name(score.institution.region_code)),
        ExcelColumn("信用分", "score"),
        ExcelColumn("信用等级", "level"),
        ExcelColumn("加分", "bonus"),
        ExcelColumn("扣分", "deduction"),
        ExcelColumn("一票否决", lambda score: "是" if score.veto else ""),
        ExcelColumn("计算时间", "calculated_at"),
    ]
    excel_select_related = ["institution"]

    @admin.display(description=_("所在地区"))
    def region(self, obj: CreditScore) -> str:
        return region_name(obj.institution.region_code)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
