"""信用承诺书 for regulators: the letters of their region (read-only, with the file, by year and city, Excel),
and who has not uploaded a year's letter (未上传的机构, with Excel), to chase before the deadline and to
check K01 against after it."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from institutions.admin import InstitutionCityFilter
from institutions.models import Institution
from sujt.core.admin import RegionScopedAdmin
from sujt.core.admin_tools import ExcelExportAdminMixin, HistoryAdmin, district_filter
from sujt.core.excel import ExcelColumn, xlsx_file_response
from sujt.core.regions import CITY_CHOICES, PROVINCE_CODE, city_code_of, region_name
from sujt.core.scoping import in_scope, regulator_scoped
from sujt.core.views import private_file_response

from ..letters import REGION_FIELD, commitment_due, letter_file, letters_missing
from ..models import CommitmentLetter

MISSING_PAGE_SIZE = 50
# Years offered on 未上传的机构: this one and the four before (a letter is kept per year).
MISSING_YEARS = 5


def on_time(letter: CommitmentLetter) -> bool:
    return timezone.localdate(letter.created_at) <= commitment_due(year=letter.year)


MISSING_COLUMNS = [
    ExcelColumn("机构名称", "name", width=36),
    ExcelColumn("统一社会信用代码", "uscc", width=22),
    ExcelColumn("所在地区", lambda institution: region_name(institution.region_code)),
    ExcelColumn("联系人", "contact_person"),
    ExcelColumn("联系电话", "contact_phone"),
    ExcelColumn("机构电话", "phone"),
]


@admin.register(CommitmentLetter)
class CommitmentLetterAdmin(ExcelExportAdminMixin, RegionScopedAdmin, HistoryAdmin):
    """The letters institutions uploaded, read-only: regulators read them and download the files; the
    institution alone uploads (the workspace)."""

    region_field = REGION_FIELD
    list_display = [
        "institution",
        "region",
        "year",
        "file_link",
        "on_time_label",
        "first_uploaded",
        "last_uploaded",
    ]
    list_filter = ["year", InstitutionCityFilter, district_filter(REGION_FIELD)]
    search_fields = ["institution__name", "institution__uscc"]
    list_select_related = ["institution"]
    ordering = ["-year", "institution__name"]
    fields = [
        "institution",
        "year",
        "file_link",
        "on_time_label",
        "uploaded_by",
        "first_uploaded",
        "last_uploaded",
    ]
    readonly_fields = fields
    excel_columns = [
        ExcelColumn("机构名称", "institution.name", width=36),
        ExcelColumn("统一社会信用代码", "institution.uscc", width=22),
        ExcelColumn("所在地区", lambda letter: region_name(letter.institution.region_code)),
        ExcelColumn("年度", "year"),
        ExcelColumn("是否按期", lambda letter: "按期" if on_time(letter) else "逾期"),
        ExcelColumn("首次上传时间", "created_at"),
        ExcelColumn("最近上传时间", "updated_at"),
    ]
    excel_select_related = ["institution"]

    @admin.display(description=_("所在地区"))
    def region(self, obj: CommitmentLetter) -> str:
        return region_name(obj.institution.region_code)

    @admin.display(description=_("文件"))
    def file_link(self, obj: CommitmentLetter) -> str:
        # A link by the letter's id: the list needs no query per row to name the file.
        return format_html(
            '<a href="{}">下载</a>', reverse("admin:credit_commitmentletter_file", args=[obj.pk])
        )

    @admin.display(description=_("是否按期"))
    def on_time_label(self, obj: CommitmentLetter) -> str:
        return "按期上传" if on_time(obj) else "逾期上传"

    @admin.display(description=_("首次上传"), ordering="created_at")
    def first_uploaded(self, obj: CommitmentLetter) -> Any:
        return obj.created_at

    @admin.display(description=_("最近上传"), ordering="updated_at")
    def last_uploaded(self, obj: CommitmentLetter) -> Any:
        return obj.updated_at

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "missing_url": reverse("admin:credit_commitmentletter_missing"),
        }
        return super().changelist_view(request, extra_context)

    # --- the file, 未上传的机构 -------------------------------------------------------------------------

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("missing/", wrap(self.missing_view), name="credit_commitmentletter_missing"),
            path(
                "missing/export-xlsx/",
                wrap(self.missing_export_view),
                name="credit_commitmentletter_missing_export",
            ),
            path("<int:pk>/file/", wrap(self.file_view), name="credit_commitmentletter_file"),
            *super().get_urls(),
        ]

    def file_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """A letter's file, to who admin lists the letter to (outside their region: 404)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(self.get_queryset(request), pk=pk)
        return private_file_response(letter_file(letter=letter))

    def _missing(self, request: HttpRequest) -> tuple[int, str, QuerySet[Institution]]:
        """The year and city asked for, and the institutions in the regulator's region, module 05 applies
        to, without that year's letter."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        this_year = timezone.localdate().year
        year = request.GET.get("year", "")
        year = (
            int(year) if year.isdigit() and this_year - MISSING_YEARS < int(year) <= this_year else this_year
        )
        institutions = regulator_scoped(
            letters_missing(year=year), user=request.user, region_field="region_code"
        )
        city = request.GET.get("city", "")
        if city in dict(self._cities(request)):
            institutions = in_scope(institutions, city, "region_code")
        else:
            city = ""
        return year, city, institutions.order_by("region_code", "name")

    def _cities(self, request: HttpRequest) -> list[tuple[str, str]]:
        scope = getattr(request.user, "region_scope", None)
        if scope == PROVINCE_CODE:
            return list(CITY_CHOICES)
        return [(code, name) for code, name in CITY_CHOICES if scope and code == city_code_of(scope)]

    def missing_view(self, request: HttpRequest) -> HttpResponse:
        year, city, institutions = self._missing(request)
        page = Paginator(institutions, MISSING_PAGE_SIZE).get_page(request.GET.get("p"))
        query = {"year": year, **({"city": city} if city else {})}
        this_year = timezone.localdate().year
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{year} 年度未上传信用承诺书的机构",
            "year": year,
            "city": city,
            "years": list(range(this_year, this_year - MISSING_YEARS, -1)),
            "cities": self._cities(request),
            "due_on": commitment_due(year=year),
            "past_due": timezone.localdate() > commitment_due(year=year),
            "page": page,
            "rows": [(institution, region_name(institution.region_code)) for institution in page.object_list],
            "export_url": f"{reverse('admin:credit_commitmentletter_missing_export')}?{urlencode(query)}",
            "query": urlencode(query),
        }
        return TemplateResponse(request, "admin/credit/commitmentletter/missing.html", context)

    def missing_export_view(self, request: HttpRequest) -> FileResponse:
        year, _city, institutions = self._missing(request)
        return xlsx_file_response(
            filename=f"{year}年度未上传信用承诺书的机构-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx",
            sheet_title=f"{year}年度未上传信用承诺书",
            columns=MISSING_COLUMNS,
            objects=institutions.iterator(chunk_size=2000),
        )
