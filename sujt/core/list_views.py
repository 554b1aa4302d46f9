"""The one list page and the one Excel export that serve every `WorkspaceList` (sujt.core.lists).

    urlpatterns = [*list_urls(SITES, path="profile/sites/", name="site_list", export_name="site_export")]

gives GET/HEAD-only views (a forged POST is a 405) behind the list's access guard. A page that shows
more than one list, or adds to it, calls `list_response(request, spec, ...)` from its own view.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from .excel import xlsx_export
from .lists import (
    SORT_PARAM,
    Column,
    ListQuery,
    View,
    WorkspaceList,
    display,
    list_query,
    prepared_rows,
    query_string,
)

# --- The table, ready for templates/includes/list_table.html ------------------------------------


@dataclass(frozen=True)
class Header:
    text: str
    classes: str
    url: str = ""  # set when sortable: the link that sorts by this column (toggling the direction)
    direction: str = ""  # "ascending" / "descending" when the rows are sorted by this column


@dataclass(frozen=True)
class Cell:
    text: str
    value: Any
    classes: str
    template: str = ""
    link: str = ""


@dataclass(frozen=True)
class Row:
    object: Any
    classes: str
    attrs: SafeString
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[Header]
    rows: list[Row]


def _header(column: Column, query: ListQuery) -> Header:
    if not column.sort_fields:
        return Header(column.header, column.header_classes)
    ascending = query.sort == column.key
    descending = query.sort == f"-{column.key}"
    target = f"-{column.key}" if ascending else column.key
    url = query_string([*query.state(with_sort=False), (SORT_PARAM, target)])
    direction = "ascending" if ascending else "descending" if descending else ""
    return Header(column.header, column.header_classes, url=url, direction=direction)


def _cell(column: Column, row: Any) -> Cell:
    value = None if column.template and not column.value else column.value_of(row)
    return Cell(
        text=display(value, column.empty),
        value=value,
        classes=column.classes,
        template=column.template,
        link=column.link(row) if column.link else "",
    )


def build_table(query: ListQuery, rows: Sequence[Any]) -> Table:
    spec = query.spec
    columns = spec.table_columns
    return Table(
        caption=spec.caption or f"{spec.title}列表",
        headers=[_header(column, query) for column in columns],
        rows=[
            Row(
                object=row,
                classes=spec.row_class(row) if spec.row_class else "",
                attrs=flatatt(spec.row_attrs(row)) if spec.row_attrs else SafeString(""),
                cells=[_cell(column, row) for column in columns],
            )
            for row in rows
        ],
    )


# --- Views ---------------------------------------------------------------------------------------


def list_context(request: HttpRequest, spec: WorkspaceList, *, export_url: str = "") -> dict[str, Any]:
    """Everything workspace/list.html and the two partials read, for one request."""
    query = list_query(spec, request)
    page = Paginator(query.queryset, spec.page_size).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if spec.prepare_rows is not None:
        rows = spec.prepare_rows(request, rows)
    page.object_list = rows
    kept = [(name, request.GET[name]) for name in spec.keep_params if request.GET.get(name)]
    filterset = query.filterset
    context = {
        "list": spec,
        "title": spec.title,
        "page": page,
        "rows": rows,
        "table": build_table(query, rows),
        "filterset": filterset,
        "filter_form": filterset.form if filterset is not None else None,
        "filtered": query.filtered,
        "sort": query.sort,
        "kept": kept,
        "clear_url": request.path + query_string(kept),
        "export_url": f"{export_url}{query_string(query.state())}" if export_url else "",
    }
    if filterset is not None:
        context.update({f"{name}_choices": options for name, options in filterset.options.items()})
    if spec.extra_context is not None:
        context.update(spec.extra_context(request, filterset))
    return context


def list_response(
    request: HttpRequest,
    spec: WorkspaceList,
    *,
    export_url: str = "",
    context: dict[str, Any] | None = None,
    template: str = "",
) -> HttpResponse:
    """The list page of `spec` (its template, or `template`), with `context` added."""
    page_context = list_context(request, spec, export_url=export_url)
    page_context.update(context or {})
    return render(request, template or spec.template, page_context)


def export_filename(request: HttpRequest, spec: WorkspaceList) -> str:
    if spec.export_filename is not None:
        return spec.export_filename(request)
    owner = getattr(request, "institution", None)
    parts = [str(owner.name)] if owner is not None else []
    return "-".join([*parts, spec.export_name(), f"{timezone.localdate():%Y%m%d}"]) + ".xlsx"


def export_response(request: HttpRequest, spec: WorkspaceList) -> HttpResponse:
    """Every row the list shows for these filters and this order (not just one page), as .xlsx."""
    columns = spec.excel_columns
    if not columns:
        raise Http404("this list has no export")
    query = list_query(spec, request)
    return xlsx_export(
        filename=export_filename(request, spec),
        sheet_title=spec.export_name(),
        columns=columns,
        objects=prepared_rows(spec, request, query.queryset),
    )


def guarded(spec: WorkspaceList, view: View) -> View:
    """GET/HEAD only, behind the list's access guard (login only when it has none), then eligibility."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if spec.available is not None and not spec.available(request):
            raise Http404("not available to this institution")
        return view(request, *args, **kwargs)

    guard = spec.access(spec.permission) if spec.access is not None else login_required
    return require_safe(guard(checked))


def list_view(spec: WorkspaceList, *, export_url_name: str = "") -> View:
    def workspace_list(request: HttpRequest) -> HttpResponse:
        export_url = ""
        if export_url_name:
            # Registered inside the app's namespace, like the list itself.
            namespace = request.resolver_match.namespace if request.resolver_match else ""
            export_url = reverse(f"{namespace}:{export_url_name}" if namespace else export_url_name)
        return list_response(request, spec, export_url=export_url)

    workspace_list.__name__ = workspace_list.__qualname__ = f"{spec.key}_list"
    return guarded(spec, workspace_list)


def export_view(spec: WorkspaceList) -> View:
    def workspace_export(request: HttpRequest) -> HttpResponse:
        return export_response(request, spec)

    workspace_export.__name__ = workspace_export.__qualname__ = f"{spec.key}_export"
    return guarded(spec, workspace_export)


def list_urls(
    spec: WorkspaceList, *, path_prefix: str, name: str, export_name: str = "", export_path: str = "export/"
) -> list[URLPattern]:
    """The list at `path_prefix` named `name`, and its export at `path_prefix + export_path` named
    `export_name` (when given; the list links to it with its current filters and order)."""
    patterns = [path(path_prefix, list_view(spec, export_url_name=export_name), name=name)]
    if export_name:
        patterns.append(path(path_prefix + export_path, export_view(spec), name=export_name))
    return patterns
