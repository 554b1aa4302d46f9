"""The workspace lists of module 02, declared on sujt.core.lists: the six qualification lists (synced from
the approval system, read-only) and the three kinds of intellectual property.

Their pages and Excel exports are the core's generic views (views/qualification.py and views/ip.py
register them under the URLs they always had). Titles come from the sections registry (sections.py).
"""

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import django_filters
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from sujt.accounts.decorators import institution_required
from sujt.core.dates import format_date
from sujt.core.lists import (
    Column,
    ConditionFilter,
    ListFilterSet,
    OptionFilter,
    SearchFilter,
    WorkspaceList,
)

from .choices import CertificateStatus, Education, PatentType, SiteTenure, SiteType, Traceability
from .forms.ip import IP_KINDS
from .sections import SECTIONS_BY_KEY, Section
from .selectors import confirmation as confirmation_selectors
from .selectors import qualification as selectors
from .selectors.ip import IP_SEARCH_FIELDS, ip_of
from .views.tabs import profile_tabs

QUALIFICATION_TEMPLATE = "institutions/qualification/list.html"
SYNCED_HINT = "这些数据由资质认定审批系统同步，同步后将显示在这里。"

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
# Row colours of a flagged state (text says it too: the status column's badge).
ROW_CLASSES = {"expired": "row-expired", "expiring": "row-warning", "soon": "row-warning"}


def _with_state(rows: Iterable, name: str, state_of: Callable[..., str], labels: dict[str, str]) -> list:
    """Sets `<name>_state` (state_of(row, today=…), as of one today for the whole page) and
    `<name>_label` on each row: the flags the table colours and the export writes out."""
    today = timezone.localdate()
    rows = list(rows)
    for row in rows:
        state = state_of(row, today=today)
        setattr(row, f"{name}_state", state)
        setattr(row, f"{name}_label", labels.get(state, ""))
    return rows


def _date(key: str, header: str) -> Column:
    """A date column, kept on one line and sortable."""
    return Column(key, header, css="nowrap", sort=key)


def _status(key: str, header: str, template: str, *, export_value: str, one_line: bool = True) -> Column:
    """A status column: badges (institutions/qualification/includes/<template>), their label in the
    export. `one_line=False` lets two badges stack instead of widening the table."""
    return Column(
        key,
        header,
        template=f"institutions/qualification/includes/{template}",
        export_value=export_value,
        essential=one_line,
    )


# The site a capability, an instrument or a signatory belongs to.
SITE_COLUMN = Column("site", "检验检测场所", value="site.name")


def _institution_id(request: HttpRequest | None) -> int:
    return request.institution.pk  # type: ignore[union-attr]


def _rows_of(section: Section):
    return lambda request: section.selector(institution_id=_institution_id(request))


def _tabs(key: str):
    return lambda request, filterset: {"tabs": profile_tabs(key)}


def _site_options(request: HttpRequest | None) -> list[tuple[int, str]]:
    return selectors.site_choices(institution_id=_institution_id(request))


def _site_filter() -> OptionFilter:
    return OptionFilter(
        "site_id", options=_site_options, integer=True, label="检验检测场所", empty_label="全部场所"
    )


# Every list of 02 is for members holding manage_profile, in the module's tabs.
profile_list = partial(WorkspaceList, permission="manage_profile", access=institution_required)


def synced_list(key: str, **declaration: Any) -> WorkspaceList:
    """A read-only list of synced data: the section's title and rows, the module's tabs and notice."""
    section = SECTIONS_BY_KEY[key]
    declaration.setdefault("empty_text", f"暂无{section.title}")
    return profile_list(
        key=key,
        title=section.title,
        selector=_rows_of(section),
        template=QUALIFICATION_TEMPLATE,
        empty_hint=SYNCED_HINT,
        extra_context=_tabs(key),
        **declaration,
    )


# --- Certificates --------------------------------------------------------------------------------


class CertificateFilter(ListFilterSet):
    q = SearchFilter(fields=("number",), label="证书编号", attrs={"inputmode": "numeric"})
    status = django_filters.ChoiceFilter(
        choices=CertificateStatus.choices, label="状态", empty_label="全部状态"
    )
    expiry = ConditionFilter(
        choices=list(selectors.CERTIFICATE_EXPIRY_FILTERS.items()),
        condition=selectors.certificate_expiry_q,
        label="到期情况",
        empty_label="全部",
    )


