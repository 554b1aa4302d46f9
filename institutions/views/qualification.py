"""Qualification data of the current institution (证书, 场所, 能力, 设备, 签字人, 人员): lists and exports.

Read-only for institution users: the qualification sync maintains these rows and regulators correct them
in admin, so there is no create, edit or delete here, and the list URLs answer only GET/HEAD (a forged
POST is a 405). Every list has search, filters, pagination, an empty state and an "导出 Excel" link that
exports the same filtered rows, all of them, streamed in chunks.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from sujt.accounts.decorators import institution_required
from sujt.core.excel import ExcelColumn, xlsx_export

from ..choices import CertificateStatus, Education, SiteTenure, SiteType, Traceability
from ..selectors import qualification as selectors
from .tabs import profile_tabs

PAGE_SIZE = 20
CAPABILITY_PAGE_SIZE = 50

CERTIFICATE_FILTERS = ("q", "status", "expiry")
SITE_FILTERS = ("q", "site_type", "tenure")
CAPABILITY_FILTERS = ("q", "scope", "certificate", "category", "site")
EQUIPMENT_FILTERS = ("q", "calibration", "traceability", "site")
SIGNATORY_FILTERS = ("q", "site")
PERSONNEL_FILTERS = ("q", "education", "department")

EXPIRY_LABELS = {
    "expired": "已过期",
    "expiring": f"{selectors.RENEWAL_MONTHS}个月内到期，请及时申请延续",
}
CALIBRATION_LABELS = {
    "expired": "已过期",
    "soon": f"{selectors.CALIBRATION_SOON_DAYS}天内到期",
    "valid": "有效",
    "none": "未填写",
}


def _filters(request: HttpRequest, names: Iterable[str]) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip()[: selectors.SEARCH_MAX_LENGTH] for name in names}


def _page(request: HttpRequest, queryset: QuerySet, size: int) -> Page:
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# List → (tab key, page title, empty-state text, export URL name).
LISTS = {
    "certificates": ("资质证书", "暂无资质认定证书", "certificate_export"),
    "sites": ("检验检测场所", "暂无检验检测场所", "site_export"),
    "capabilities": ("检验检测能力", "暂无检验检测能力", "capability_export"),
    "equipment": ("仪器设备", "暂无仪器设备", "equipment_export"),
    "signatories": ("授权签字人", "暂无授权签字人", "signatory_export"),
    "personnel": ("检验检测人员", "暂无检验检测人员", "personnel_export"),
}


def _list_context(*, tab: str, filters: dict[str, str], page: Page) -> dict[str, Any]:
    title, empty_text, export_name = LISTS[tab]
    active = {name: value for name, value in filters.items() if value}
    export_url = reverse(f"institutions:{export_name}")
    return {
        "title": title,
        "empty_text": empty_text,
        "tabs": profile_tabs(tab),
        "page": page,
        "rows": page.object_list,
        "filters": filters,
        "filtered": bool(active),
        "export_url": f"{export_url}?{urlencode(active)}" if active else export_url,
        **filters,
    }


def _export(
    request: HttpRequest, *, what: str, columns: Sequence[ExcelColumn], objects: QuerySet
) -> HttpResponse:
    return xlsx_export(
        filename=f"{request.institution.name}-{what}-{timezone.localdate():%Y%m%d}.xlsx",
        sheet_title=what,
        columns=columns,
        objects=objects,
    )


def read_only_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A workspace page of module 02 that only reads: GET/HEAD for members holding manage_profile."""
    return require_safe(institution_required("manage_profile")(view))


# --- Certificates --------------------------------------------------------------------------------


def _with_expiry_state(certificates: Iterable) -> list:
    today = timezone.localdate()
    rows = list(certificates)
    for certificate in rows:
        certificate.expiry_state = selectors.certificate_expiry_state(certificate, today=today)
        certificate.expiry_label = EXPIRY_LABELS.get(certificate.expiry_state, "")
    return rows


CERTIFICATE_COLUMNS = [
    ExcelColumn("证书编号", "number"),
    ExcelColumn("发证机关", "authority_name"),
    ExcelColumn("检验检测领域", "get_field_code_display"),
    ExcelColumn("行业主管部门", "department_name"),
    ExcelColumn("发证日期", "issued_on"),
    ExcelColumn("有效期至", "expires_on"),
    ExcelColumn("状态", "get_status_display"),
    ExcelColumn(
        "到期提示",
        lambda c: EXPIRY_LABELS.get(selectors.certificate_expiry_state(c), ""),
    ),
]


