"""The regulators' institution record: list, search, filters, the whole record on one page, exports.

The change page shows everything the institution and the approval system put on record, grouped like the
workspace: 基本信息 and 联系方式 (synced from the approval system), 完善信息 (the institution's own answers),
完整度与确认, 资质与能力 (certificates, sites, equipment, signatories, personnel, capabilities), 知识产权
and 机构用户 (members, roles, module permissions, last login). Regulators keep the corrections they had:
name, 信用代码, 地区, 状态 and 开通中心建设, and the qualification rows; the rest is read-only here
(the next sync overwrites what the approval system holds, and 完善信息 / IP are the institution's own).
"""

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from sujt.core.admin import RegionScopedAdmin, ViewOnlyMixin
from sujt.core.admin_tools import ExcelExportAdminMixin, HistoryAdmin, city_filter, district_filter
from sujt.core.dates import format_date, format_datetime
from sujt.core.excel import ExcelColumn
from sujt.core.regions import REGION_CHOICES, city_name, region_name
from sujt.core.scoping import scope_covers

from ..models import (
    Capability,
    Certificate,
    Equipment,
    Institution,
    Patent,
    Personnel,
    Signatory,
    Site,
    SoftwareCopyright,
    Trademark,
)
from ..selectors.admin_record import (
    institution_ip,
    institution_members,
    institution_search_q,
    institutions_for_export,
    search_words,
)
from ..services.completeness import completeness_items, completeness_recalculate
from ..sync.records import INSTITUTION_FIELDS
from .filters import (
    CompletenessFilter,
    ConfirmedFilter,
    InstitutionCertificateExpiryFilter,
    TestingFieldFilter,
    attachment_link,
    changelist_url,
)

# What a regulator may change on the institution itself (InstitutionAdminForm); everything else on the
# page is read-only for them.
EDITABLE_FIELDS = ("name", "uscc", "region_code", "status", "centers_enabled")
SYNCED_READONLY = tuple(name for name in INSTITUTION_FIELDS if name not in EDITABLE_FIELDS)
QUALIFICATION_NOTE = "资质认定证书、检验检测场所、仪器设备、授权签字人和人员见下方；检验检测领域见“完善信息”"
IP_MODELS = {model._meta.model_name: model for model in (SoftwareCopyright, Patent, Trademark)}
SYNC_NOTE = "以下信息由资质认定审批系统同步；监管人员更正后，如审批系统数据不同，下次同步时以审批系统为准。"


class InstitutionAdminForm(forms.ModelForm):
    region_code = forms.ChoiceField(label="所在地区", choices=REGION_CHOICES)
    # Set by InstitutionAdmin.get_form: the jurisdiction of the regulator filling the form.
    region_scope: str | None = None

    class Meta:
        model = Institution
        fields = EDITABLE_FIELDS

    def clean_region_code(self) -> str:
        code = self.cleaned_data["region_code"]
        if not scope_covers(self.region_scope, code):
            raise ValidationError("只能选择您管辖范围内的地区。")
        return code


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0
    fields = (
        "number",
        "field_display",
        "authority_display",
        "issued_on",
        "expires_on",
        "status",
        "scan_link",
    )
    readonly_fields = ("field_display", "authority_display", "scan_link")
    show_change_link = True

    @admin.display(description="检验检测领域")
    def field_display(self, obj: Certificate) -> str:
        return obj.get_field_code_display() if obj.pk else "—"

    @admin.display(description="发证机关")
    def authority_display(self, obj: Certificate) -> str:
        return obj.authority_name if obj.pk else "—"

    @admin.display(description="证书扫描件")
    def scan_link(self, obj: Certificate) -> str:
        return attachment_link(obj.scan) if obj.pk else "—"


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ("name", "address", "site_type", "area", "tenure")
    show_change_link = True


