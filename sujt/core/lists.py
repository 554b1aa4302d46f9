"""Workspace lists, declared once: rows, filters, columns, ordering, export and empty state.

A module describes a list with a `WorkspaceList` and gets its page and its Excel export from
`sujt.core.list_views` (one generic view each), rendered by `workspace/list.html` with the filter-bar
and table partials (`includes/filter_bar.html`, `includes/list_table.html`):

    SITES = WorkspaceList(
        key="sites",
        title="检验检测场所",
        selector=lambda request: sites_of(institution_id=request.institution.pk),
        filterset=SiteFilter,                      # a ListFilterSet; its `q` is a SearchFilter
        columns=[
            Column("name", "场所名称", sort="name"),
            Column("address", "场所地址", wrap=True),
            Column("site_type", "场所类型", value="get_site_type_display"),
        ],
        ordering=("name", "pk"),
        export_columns=[ExcelColumn("场所名称", "name"), ExcelColumn("场所地址", "address")],
        empty_text="暂无检验检测场所",
        permission="manage_profile",
        access=institution_required,               # the app's guard: access(permission) -> decorator
    )
    urlpatterns = list_urls(SITES, path_prefix="profile/sites/", name="site_list", export_name="site_export")

Nothing here knows an app: who may open a list is the app's `access` guard (for the workspace,
`institution_required`, which sets `request.institution` and answers 404 without an institution and
403 without the module permission) plus `available(request)` for eligibility (false → 404). The
`selector` receives the request after the guard ran and returns the rows the user may see; filters,
ordering and pagination only narrow it.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import formats
from django.utils.http import urlencode

from .excel import ITERATOR_CHUNK_SIZE, ExcelColumn, cell_value

SEARCH_MAX_LENGTH = 100
# Query parameters of the list itself; a FilterSet must not declare filters with these names.
SORT_PARAM = "sort"
PAGE_PARAM = "page"
EMPTY_CELL = "—"
FILTERED_EMPTY_TEXT = "没有符合条件的记录"
FILTERED_EMPTY_HINT = "请调整搜索或筛选条件后重试。"

View = Callable[..., HttpResponse]
Guard = Callable[[str | None], Callable[[View], View]]


# --- Filters -------------------------------------------------------------------------------------


class ListFilterForm(forms.Form):
    """The filter bar's form: fields get ids "filter-<name>" (so labels and tests can find them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet for a workspace list. An invalid value is ignored (that filter only), never an error
    page: django-filter leaves it out of `cleaned_data`. Filters whose choices depend on the request
    (`OptionFilter`) get them here, so the form shows only the user's own options."""

    def __init__(self, data: QueryDict | None = None, queryset: QuerySet | None = None, **kwargs: Any):
        super().__init__(data, queryset, **kwargs)
        self.options: dict[str, list] = {}
        for name, filter_ in self.filters.items():
            if isinstance(filter_, OptionFilter):
                self.options[name] = filter_.load_options(self.request)

    def get_form_class(self) -> type[forms.Form]:
        form_class = super().get_form_class()
        if issubclass(form_class, ListFilterForm):
            return form_class
        return type(form_class.__name__, (ListFilterForm, form_class), {})

    def active(self) -> list[tuple[str, str]]:
        """(name, value) of the filters the request sets, in declaration order: the state the export link
        and the "清除条件" button carry or drop."""
        pairs = []
        for name in self.filters:
            value = self.data.get(name, "")
            if isinstance(value, str):
                value = value.strip()[:SEARCH_MAX_LENGTH]
            if value:
                pairs.append((name, value))
        return pairs


class SearchInput(forms.TextInput):
    input_type = "search"