@read_only_view
def certificate_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request, CERTIFICATE_FILTERS)
    certificates = selectors.certificate_search(institution_id=request.institution.pk, **filters)
    page = _page(request, certificates, PAGE_SIZE)
    page.object_list = _with_expiry_state(page.object_list)
    context = _list_context(tab="certificates", filters=filters, page=page)
    context.update(
        status_choices=CertificateStatus.choices,
        expiry_choices=list(selectors.CERTIFICATE_EXPIRY_FILTERS.items()),
        renewal_months=selectors.RENEWAL_MONTHS,
    )
    return render(request, "institutions/qualification/certificate_list.html", context)


@read_only_view
def certificate_export(request: HttpRequest) -> HttpResponse:
    certificates = selectors.certificate_search(
        institution_id=request.institution.pk, **_filters(request, CERTIFICATE_FILTERS)
    )
    return _export(request, what="资质证书", columns=CERTIFICATE_COLUMNS, objects=certificates)


@read_only_view
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = selectors.certificate_get(institution_id=request.institution.pk, pk=pk)
    (certificate,) = _with_expiry_state([certificate])
    try:
        parsed = certificate.parsed
    except ValidationError:
        parsed = None
    capabilities_url = (
        reverse("institutions:capability_list") + "?" + urlencode({"certificate": certificate.pk})
    )
    return render(
        request,
        "institutions/qualification/certificate_detail.html",
        {
            "tabs": profile_tabs("certificates"),
            "certificate": certificate,
            "parsed": parsed,
            "capabilities_url": capabilities_url,
        },
    )


# --- Sites ---------------------------------------------------------------------------------------

SITE_COLUMNS = [
    ExcelColumn("场所名称", "name"),
    ExcelColumn("场所地址", "address"),
    ExcelColumn("场所类型", "get_site_type_display"),
    ExcelColumn("面积（平方米）", "area"),
    ExcelColumn("产权", "get_tenure_display"),
]


@read_only_view
def site_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request, SITE_FILTERS)
    page = _page(request, selectors.site_search(institution_id=request.institution.pk, **filters), PAGE_SIZE)
    context = _list_context(tab="sites", filters=filters, page=page)
    context.update(site_type_choices=SiteType.choices, tenure_choices=SiteTenure.choices)
    return render(request, "institutions/qualification/site_list.html", context)


@read_only_view
def site_export(request: HttpRequest) -> HttpResponse:
    sites = selectors.site_search(institution_id=request.institution.pk, **_filters(request, SITE_FILTERS))
    return _export(request, what="检验检测场所", columns=SITE_COLUMNS, objects=sites)


# --- Capabilities --------------------------------------------------------------------------------

# The capability schedule's own columns (能力附表, DESIGN §7), after the certificate it belongs to.
CAPABILITY_COLUMNS = [
    ExcelColumn("证书编号", "certificate.number"),
    ExcelColumn("序号", "seq"),
    ExcelColumn("类别", "category"),
    ExcelColumn("产品/项目/参数", "item", width=30),
    ExcelColumn("依据的标准（方法）名称及编号（含年号）", "standard", width=45),
    ExcelColumn("限制范围", "limitation", width=24),
    ExcelColumn("说明", "note", width=24),
    ExcelColumn("检验检测场所", "site.name"),
]


@read_only_view
def capability_list(request: HttpRequest) -> HttpResponse:
    institution_id = request.institution.pk
    filters = _filters(request, CAPABILITY_FILTERS)
    page = _page(
        request, selectors.capability_search(institution_id=institution_id, **filters), CAPABILITY_PAGE_SIZE
    )
    context = _list_context(tab="capabilities", filters=filters, page=page)
    context.update(
        scope_choices=list(selectors.CAPABILITY_SEARCH_SCOPES.items()),
        certificate_choices=selectors.certificate_choices(institution_id=institution_id),
        category_choices=selectors.capability_categories(institution_id=institution_id),
        site_choices=selectors.site_choices(institution_id=institution_id),
    )
    return render(request, "institutions/qualification/capability_list.html", context)


@read_only_view
def capability_export(request: HttpRequest) -> HttpResponse:
    capabilities = selectors.capability_search(
        institution_id=request.institution.pk, **_filters(request, CAPABILITY_FILTERS)
    )
    return _export(request, what="检验检测能力", columns=CAPABILITY_COLUMNS, objects=capabilities)


# --- Equipment -----------------------------------------------------------------------------------


def _with_calibration_state(equipment: Iterable) -> list:
    today = timezone.localdate()
    rows = list(equipment)
    for item in rows:
        item.calibration_state = selectors.calibration_state(item, today=today)
        item.calibration_label = CALIBRATION_LABELS[item.calibration_state]
    return rows


EQUIPMENT_COLUMNS = [
    ExcelColumn("设备名称", "name"),
    ExcelColumn("型号/规格", "model_spec"),
    ExcelColumn("测量范围", "measuring_range"),
    ExcelColumn("溯源方式", "get_traceability_display"),
    ExcelColumn("检定/校准有效期至", "valid_until"),
    ExcelColumn("检定/校准状态", lambda e: CALIBRATION_LABELS[selectors.calibration_state(e)]),
    ExcelColumn("检验检测场所", "site.name"),
]