def with_expiry_state(request: HttpRequest | None, certificates: Iterable) -> list:
    """The rows with `expiry_state` and `expiry_label` (the list's flags, the export's 到期提示)."""
    return _with_state(certificates, "expiry", selectors.certificate_expiry_state, EXPIRY_LABELS)


CERTIFICATES = synced_list(
    "certificates",
    filterset=CertificateFilter,
    empty_text="暂无资质认定证书",
    columns=[
        Column(
            "number",
            "证书编号",
            css="mono",
            link=lambda c: reverse("institutions:certificate_detail", args=[c.pk]),
        ),
        Column("authority_name", "发证机关"),
        Column("field_code", "检验检测领域", value="get_field_code_display"),
        Column("department_name", "行业主管部门"),
        _date("issued_on", "发证日期"),
        _date("expires_on", "有效期至"),
        # 有效 and "3个月内到期，请及时申请延续" side by side would push the table past 1366 px.
        _status(
            "status", "状态", "certificate_status.html", export_value="get_status_display", one_line=False
        ),
        Column("scan", "证书扫描件", template="institutions/qualification/includes/scan_link.html"),
        Column("expiry_label", "到期提示", table=False),
    ],
    prepare_rows=with_expiry_state,
    row_class=lambda c: ROW_CLASSES.get(c.expiry_state, ""),
    note=f"资质认定证书有效期为6年，延续申请应至少在有效期届满前{selectors.RENEWAL_MONTHS}个月提出。",
    caption="资质认定证书列表",
)


# --- Sites ---------------------------------------------------------------------------------------


class SiteFilter(ListFilterSet):
    q = SearchFilter(fields=("name", "address"), label="场所名称或地址")
    site_type = django_filters.ChoiceFilter(
        choices=SiteType.choices, label="场所类型", empty_label="全部类型"
    )
    tenure = django_filters.ChoiceFilter(choices=SiteTenure.choices, label="产权", empty_label="全部")


SITES = synced_list(
    "sites",
    filterset=SiteFilter,
    columns=[
        Column("name", "场所名称", sort="name"),
        Column("address", "场所地址", wrap=True),
        Column("site_type", "场所类型", value="get_site_type_display"),
        Column("area", "面积（平方米）"),
        Column("tenure", "产权", value="get_tenure_display"),
    ],
    row_actions="institutions/qualification/includes/site_links.html",
    row_actions_header="相关数据",
)


# --- Capabilities --------------------------------------------------------------------------------


class CapabilityFilter(ListFilterSet):
    q = SearchFilter(
        fields=lambda filterset: selectors.capability_search_fields(
            filterset.form.cleaned_data.get("scope", "")
        ),
        label="检索内容",
        attrs={"placeholder": "如 铅、GB 5009.12"},
    )
    # Where `q` looks; no filter of its own.
    scope = django_filters.ChoiceFilter(
        choices=list(selectors.CAPABILITY_SEARCH_SCOPES.items()),
        label="检索范围",
        empty_label=None,
        method=lambda queryset, name, value: queryset,
    )
    certificate = OptionFilter(
        "certificate_id",
        options=lambda request: selectors.certificate_choices(institution_id=_institution_id(request)),
        integer=True,
        label="资质证书",
        empty_label="全部证书",
    )
    category = OptionFilter(
        "category",
        options=lambda request: selectors.capability_categories(institution_id=_institution_id(request)),
        label="类别",
        empty_label="全部类别",
    )
    site = _site_filter()


# The capability schedule's own columns (能力附表, DESIGN §7), after the certificate it belongs to.
CAPABILITIES = synced_list(
    "capabilities",
    filterset=CapabilityFilter,
    # May hold 20,000 rows: only the current page is read, 50 rows a page, in the indexed schedule
    # order (no sortable column: any other order would sort every row).
    page_size=50,
    columns=[
        Column("certificate", "证书编号", value="certificate.number", css="mono"),
        Column("seq", "序号"),
        Column("category", "类别"),
        Column("item", "产品/项目/参数", wrap=True, export_width=30),
        Column("standard", "依据的标准（方法）名称及编号（含年号）", wrap=True, export_width=45),
        Column("limitation", "限制范围", wrap=True, export_width=24),
        Column("note", "说明", wrap=True, export_width=24),
        SITE_COLUMN,
    ],
    caption="检验检测能力附表",
    table_css="table-compact",
)