class SearchField(forms.CharField):
    """Free text, stripped and cut to SEARCH_MAX_LENGTH characters (never rejected for its length)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", SearchInput(attrs={"maxlength": SEARCH_MAX_LENGTH}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return super().to_python(value)[:SEARCH_MAX_LENGTH]


class SearchFilter(django_filters.Filter):
    """The search box (`q`): the text is looked for (icontains) in any of `fields`.

    `fields` may be a callable (filterset, value) -> fields, for a search whose scope another filter
    chooses (the capability schedule searches items, standards or both)."""

    field_class = SearchField

    def __init__(
        self,
        *,
        fields: Sequence[str] | Callable[[Any], Sequence[str]],
        label: str = "搜索",
        attrs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label=label, **kwargs)
        self.search_fields = fields
        # More attributes of the box: a placeholder, an inputmode for numbers.
        self.extra["widget"] = SearchInput(attrs={"maxlength": SEARCH_MAX_LENGTH, **(attrs or {})})

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        fields = self.search_fields(self.parent) if callable(self.search_fields) else self.search_fields
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": value})
        return qs.filter(condition)


class ConditionFilter(django_filters.ChoiceFilter):
    """A choice among named conditions (已过期, 30天内到期…): `condition(value)` is the Q of a choice, or
    None for no filter. The conditions live beside the rule they filter by (a selector)."""

    def __init__(self, *, condition: Callable[[str], Q | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.condition = condition

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        condition = self.condition(value) if value else None
        return qs if condition is None else qs.filter(condition)


class TabFilter(django_filters.ChoiceFilter):
    """A choice shown as tabs above the table (`list_tabs`) rather than in the filter bar, where it is a
    hidden field so that a search keeps the chosen tab. An unknown value is ignored (the 全部 tab)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)


@dataclass(frozen=True)
class Tab:
    value: str
    label: str
    count: int
    url: str
    active: bool


def list_tabs(
    request: HttpRequest,
    *,
    name: str,
    choices: Sequence[tuple[str, str]],
    counts: Mapping[str, int],
    all_label: str,
) -> list[Tab]:
    """The tabs of the TabFilter `name`: 全部 first, then one per choice, each with its count and a link
    that keeps the other filters and drops the page."""
    current = request.GET.get(name, "")
    if current not in {value for value, _label in choices}:
        current = ""
    tabs = []
    for value, label in [("", all_label), *choices]:
        params = request.GET.copy()
        params.pop(PAGE_PARAM, None)
        params.pop(name, None)
        if value:
            params[name] = value
        count = counts.get(value, 0) if value else sum(counts.values())
        url = request.path + (f"?{params.urlencode()}" if params else "")
        tabs.append(Tab(value=value, label=label, count=count, url=url, active=value == current))
    return tabs


class OptionField(forms.CharField):
    """A value picked from a select whose options are loaded per request; any value passes validation,
    so another institution's id filters like any other and matches nothing."""

    def __init__(self, *, integer: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Select)
        super().__init__(**kwargs)
        self.integer = integer

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value).strip()
        if not value or not self.integer:
            return value
        try:
            number = int(value)
        except ValueError:
            raise forms.ValidationError("请选择列表中的一项。", code="invalid") from None
        if number <= 0:
            raise forms.ValidationError("请选择列表中的一项。", code="invalid")
        return number


