"""Admin pieces beside sujt.core.admin: an audit-trail history admin, city and district list filters and
the Excel exports (an action for the selected rows, a link for the whole filtered list)."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR, IncorrectLookupParameters
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.http import urlencode
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from .attachments import attachments_of
from .choices import RegionLevel
from .excel import MAX_DATA_ROWS, ExcelColumn, xlsx_export, xlsx_file_response
from .regions import CITIES, CITY_CHOICES, DISTRICTS, PROVINCE_CODE, city_code_of, districts_of, level_of
from .scoping import in_scope
from .views import private_file_response


class ReadableRecordContextHelper(HistoricalRecordContextHelper):
    """Formats a history row's changes as a regulator reads them: choice labels instead of stored codes,
    是/否 for booleans, "—" for nothing, rich text without its tags, and some fields masked (see
    HistoryAdmin.history_masked_fields)."""

    def __init__(self, *args: Any, masks: Mapping[str, Callable[[str], str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.masks = masks

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        mask = self.masks.get(change.field)
        if mask is not None:
            return mask(value) if value else value
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or getattr(value, "pk", 0) is None:
            return "—"
        if isinstance(value, bool):
            return "是" if value else "否"
        if getattr(field, "flatchoices", None) and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, str) and "<" in value:
            return strip_tags(value)
        return value


class HistoryAdmin(SimpleHistoryAdmin):
    """Use instead of SimpleHistoryAdmin (e.g. `class XAdmin(RegionScopedAdmin, HistoryAdmin)`).

    simple-history shows the history of any primary key, even one outside the admin's queryset, and
    saves a POSTed old version even when the revert button is hidden. Here the history pages exist only
    for objects in `get_queryset()` (a region scope applies: anything else is a 404), and a revert POST
    is refused while SIMPLE_HISTORY_REVERT_DISABLED is on.
    """

    # Field name -> mask, for personal data the change page masks too (e.g. an ID card number): the
    # history list shows every change's old and new value to whoever may view the object.
    history_masked_fields: Mapping[str, Callable[[str], str]] = {}

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> HistoricalRecordContextHelper:
        return ReadableRecordContextHelper(self.model, historical_record, masks=self.history_masked_fields)

    def _ensure_visible(self, request: HttpRequest, object_id: str) -> None:
        # get_object looks in get_queryset() and answers None for an id no key can be ("abc").
        try:
            obj = self.get_object(request, unquote(object_id))
        except OverflowError:  # SQLite cannot even bind an integer this large
            obj = None
        if obj is None:
            raise Http404("not in scope")

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        self._ensure_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._ensure_visible(request, object_id)
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied("revert is disabled: history is an audit trail")
        return super().history_form_view(request, object_id, version_id, extra_context)


class CityFilter(admin.SimpleListFilter):
    """设区市 filter on a region-code field; subclass with `field_path` (or use `city_filter()`).

    A city or district regulator is offered only their own city.
    """

    title = "所在城市"
    parameter_name = "city"
    field_path = "region_code"
    # A district chosen under one city means nothing under another: choosing a city drops it.
    dependent_parameters: Sequence[str] = ("district",)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        scope = getattr(request.user, "region_scope", None)
        if scope is None:
            return []
        if scope == PROVINCE_CODE:
            return list(CITY_CHOICES)
        return [(code, name) for code, name in CITY_CHOICES if code == city_code_of(scope)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value or value not in dict(CITY_CHOICES):
            return queryset
        return in_scope(queryset, value, self.field_path)

    def choices(self, changelist: Any) -> Any:
        drop = [self.parameter_name, *self.dependent_parameters]
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=drop),
            "display": "全部",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}, list(self.dependent_parameters)
                ),
                "display": title,
            }


def city_filter(field_path: str) -> type[CityFilter]:
    """A CityFilter on `field_path`, e.g. city_filter("institution__region_code")."""
    return type("CityFilter", (CityFilter,), {"field_path": field_path})


class DistrictFilter(admin.SimpleListFilter):
    """县（市、区） filter on a region-code field; subclass with `field_path` (or use `district_filter()`).

    A city regulator is offered their city's districts; the province the districts of the city chosen in
    the CityFilter (?city=, or the city of a ?district= linked to directly), none before one is chosen; a
    district regulator's list is their district already, so the filter is hidden for them.
    """

    title = "所在区县"
    parameter_name = "district"
    field_path = "region_code"
    city_parameter = CityFilter.parameter_name

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        scope = getattr(request.user, "region_scope", None)
        if scope is None or level_of(scope) == RegionLevel.DISTRICT:
            return []
        city = self._chosen_city(request) if scope == PROVINCE_CODE else city_code_of(scope)
        return list(districts_of(city).items()) if city else []

    def _chosen_city(self, request: HttpRequest) -> str:
        city = request.GET.get(self.city_parameter, "")
        if city in CITIES:
            return city
        value = self.value() or ""
        return city_code_of(value) if value in DISTRICTS else ""

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value or value not in DISTRICTS:
            return queryset
        # The region scope already bounds the queryset: another city's district simply matches nothing.
        return in_scope(queryset, value, self.field_path)


def district_filter(field_path: str) -> type[DistrictFilter]:
    """A DistrictFilter on `field_path`, e.g. district_filter("institution__region_code")."""
    return type("DistrictFilter", (DistrictFilter,), {"field_path": field_path})


def excel_export_max_rows() -> int:
    """The most rows the 导出 Excel（当前筛选结果） link writes (setting ADMIN_EXCEL_EXPORT_MAX_ROWS): a
    bound on one request's time, far below a sheet's own limit: the widest export (institutions, 29
    columns) writes about 5,000 rows in 8 s on SQLite, so 20,000 rows stay within a worker's timeout."""
    return min(getattr(settings, "ADMIN_EXCEL_EXPORT_MAX_ROWS", 20_000), MAX_DATA_ROWS)