class ListingFormSet(BaseInlineFormSet):
    """A formset with no forms: the inline lists rows read-only and posts nothing back.

    An institution may have hundreds of equipment or personnel rows; as editable (or even view-only)
    inline forms they would exceed DATA_UPLOAD_MAX_NUMBER_FIELDS when the institution is saved. Each row
    links to its own change page, and the full list to the filtered changelist.
    """

    listing_columns: Sequence[tuple[str, Callable[[Any], Any]]] = ()
    listing_limit = 50

    def initial_form_count(self) -> int:
        return 0

    def total_form_count(self) -> int:
        return 0

    def listing(self) -> dict[str, Any]:
        model = self.model
        if self.instance.pk is None:
            return {"headers": [], "rows": [], "total": 0, "more": False, "all_url": ""}
        rows = [
            {
                "cells": [getter(obj) for _title, getter in self.listing_columns],
                "url": reverse(f"admin:institutions_{model._meta.model_name}_change", args=[obj.pk]),
                "label": str(obj),
            }
            for obj in self.queryset[: self.listing_limit]
        ]
        total = self.queryset.count() if len(rows) == self.listing_limit else len(rows)
        return {
            "headers": [title for title, _getter in self.listing_columns],
            "rows": rows,
            "total": total,
            "more": total > len(rows),
            "all_url": changelist_url(model, institution=self.instance.pk),
        }


class ListingInline(ViewOnlyMixin, admin.TabularInline):
    template = "institutions/admin/listing_inline.html"
    formset = ListingFormSet
    extra = 0
    can_delete = False
    listing_columns: Sequence[tuple[str, Callable[[Any], Any]]] = ()
    listing_select_related: Sequence[str] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related(*self.listing_select_related)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.listing_columns = self.listing_columns
        return formset


def _site_name(obj: Any) -> str:
    return obj.site.name if obj.site_id else "—"


class EquipmentInline(ListingInline):
    model = Equipment
    listing_select_related = ("site",)
    listing_columns = (
        ("设备名称", lambda obj: obj.name),
        ("型号/规格", lambda obj: obj.model_spec or "—"),
        ("溯源方式", lambda obj: obj.get_traceability_display()),
        ("检定/校准有效期至", lambda obj: obj.valid_until or "—"),
        ("检验检测场所", _site_name),
    )


class SignatoryInline(ListingInline):
    model = Signatory
    listing_select_related = ("site",)
    listing_columns = (
        ("姓名", lambda obj: obj.name),
        ("职称", lambda obj: obj.title or "—"),
        ("授权签字领域", lambda obj: obj.authorised_fields),
        ("检验检测场所", _site_name),
    )


class PersonnelInline(ListingInline):
    model = Personnel
    listing_columns = (
        ("姓名", lambda obj: obj.name),
        ("性别", lambda obj: obj.get_gender_display()),
        ("学历", lambda obj: obj.get_education_display() or "—"),
        ("职称", lambda obj: obj.title or "—"),
        ("岗位", lambda obj: obj.position or "—"),
        ("所在部门", lambda obj: obj.department or "—"),
    )


def _label(name: str) -> Callable[[Institution], str]:
    """The choice label of an Institution field, from a dict built once: get_FOO_display() would flatten
    and hash the choices again for every cell of a 5,000-row export."""
    labels = {str(value): str(label) for value, label in Institution._meta.get_field(name).flatchoices}
    return lambda obj: labels.get(getattr(obj, name), getattr(obj, name))


def _yes_no(value: bool | None) -> str:
    return "未填写" if value is None else ("是" if value else "否")


def _certificates_cell(obj: Institution) -> str:
    # One line per certificate, the validity read together with its number.
    return "\n".join(
        f"{c.number}（{c.get_status_display()}，{format_date(c.issued_on)} 至 {format_date(c.expires_on)}）"
        for c in obj.certificates.all()
    )


def _admins_cell(obj: Institution, attribute: str) -> str:
    return "\n".join(getattr(m.user, attribute) or "—" for m in obj.active_admins)


# 完善信息 as the institution filled it in: shown to regulators, never edited by them.
FILLED_IN_FIELDS = (
    "logo_display",
    "fields_display",
    "high_tech_display",
    "legal_person_type",
    "unit_type",
    "supervising_department",
    "ownership",
    "listed_display",
    "investor_type",
    "business_scope_display",
)