@read_only_view
def equipment_list(request: HttpRequest) -> HttpResponse:
    institution_id = request.institution.pk
    filters = _filters(request, EQUIPMENT_FILTERS)
    page = _page(request, selectors.equipment_search(institution_id=institution_id, **filters), PAGE_SIZE)
    page.object_list = _with_calibration_state(page.object_list)
    context = _list_context(tab="equipment", filters=filters, page=page)
    context.update(
        calibration_choices=list(selectors.CALIBRATION_FILTERS.items()),
        traceability_choices=Traceability.choices,
        site_choices=selectors.site_choices(institution_id=institution_id),
        soon_days=selectors.CALIBRATION_SOON_DAYS,
    )
    return render(request, "institutions/qualification/equipment_list.html", context)


@read_only_view
def equipment_export(request: HttpRequest) -> HttpResponse:
    equipment = selectors.equipment_search(
        institution_id=request.institution.pk, **_filters(request, EQUIPMENT_FILTERS)
    )
    return _export(request, what="仪器设备", columns=EQUIPMENT_COLUMNS, objects=equipment)


# --- Signatories ---------------------------------------------------------------------------------

SIGNATORY_COLUMNS = [
    ExcelColumn("姓名", "name"),
    ExcelColumn("职称", "title"),
    ExcelColumn("授权签字领域", "authorised_fields", width=45),
    ExcelColumn("检验检测场所", "site.name"),
]


@read_only_view
def signatory_list(request: HttpRequest) -> HttpResponse:
    institution_id = request.institution.pk
    filters = _filters(request, SIGNATORY_FILTERS)
    page = _page(request, selectors.signatory_search(institution_id=institution_id, **filters), PAGE_SIZE)
    context = _list_context(tab="signatories", filters=filters, page=page)
    context.update(site_choices=selectors.site_choices(institution_id=institution_id))
    return render(request, "institutions/qualification/signatory_list.html", context)


@read_only_view
def signatory_export(request: HttpRequest) -> HttpResponse:
    signatories = selectors.signatory_search(
        institution_id=request.institution.pk, **_filters(request, SIGNATORY_FILTERS)
    )
    return _export(request, what="授权签字人", columns=SIGNATORY_COLUMNS, objects=signatories)


# --- Personnel -----------------------------------------------------------------------------------

PERSONNEL_COLUMNS = [
    ExcelColumn("姓名", "name"),
    ExcelColumn("性别", "get_gender_display"),
    ExcelColumn("出生年份", "birth_year"),
    ExcelColumn("学历", "get_education_display"),
    ExcelColumn("职称", "title"),
    ExcelColumn("岗位", "position"),
    ExcelColumn("所学专业", "major"),
    ExcelColumn("从事本领域年限", "years_in_field"),
    ExcelColumn("所在部门", "department"),
]


@read_only_view
def personnel_list(request: HttpRequest) -> HttpResponse:
    institution_id = request.institution.pk
    filters = _filters(request, PERSONNEL_FILTERS)
    page = _page(request, selectors.personnel_search(institution_id=institution_id, **filters), PAGE_SIZE)
    context = _list_context(tab="personnel", filters=filters, page=page)
    context.update(
        education_choices=Education.choices,
        department_choices=selectors.personnel_departments(institution_id=institution_id),
    )
    return render(request, "institutions/qualification/personnel_list.html", context)


@read_only_view
def personnel_export(request: HttpRequest) -> HttpResponse:
    personnel = selectors.personnel_search(
        institution_id=request.institution.pk, **_filters(request, PERSONNEL_FILTERS)
    )
    return _export(request, what="检验检测人员", columns=PERSONNEL_COLUMNS, objects=personnel)


urlpatterns = [
    path("profile/certificates/", certificate_list, name="certificate_list"),
    path("profile/certificates/export/", certificate_export, name="certificate_export"),
    path("profile/certificates/<int:pk>/", certificate_detail, name="certificate_detail"),
    path("profile/sites/", site_list, name="site_list"),
    path("profile/sites/export/", site_export, name="site_export"),
    path("profile/capabilities/", capability_list, name="capability_list"),
    path("profile/capabilities/export/", capability_export, name="capability_export"),
    path("profile/equipment/", equipment_list, name="equipment_list"),
    path("profile/equipment/export/", equipment_export, name="equipment_export"),
    path("profile/signatories/", signatory_list, name="signatory_list"),
    path("profile/signatories/export/", signatory_export, name="signatory_export"),
    path("profile/personnel/", personnel_list, name="personnel_list"),
    path("profile/personnel/export/", personnel_export, name="personnel_export"),
]
