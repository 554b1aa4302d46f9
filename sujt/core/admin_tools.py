"""Admin pieces beside sujt.core.admin: an audit-trail history admin, a city list filter and an Excel
export action."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from .excel import MAX_DATA_ROWS, ExcelColumn, xlsx_export
from .regions import CITY_CHOICES, PROVINCE_CODE, city_code_of
from .scoping import in_scope


class MaskingRecordContextHelper(HistoricalRecordContextHelper):
    """Formats a history row's changes with some fields masked (see HistoryAdmin.history_masked_fields)."""

    def __init__(self, *args: Any, masks: Mapping[str, Callable[[str], str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.masks = masks

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        mask = self.masks.get(change.field)
        if mask is not None:
            return mask(value) if value else value
        return super().prepare_delta_change_value(change, value)


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
        if not self.history_masked_fields:
            return super().get_historical_record_context_helper(request, historical_record)
        return MaskingRecordContextHelper(self.model, historical_record, masks=self.history_masked_fields)

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


def city_filter(field_path: str) -> type[CityFilter]:
    """A CityFilter on `field_path`, e.g. city_filter("institution__region_code")."""
    return type("CityFilter", (CityFilter,), {"field_path": field_path})


class ExcelExportAdminMixin:
    """Adds the action 导出所选为 Excel to a ModelAdmin that declares `excel_columns`.

        class InstitutionAdmin(ExcelExportAdminMixin, RegionScopedAdmin, HistoryAdmin):
            excel_columns = [ExcelColumn("名称", "name"), ExcelColumn("状态", "get_status_display")]

    Put it first among the bases. The export covers the selected rows (or, with "select all", the whole
    filtered list) of the admin's own queryset, so a region scope applies to it as to the list. It is a
    read: whoever may view the list may export it. Rows are read in chunks (`.iterator(chunk_size=2000)`);
    name foreign keys the columns follow in `excel_select_related`.
    """

    excel_columns: Sequence[ExcelColumn] = ()
    excel_select_related: Sequence[str] = ()
    # Sheet title and file name; the model's verbose_name_plural when empty.
    excel_title: str = ""

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
        title = self.excel_title or str(self.model._meta.verbose_name_plural)
        return xlsx_export(
            filename=f"{title}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx",
            sheet_title=title,
            columns=self.excel_columns,
            objects=self.get_excel_queryset(request, queryset),
        )