@admin.register(Institution)
class InstitutionAdmin(ExcelExportAdminMixin, RegionScopedAdmin, HistoryAdmin):
    form = InstitutionAdminForm
    change_form_template = "admin/institutions/institution/change_form.html"
    region_field = "region_code"
    list_display = (
        "name",
        "uscc",
        "region_display",
        "status",
        "completeness_display",
        "confirmed_display",
        "centers_display",
        "updated_at",
    )
    list_filter = (
        "status",
        city_filter("region_code"),
        district_filter("region_code"),
        TestingFieldFilter,
        CompletenessFilter,
        ConfirmedFilter,
        InstitutionCertificateExpiryFilter,
        "centers_enabled",
    )
    # The box searches more than these (get_search_results); naming them keeps the box and its help.
    search_fields = ("name", "uscc")
    search_help_text = (
        "可按机构名称、统一社会信用代码、CMA 证书编号、机构管理员姓名或手机号搜索；多个词以空格分隔。"
    )
    fieldsets = (
        (
            "基本信息",
            {
                "fields": (
                    *EDITABLE_FIELDS[:4],
                    "legal_representative",
                    "established_on",
                    "is_independent_legal_person",
                    "address",
                    "postcode",
                    "introduction",
                ),
                "description": SYNC_NOTE,
            },
        ),
        ("联系方式", {"fields": ("phone", "email", "website", "contact_person", "contact_phone")}),
        (
            "完善信息（机构填报，仅供查看）",
            {"fields": FILLED_IN_FIELDS},
        ),
        (
            "完整度与确认",
            {"fields": ("completeness_detail", "confirmation_display", "created_at", "updated_at")},
        ),
        (
            "资质与能力",
            {
                "fields": ("capabilities_link", "centers_enabled"),
                "description": QUALIFICATION_NOTE,
            },
        ),
    )
    readonly_fields = (
        *SYNCED_READONLY,
        *FILLED_IN_FIELDS,
        "completeness_detail",
        "confirmation_display",
        "capabilities_link",
        "created_at",
        "updated_at",
    )
    inlines = [
        CertificateInline,
        SiteInline,
        EquipmentInline,
        SignatoryInline,
        PersonnelInline,
    ]
    excel_title = "检验检测机构"
    excel_columns = [
        ExcelColumn("机构名称", "name"),
        ExcelColumn("统一社会信用代码", "uscc"),
        ExcelColumn("所在城市", lambda obj: city_name(obj.region_code)),
        ExcelColumn("所在地区", lambda obj: region_name(obj.region_code) or obj.region_code),
        ExcelColumn("地址", "address"),
        ExcelColumn("邮政编码", "postcode"),
        ExcelColumn("法定代表人", "legal_representative"),
        ExcelColumn("机构电话", "phone"),
        ExcelColumn("联系人", "contact_person"),
        ExcelColumn("联系人电话", "contact_phone"),
        ExcelColumn("机构邮箱", "email"),
        ExcelColumn("网站", "website"),
        ExcelColumn("状态", _label("status")),
        ExcelColumn("检验检测领域", lambda obj: "、".join(f.get_code_display() for f in obj.fields.all())),
        ExcelColumn("高新技术企业", lambda obj: _yes_no(obj.is_high_tech)),
        ExcelColumn("法人类型", _label("legal_person_type")),
        ExcelColumn("单位类型", _label("unit_type")),
        ExcelColumn("所有制结构", _label("ownership")),
        ExcelColumn("上市公司", lambda obj: _yes_no(obj.is_listed)),
        ExcelColumn("出资人类型", _label("investor_type")),
        ExcelColumn("信息完整度（%）", "completeness"),
        ExcelColumn("信息确认时间", "info_confirmed_at"),
        ExcelColumn(
            "信息确认人", lambda obj: obj.info_confirmed_by.get_full_name() if obj.info_confirmed_by else ""
        ),
        ExcelColumn("资质认定证书（编号、状态、有效期）", _certificates_cell, width=60),
        ExcelColumn("机构管理员", lambda obj: _admins_cell(obj, "name")),
        ExcelColumn("管理员手机号", lambda obj: _admins_cell(obj, "phone")),
        ExcelColumn("用户数（启用）", "member_count"),
        ExcelColumn("开通中心建设", "centers_enabled"),
        ExcelColumn("更新时间", "updated_at"),
    ]

    # --- list ---------------------------------------------------------------------------------------

    @admin.display(description="所在地区", ordering="region_code")
    def region_display(self, obj: Institution) -> str:
        return region_name(obj.region_code) or obj.region_code

    # Short column titles: with eight columns and the filter sidebar, long ones push 更新时间 off a
    # 1366-px screen.
    @admin.display(description="完整度", ordering="completeness")
    def completeness_display(self, obj: Institution) -> str:
        return f"{obj.completeness}%"

    @admin.display(description="已确认", boolean=True, ordering="info_confirmed_at")
    def confirmed_display(self, obj: Institution) -> bool:
        return obj.info_confirmed_at is not None

    @admin.display(description="中心建设", boolean=True, ordering="centers_enabled")
    def centers_display(self, obj: Institution) -> bool:
        return obj.centers_enabled

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # Certificates and admins are matched with EXISTS (selectors.admin_record): no joins, so no
        # duplicate rows and no DISTINCT on a list of thousands.
        if not search_words(search_term):
            return queryset, False
        return queryset.filter(institution_search_q(term=search_term)), False

    def get_excel_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return institutions_for_export(queryset=queryset)

    # --- change page --------------------------------------------------------------------------------

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        # Full-width sections of the template (admin/institutions/institution/change_form.html), read
        # only once the view has found the object in the regulator's scope.
        if obj is not None and obj.pk:
            context["members"] = institution_members(institution_id=obj.pk)
            context["ip_listings"] = [
                (listing, changelist_url(IP_MODELS[listing.key], institution=obj.pk))
                for listing in institution_ip(institution_id=obj.pk)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="机构Logo")
    def logo_display(self, obj: Institution) -> str:
        if not obj.logo_id:
            return "未上传"
        url = reverse("core:attachment_download", args=[obj.logo_id])
        return format_html(
            '<a href="{}" title="打开原图"><img src="{}" alt="机构Logo" class="{}" width="64"></a>',
            url,
            url,
            "institution-record-logo",
        )

    @admin.display(description="检验检测领域")
    def fields_display(self, obj: Institution) -> str:
        names = [field.get_code_display() for field in obj.fields.all()] if obj.pk else []
        return "、".join(names) or "未填写"

    @admin.display(description="高新技术企业")
    def high_tech_display(self, obj: Institution) -> str:
        if not obj.is_high_tech:
            return _yes_no(obj.is_high_tech)
        return format_html(
            "是，{} 获得；证书扫描件：{}",
            format_date(obj.high_tech_obtained_on) or "日期未填写",
            attachment_link(obj.high_tech_certificate),
        )

    @admin.display(description="上市公司")
    def listed_display(self, obj: Institution) -> str:
        if not obj.is_listed:
            return _yes_no(obj.is_listed)
        return f"是，{obj.get_listed_market_display() or '市场未填写'}，股票代码 {obj.stock_code or '未填写'}"

    @admin.display(description="业务范围")
    def business_scope_display(self, obj: Institution) -> str:
        # A RichTextField: sanitised with nh3 on every save, as the workspace and portal render it.
        if not obj.business_scope:
            return "未填写"
        return format_html('<div class="rich-text">{}</div>', mark_safe(obj.business_scope))

    @admin.display(description="信息完整度")
    def completeness_detail(self, obj: Institution) -> str:
        missing = [item for item in completeness_items(institution=obj) if not item.done] if obj.pk else []
        if not missing:
            return f"{obj.completeness}%（各检查项均已完成）"
        return format_html(
            "{}%；未完成：{}",
            obj.completeness,
            "、".join(f"{item.title}（{item.weight}分）" for item in missing),
        )

    @admin.display(description="信息确认")
    def confirmation_display(self, obj: Institution) -> str:
        if obj.info_confirmed_at is None:
            return "未确认"
        who = obj.info_confirmed_by
        by = f"{who.get_full_name()}（{who.phone}）" if who else "确认人已删除"
        return f"已确认：{by}，{format_datetime(obj.info_confirmed_at)}"

    @admin.display(description="检验检测能力")
    def capabilities_link(self, obj: Institution) -> str:
        if obj.pk is None:
            return "—"
        count = Capability.objects.filter(institution=obj).count()
        return format_html(
            '<a href="{}">查看能力附表（{} 条）</a>', changelist_url(Capability, institution=obj.pk), count
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.region_scope = getattr(request.user, "region_scope", None)
        return form

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        completeness_recalculate(institution_id=form.instance.pk)