class OptionFilter(django_filters.Filter):
    """Exact match on a value offered as a select of `options(request)`: a list of (value, label) pairs
    or of plain values (shown as they are). `integer=True` for ids (a non-number is ignored).

    The loaded options are kept on the filterset (`filterset.options[name]`) and given to the page as
    `<name>_choices`."""

    field_class = OptionField

    def __init__(
        self,
        field_name: str | None = None,
        *,
        options: Callable[[HttpRequest | None], Iterable],
        empty_label: str = "全部",
        integer: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(field_name, integer=integer, **kwargs)
        self.options = options
        self.empty_label = empty_label

    def load_options(self, request: HttpRequest | None) -> list:
        options = list(self.options(request))
        pairs = [option if isinstance(option, tuple | list) else (option, option) for option in options]
        self.extra["widget"] = forms.Select(choices=[("", self.empty_label), *pairs])
        return options


# --- Columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a list's table.

    `value` reads the cell from a row like ExcelColumn does (a dotted path such as "site.name" or
    "get_status_display", or a callable taking the row); it defaults to `key`. `template`, when given,
    renders the cell instead (context: `row`, `value`). `link(row)` makes the text a link.

    `sort` names the order_by fields of a sortable header (ascending; the header toggles descending);
    only these are accepted from the URL. `wrap` lets long text break anywhere and keeps its line
    breaks; `essential` keeps a short column (status) on one line; `sticky` pins it at the right edge
    when the table must scroll (the actions column).

    The same column is a column of the Excel export (unless `export=False`), read by `export_value`
    when the sheet wants another value than the cell (the raw number, a status label for a badge
    template); a template column without `export_value` is left out of the export. `table=False`
    makes an export-only column.
    """

    key: str
    header: str
    value: str | Callable[[Any], Any] | None = None
    template: str = ""
    link: Callable[[Any], str] | None = None
    css: str = ""
    sort: str | Sequence[str] | None = None
    wrap: bool = False
    essential: bool = False
    sticky: bool = False
    empty: str = EMPTY_CELL
    table: bool = True
    export: bool = True
    export_value: str | Callable[[Any], Any] | None = None
    export_width: float | None = None

    def value_of(self, row: Any) -> Any:
        return ExcelColumn(self.header, self.value or self.key).value_of(row)

    def excel(self) -> ExcelColumn | None:
        """This column in the export, or None when it has none."""
        if not self.export or (self.template and self.export_value is None):
            return None
        return ExcelColumn(self.header, self.export_value or self.value or self.key, width=self.export_width)

    @property
    def sort_fields(self) -> tuple[str, ...]:
        if self.sort is None:
            return ()
        return (self.sort,) if isinstance(self.sort, str) else tuple(self.sort)

    @property
    def classes(self) -> str:
        """The cell's classes: `css`, then those of the flags."""
        return " ".join([self.css, self.header_classes] if self.css else [self.header_classes]).strip()

    @property
    def header_classes(self) -> str:
        """The header's: the flags only (a monospaced or nowrap cell keeps a plain header)."""
        return " ".join(name for flag, name in self._flags() if flag)

    def _flags(self) -> list[tuple[bool, str]]:
        return [(self.wrap, "cell-wrap"), (self.essential, "cell-essential"), (self.sticky, "cell-sticky")]


def display(value: Any, empty: str = EMPTY_CELL) -> str:
    """A cell's text: dates as the site formats them, datetimes in local time, 是/否, "—" when empty."""
    if value is None or value == "":
        return empty
    if isinstance(value, bool | datetime.datetime):
        value = cell_value(value)  # as the export writes them: 是/否, local time
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value)
    return str(value)


# --- The declaration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkspaceList:
    """A workspace list (see the module docstring). Hooks take the request (after the access guard):

    - `selector(request)`: the rows the user may see (permission-filtered), before filters;
    - `available(request)`: eligibility of the institution for the module; false → 404;
    - `prepare_rows(request, rows)`: per page (and per export chunk), derive what rows show (flags
      computed in Python, labels fetched in one query for the page); returns the rows;
    - `extra_context(request, filterset)`: more context for a list's own template;
    - `row_class(row)`, `row_attrs(row)`: the <tr>'s class and attributes (e.g. data-* for tests);
    - `export_filename(request)`: defaults to "<owner>-<export title>-<YYYYMMDD>.xlsx", the owner being
      `request.institution` when the access guard set one.
    """

    key: str
    title: str
    selector: Callable[[HttpRequest], QuerySet]
    columns: Sequence[Column]
    ordering: Sequence[str] = ()  # the default order; () keeps the selector's
    filterset: type[ListFilterSet] | None = None
    page_size: int = 20
    select_related: Sequence[str] = ()
    prefetch_related: Sequence[str] = ()
    empty_text: str = "暂无记录"
    empty_hint: str = ""
    filtered_empty_text: str = FILTERED_EMPTY_TEXT
    filtered_empty_hint: str = FILTERED_EMPTY_HINT
    note: str = ""
    caption: str = ""
    table_css: str = ""
    row_actions: str = ""
    row_actions_header: str = "操作"
    row_class: Callable[[Any], str] | None = None
    row_attrs: Callable[[Any], Mapping[str, Any]] | None = None
    prepare_rows: Callable[[HttpRequest, list], list] | None = None
    extra_context: Callable[[HttpRequest, ListFilterSet | None], dict] | None = None
    keep_params: Sequence[str] = ()
    # The export's columns: those of the table (Column.excel) unless declared here.
    export_columns: Sequence[ExcelColumn] | None = None
    export: bool = True
    export_title: str = ""
    export_filename: Callable[[HttpRequest], str] | None = None
    template: str = "workspace/list.html"
    permission: str | None = None
    access: Guard | None = None
    available: Callable[[HttpRequest], bool] | None = None
    count_noun: str = "条"
    item_name: str = ""

    def __post_init__(self) -> None:
        names = set(self.filterset.base_filters) if self.filterset else set()
        if names & {SORT_PARAM, PAGE_PARAM}:
            raise ValueError(f"{self.key}: filters may not be named {SORT_PARAM!r} or {PAGE_PARAM!r}")
        keys = [column.key for column in self.columns]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.key}: two columns share a key")

    @property
    def sortable(self) -> dict[str, tuple[str, ...]]:
        """Column key → order_by fields: the allow-list of the `sort` parameter."""
        return {column.key: column.sort_fields for column in self.columns if column.sort_fields}

    def order_for(self, sort: str | None) -> tuple[str, tuple[str, ...]]:
        """The accepted `sort` value ("" when none or not allowed) and the order_by fields it means."""
        sort = (sort or "").strip()
        key = sort.removeprefix("-")
        fields = self.sortable.get(key)
        if not fields:
            return "", tuple(self.ordering)  # () keeps the selector's order
        if sort.startswith("-"):
            fields = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in fields)
        return sort, (*fields, "-pk" if sort.startswith("-") else "pk")

    def export_name(self) -> str:
        return self.export_title or self.title

    @property
    def excel_columns(self) -> list[ExcelColumn]:
        """The columns of the export ([] when the list has none)."""
        if not self.export:
            return []
        if self.export_columns is not None:
            return list(self.export_columns)
        return [excel for column in self.columns if (excel := column.excel()) is not None]

    @property
    def table_columns(self) -> list[Column]:
        """The table's columns, then the row actions (pinned at the right) when the list has them."""
        columns = [column for column in self.columns if column.table]
        if self.row_actions:
            columns.append(
                Column(
                    "_actions",
                    self.row_actions_header,
                    template=self.row_actions,
                    css="row-actions",
                    sticky=True,
                    export=False,
                )
            )
        return columns