# --- Equipment -----------------------------------------------------------------------------------


class EquipmentFilter(ListFilterSet):
    q = SearchFilter(fields=("name", "model_spec", "measuring_range"), label="设备名称、型号或测量范围")
    calibration = ConditionFilter(
        choices=list(selectors.CALIBRATION_FILTERS.items()),
        condition=selectors.calibration_q,
        label="检定/校准状态",
        empty_label="全部",
    )
    traceability = django_filters.ChoiceFilter(
        choices=Traceability.choices, label="溯源方式", empty_label="全部"
    )
    site = _site_filter()


def with_calibration_state(request: HttpRequest | None, equipment: Iterable) -> list:
    return _with_state(equipment, "calibration", selectors.calibration_state, CALIBRATION_LABELS)


EQUIPMENT = synced_list(
    "equipment",
    filterset=EquipmentFilter,
    columns=[
        Column("name", "设备名称", sort="name"),
        Column("model_spec", "型号/规格"),
        Column("measuring_range", "测量范围", wrap=True),
        Column("traceability", "溯源方式", value="get_traceability_display"),
        _date("valid_until", "检定/校准有效期至"),
        _status("calibration", "检定/校准状态", "calibration_status.html", export_value="calibration_label"),
        SITE_COLUMN,
    ],
    prepare_rows=with_calibration_state,
    row_class=lambda item: ROW_CLASSES.get(item.calibration_state, ""),
    note=(
        f"“有效”指检定/校准有效期在{selectors.CALIBRATION_SOON_DAYS}天以后；已过期的设备以红色标出，"
        f"{selectors.CALIBRATION_SOON_DAYS}天内到期的以黄色标出。"
    ),
)


# --- Signatories and personnel -------------------------------------------------------------------


class SignatoryFilter(ListFilterSet):
    q = SearchFilter(fields=("name", "authorised_fields"), label="姓名或授权签字领域")
    site = _site_filter()


SIGNATORIES = synced_list(
    "signatories",
    filterset=SignatoryFilter,
    columns=[
        Column("name", "姓名", sort="name"),
        Column("title", "职称"),
        Column("authorised_fields", "授权签字领域", wrap=True, export_width=45),
        SITE_COLUMN,
    ],
)


class PersonnelFilter(ListFilterSet):
    q = SearchFilter(fields=("name", "title", "position", "major"), label="姓名、职称、岗位或专业")
    education = django_filters.ChoiceFilter(choices=Education.choices, label="学历", empty_label="全部学历")
    department = OptionFilter(
        "department",
        options=lambda request: selectors.personnel_departments(institution_id=_institution_id(request)),
        label="所在部门",
        empty_label="全部部门",
    )


def _years(person: Any) -> str | None:
    return None if person.years_in_field is None else f"{person.years_in_field} 年"


PERSONNEL = synced_list(
    "personnel",
    filterset=PersonnelFilter,
    columns=[
        Column("name", "姓名", sort="name"),
        Column("gender", "性别", value="get_gender_display"),
        Column("birth_year", "出生年份"),
        Column("education", "学历", value="get_education_display"),
        Column("title", "职称"),
        Column("position", "岗位"),
        Column("major", "所学专业"),
        Column("years_in_field", "从事本领域年限", value=_years, export_value="years_in_field"),
        Column("department", "所在部门", sort=("department", "name")),
    ],
)

QUALIFICATION_LISTS: tuple[WorkspaceList, ...] = (
    CERTIFICATES,
    SITES,
    CAPABILITIES,
    EQUIPMENT,
    SIGNATORIES,
    PERSONNEL,
)


# --- Intellectual property -----------------------------------------------------------------------


def _ip_search(kind: str) -> SearchFilter:
    return SearchFilter(fields=IP_SEARCH_FIELDS[kind], label="名称或编号")