class ExcelExportAdminMixin:
    """Excel exports for a ModelAdmin that declares `excel_columns`:

        class InstitutionAdmin(ExcelExportAdminMixin, RegionScopedAdmin, HistoryAdmin):
            excel_columns = [ExcelColumn("名称", "name"), ExcelColumn("状态", "get_status_display")]

    - the action 导出所选为 Excel: the selected rows (or, with "select all", the filtered list);
    - the link 导出 Excel（当前筛选结果） above the list: a GET of `<changelist>/export-xlsx/` with the list's
      query string, which builds the same ChangeList (filters, search, ordering) and writes all its rows,
      not one page, up to excel_export_max_rows(); the file is built in a temporary file and sent from it
      (sujt.core.excel.xlsx_file_response).

    Put it first among the bases. Both read the admin's own queryset, so a region scope applies to them as
    to the list. An export is a read: whoever may view the list may export it. Rows are read in chunks
    (`.iterator(chunk_size=2000)`); name foreign keys the columns follow in `excel_select_related`, or
    override `get_excel_queryset` to prefetch what they read, so the query count does not grow with rows.
    """

    excel_columns: Sequence[ExcelColumn] = ()
    excel_select_related: Sequence[str] = ()
    # Sheet title and file name; the model's verbose_name_plural when empty.
    excel_title: str = ""
    # The change list with the export link, unless the admin or a model-specific template names another.
    excel_change_list_template = "core/admin/excel_change_list.html"

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if (
            self.actions is None
            or IS_POPUP_VAR in request.GET
            or not self.excel_columns
            or not self.has_view_permission(request)
        ):
            return actions
        func, name, description = self.get_action("export_xlsx")
        actions[name] = (func, name, description)
        return actions

    def get_excel_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.excel_select_related:
            queryset = queryset.select_related(*self.excel_select_related)
        return queryset

    def _excel_title(self) -> str:
        return self.excel_title or str(self.model._meta.verbose_name_plural)

    def _excel_filename(self) -> str:
        return f"{self._excel_title()}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"

    @admin.action(description="导出所选为 Excel")
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if queryset.count() > MAX_DATA_ROWS:
            self.message_user(
                request,
                f"所选记录超过 Excel 单表上限（{MAX_DATA_ROWS:,} 行），请缩小筛选范围后再导出。",
                messages.ERROR,
            )
            return None
        return xlsx_export(
            filename=self._excel_filename(),
            sheet_title=self._excel_title(),
            columns=self.excel_columns,
            objects=self.get_excel_queryset(request, queryset),
        )

    # --- the whole filtered list --------------------------------------------------------------------

    def _excel_url_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_export_xlsx"

    def get_urls(self) -> list:
        urls = super().get_urls()
        if not self.excel_columns:
            return urls
        # Before the model admin's own patterns: "<path:object_id>/" would take "export-xlsx/".
        view = self.admin_site.admin_view(self.export_list_view)
        return [path("export-xlsx/", view, name=self._excel_url_name()), *urls]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        show = (
            bool(self.excel_columns) and IS_POPUP_VAR not in request.GET and self.has_view_permission(request)
        )
        if show:
            url = reverse(f"{self.admin_site.name}:{self._excel_url_name()}")
            query = request.GET.copy()
            for name in (PAGE_VAR, ERROR_FLAG):
                query.pop(name, None)
            extra_context = {
                **(extra_context or {}),
                "excel_export_url": f"{url}?{query.urlencode()}" if query else url,
                "excel_export_max_rows": excel_export_max_rows(),
            }
        response = super().changelist_view(request, extra_context)
        opts = self.model._meta
        default = [
            f"admin/{opts.app_label}/{opts.model_name}/change_list.html",
            f"admin/{opts.app_label}/change_list.html",
            "admin/change_list.html",
        ]
        # Only the list itself: an action may answer with its own page (a confirmation) through this
        # view. Django's per-model override lookup is kept; only the generic fallback gains the link.
        if show and isinstance(response, TemplateResponse) and response.template_name == default:
            response.template_name = [*default[:-1], self.excel_change_list_template]
        return response

    def export_list_view(self, request: HttpRequest) -> HttpResponse:
        """GET <changelist>/export-xlsx/?<the list's query>: every row of that list as an .xlsx file."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        if not self.excel_columns or not self.has_view_permission(request):
            raise PermissionDenied
        changelist_url = reverse(
            f"{self.admin_site.name}:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"
        )
        query = request.GET.copy()
        # The export is the whole list, not the page the link was on (a page past the end would also be
        # refused by the ChangeList).
        for name in (PAGE_VAR, ERROR_FLAG):
            query.pop(name, None)
        request.GET = query
        back = f"{changelist_url}?{query.urlencode()}" if query else changelist_url
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(f"{changelist_url}?{urlencode({ERROR_FLAG: '1'})}")
        limit = excel_export_max_rows()
        # result_count is the filtered list's count the ChangeList has just taken: no query of our own.
        if changelist.result_count > limit:
            self.message_user(
                request,
                f"当前筛选结果共 {changelist.result_count:,} 条，超过单次导出上限 {limit:,} 条，"
                "请增加筛选条件后再导出。",
                messages.ERROR,
            )
            return HttpResponseRedirect(back)
        return xlsx_file_response(
            filename=self._excel_filename(),
            sheet_title=self._excel_title(),
            columns=self.excel_columns,
            objects=self.get_excel_queryset(request, changelist.queryset),
        )


class PrivateFilesAdminMixin:
    """Serves the private attachments of an admin's objects from the admin itself, to whom the admin lists
    the object: `<change url>/<files_url_segment>/<attachment id>/`, named
    `<app>_<model>_<files_url_name>`. An object outside the user's list (another region's, a draft a
    review queue hides) and an attachment not among `files_of(obj)` are a 404; a user who may not view
    the model, a 403. For files that are never public (rectification evidence, credit and center
    applications): core's generic download refuses them."""

    files_url_segment = "files"
    files_url_name = "file"

    def files_of(self, obj: Any) -> QuerySet:
        """The attachments this admin serves for `obj` (all of them by default)."""
        return attachments_of(obj)

    def file_url(self, obj: Any, attachment: Any) -> str:
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{self.files_url_name}", args=[obj.pk, attachment.pk]
        )

    def get_urls(self) -> list:
        opts = self.model._meta
        return [
            path(
                f"<int:pk>/{self.files_url_segment}/<int:file>/",
                self.admin_site.admin_view(self.private_file_view),
                name=f"{opts.app_label}_{opts.model_name}_{self.files_url_name}",
            ),
            *super().get_urls(),
        ]

    def private_file_view(self, request: HttpRequest, pk: int, file: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            obj = self.get_queryset(request).get(pk=pk)
            attachment = self.files_of(obj).get(pk=file)
        except ObjectDoesNotExist as missing:
            raise Http404("no such file here") from missing
        return private_file_response(attachment)