@dataclass
class ListQuery:
    """One request's view of a list: its filterset, accepted sort and the rows, filtered and ordered."""

    spec: WorkspaceList
    request: HttpRequest
    filterset: ListFilterSet | None
    sort: str
    queryset: QuerySet

    @property
    def active(self) -> list[tuple[str, str]]:
        pairs = self.filterset.active() if self.filterset else []
        return pairs

    @property
    def filtered(self) -> bool:
        return bool(self.active)

    def state(self, *, with_sort: bool = True) -> list[tuple[str, str]]:
        """The query parameters that reproduce these rows: kept params, filters, then the sort."""
        pairs = [
            (name, self.request.GET[name]) for name in self.spec.keep_params if self.request.GET.get(name)
        ]
        pairs += self.active
        if with_sort and self.sort:
            pairs.append((SORT_PARAM, self.sort))
        return pairs


def list_query(spec: WorkspaceList, request: HttpRequest) -> ListQuery:
    """The rows `request` asks for: selector, then the filterset, then the (allow-listed) order."""
    queryset = spec.selector(request)
    filterset = spec.filterset(request.GET, queryset=queryset, request=request) if spec.filterset else None
    if filterset is not None:
        queryset = filterset.qs
    if spec.select_related:
        queryset = queryset.select_related(*spec.select_related)
    if spec.prefetch_related:
        queryset = queryset.prefetch_related(*spec.prefetch_related)
    sort, order = spec.order_for(request.GET.get(SORT_PARAM))
    if order:
        queryset = queryset.order_by(*order)
    return ListQuery(spec=spec, request=request, filterset=filterset, sort=sort, queryset=queryset)


def prepared_rows(spec: WorkspaceList, request: HttpRequest, queryset: QuerySet) -> Iterator[Any] | QuerySet:
    """Every row for an export: the queryset itself (xlsx_export reads it in chunks) or, with a
    `prepare_rows` hook, the rows chunk by chunk through the hook, so memory stays flat either way."""
    if spec.prepare_rows is None:
        return queryset
    return _prepared_chunks(spec, request, queryset)


def _prepared_chunks(spec: WorkspaceList, request: HttpRequest, queryset: QuerySet) -> Iterator[Any]:
    chunk: list = []
    for row in queryset.iterator(chunk_size=ITERATOR_CHUNK_SIZE):
        chunk.append(row)
        if len(chunk) == ITERATOR_CHUNK_SIZE:
            yield from spec.prepare_rows(request, chunk)
            chunk = []
    if chunk:
        yield from spec.prepare_rows(request, chunk)


def query_string(pairs: Iterable[tuple[str, Any]]) -> str:
    """ "?a=1&b=2", or "" for no pairs."""
    pairs = list(pairs)
    return f"?{urlencode(pairs)}" if pairs else ""