class CopyrightFilter(ListFilterSet):
    q = _ip_search("copyright")


class PatentFilter(ListFilterSet):
    q = _ip_search("patent")
    patent_type = django_filters.ChoiceFilter(
        choices=PatentType.choices, label="专利类型", empty_label="全部类型"
    )


class TrademarkFilter(ListFilterSet):
    q = _ip_search("trademark")


def _validity(trademark: Any) -> str:
    return f"{format_date(trademark.valid_from)} 至 {format_date(trademark.valid_until)}"


IP_COLUMNS: dict[str, list[Column]] = {
    "copyright": [
        Column("name", "软件名称", wrap=True),
        Column("registration_number", "登记号", css="mono"),
        Column("version", "版本号"),
        _date("registered_on", "登记日期"),
    ],
    "patent": [
        Column("name", "专利名称", wrap=True),
        Column("patent_type", "专利类型", value="get_patent_type_display"),
        Column("patent_number", "专利号", css="mono"),
        _date("applied_on", "申请日"),
        _date("granted_on", "授权公告日"),
        Column("inventors", "发明人", wrap=True),
    ],
    "trademark": [
        Column("name", "商标名称", wrap=True),
        Column("registration_number", "注册号", css="mono"),
        Column("nice_class", "国际分类", value=lambda t: f"第 {t.nice_class} 类"),
        Column("valid_until", "专用权期限", value=_validity, css="nowrap", sort="valid_until"),
    ],
}
IP_FILTERS: dict[str, type[ListFilterSet]] = {
    "copyright": CopyrightFilter,
    "patent": PatentFilter,
    "trademark": TrademarkFilter,
}


def _ip_list(kind: str) -> WorkspaceList:
    spec = IP_KINDS[kind]
    return profile_list(
        key=kind,
        title=spec.title,
        selector=lambda request: ip_of(institution_id=_institution_id(request), kind=kind),
        filterset=IP_FILTERS[kind],
        columns=IP_COLUMNS[kind],
        row_actions="institutions/ip/includes/row_actions.html",
        keep_params=("kind",),
        item_name=spec.title,
        empty_text=f"尚未登记{spec.title}",
        empty_hint="点击“新增”逐条填写，或下载导入模板批量导入。",
        template="institutions/ip/list.html",
        # The import template's columns, so that an export reads back in.
        export_columns=[column.export_column() for column in spec.columns],
    )


IP_LISTS: dict[str, WorkspaceList] = {kind: _ip_list(kind) for kind in IP_KINDS}


# --- Error reports (确认机构信息 → 错误报告) ----------------------------------------------------------


class ErrorReportFilter(ListFilterSet):
    q = SearchFilter(fields=("item_label", "description"), label="有误的信息或说明")
    status = django_filters.ChoiceFilter(
        choices=confirmation_selectors.REPORT_STATUS_CHOICES, label="状态", empty_label="全部状态"
    )


REPORT_CELLS = "institutions/confirm/includes"


def _comment_preview(report: Any) -> str:
    return Truncator(report.review_comment).chars(60)


ERROR_REPORTS = profile_list(
    key="error_reports",
    title="错误报告",
    selector=lambda request: confirmation_selectors.error_reports_for(institution=request.institution),
    filterset=ErrorReportFilter,
    columns=[
        Column(
            "item", "有误的信息", template="institutions/confirm/includes/report_item_cell.html", wrap=True
        ),
        Column("submitted_at", "提交时间", css="nowrap"),
        Column(
            "status", "状态", template="institutions/confirm/includes/report_status_cell.html", essential=True
        ),
        Column("review_comment", "审核意见", value=_comment_preview, wrap=True),
    ],
    row_actions=f"{REPORT_CELLS}/report_row_actions.html",
    row_attrs=lambda report: {"data-report": report.pk},
    extra_context=_tabs("confirm"),
    export=False,
    empty_text="还没有提交过错误报告",
    empty_hint="在“确认机构信息”中核对同步的信息，发现有误时点击“报告错误”。",
    filtered_empty_text="没有符合条件的错误报告",
    caption="本机构提交的错误报告",
    count_noun="份",
    item_name="错误报告",
    template="institutions/confirm/report_list.html",
)
