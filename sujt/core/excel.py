"""Excel (.xlsx) exports: one response builder and a column declaration shared by admin and views.

    COLUMNS = [ExcelColumn("名称", "name"), ExcelColumn("状态", "get_status_display"),
               ExcelColumn("所在地区", lambda obj: region_name(obj.region_code))]
    return xlsx_export(filename="机构列表.xlsx", sheet_title="机构", columns=COLUMNS, objects=queryset)

Workbooks are written with openpyxl's write-only mode, so a large export streams rows to a temporary
file instead of building every cell in memory. Values are made safe for spreadsheets on the way: aware
datetimes become Asia/Shanghai local time (Excel has no time zones), booleans read 是/否, and a text
cell that a spreadsheet would run as a formula (= + - @, tab, CR) is prefixed with a single quote.
"""

import datetime
import io
import itertools
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .attachments import content_disposition

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# One sheet holds 1,048,576 rows; the header takes one.
MAX_DATA_ROWS = 1_048_575
MAX_CELL_CHARS = 32_767
ITERATOR_CHUNK_SIZE = 2000
# xlsx_file_response keeps a workbook up to this size in memory, a larger one in a temporary file.
SPOOL_MAX_BYTES = 2 * 1024 * 1024

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

# Column widths are measured on the header and the first rows only: the rest stream through.
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH = 8
MAX_WIDTH = 60
DATE_WIDTH = 12
DATETIME_WIDTH = 20

_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILENAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


class ExportTooLarge(ValueError):
    """More rows than one Excel sheet can hold."""


@dataclass(frozen=True)
class ExcelColumn:
    """A column of an export: its header and how to read the value from one object.

    `getter` is a callable taking the object, or a dotted path such as "user.name" or
    "get_status_display": each step reads an attribute (or a key of a mapping) and calls it when it is
    a method; a missing link (None) gives an empty cell. `width` overrides the measured width.
    """

    title: str
    getter: Callable[[Any], Any] | str
    width: float | None = None

    def value_of(self, obj: Any) -> Any:
        if callable(self.getter):
            return self.getter(obj)
        value = obj
        for part in self.getter.split("."):
            if value is None:
                return None
            value = value[part] if isinstance(value, Mapping) else getattr(value, part)
            if callable(value):
                value = value()
        return value


def export_rows(objects: QuerySet | Iterable[Any], columns: Sequence[ExcelColumn]) -> Iterator[tuple]:
    """One tuple of raw values per object. A queryset is read in chunks of 2,000 rows (its
    prefetch_related lookups, if any, are applied per chunk), so the export stays flat in memory."""
    if isinstance(objects, QuerySet):
        objects = objects.iterator(chunk_size=ITERATOR_CHUNK_SIZE)
    for obj in objects:
        yield tuple(column.value_of(obj) for column in columns)


def xlsx_export(
    *, filename: str, sheet_title: str, columns: Sequence[ExcelColumn], objects: QuerySet | Iterable[Any]
) -> HttpResponse:
    """xlsx_response with the headers and rows taken from `columns`."""
    return xlsx_response(
        filename=filename,
        sheet_title=sheet_title,
        headers=[column.title for column in columns],
        rows=export_rows(objects, columns),
        widths=[column.width for column in columns],
    )


def xlsx_response(
    *,
    filename: str,
    sheet_title: str,
    headers: list[str],
    rows: Iterable[Sequence],
    widths: Sequence[float | None] | None = None,
) -> HttpResponse:
    """An .xlsx download: a bold, frozen header row, then one row per item of `rows`.

    `filename` may be Chinese (sent as RFC 5987 `filename*`); ".xlsx" is added when missing. Raises
    ExportTooLarge when `rows` has more than one sheet can hold.
    """
    buffer = io.BytesIO()
    _write_workbook(buffer, sheet_title=sheet_title, headers=headers, rows=rows, widths=widths)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    return _download_headers(response, filename)


def xlsx_file_response(
    *, filename: str, sheet_title: str, columns: Sequence[ExcelColumn], objects: QuerySet | Iterable[Any]
) -> FileResponse:
    """Like xlsx_export, for large exports: the workbook is written to a temporary file (in memory up to
    SPOOL_MAX_BYTES, on disk beyond) and sent from it in blocks by a FileResponse.

    Why not a generator that yields the file while rows are read: an xlsx is a zip whose directory is
    written last, and openpyxl writes each sheet to its own temporary file before zipping, so no byte of
    a valid file exists before the last row is read. Building first keeps the database work inside the
    request (an error is a normal error page, not a truncated download), sends a Content-Length, and the
    process holds neither the rows nor the bytes in memory.
    """
    # Not a with-block: the response owns the file and closes it after sending.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    try:
        _write_workbook(
            spool,
            sheet_title=sheet_title,
            headers=[column.title for column in columns],
            rows=export_rows(objects, columns),
            widths=[column.width for column in columns],
        )
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    # FileResponse closes the file once sent (or when the response is closed unsent).
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    return _download_headers(response, filename)


def _download_headers(response: HttpResponse | FileResponse, filename: str) -> Any:
    response["Content-Disposition"] = content_disposition(_filename(filename))
    response["Cache-Control"] = "no-store"
    return response


def _write_workbook(
    target: Any,
    *,
    sheet_title: str,
    headers: list[str],
    rows: Iterable[Sequence],
    widths: Sequence[float | None] | None,
) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    rows = iter(rows)
    sample = [[cell_value(value) for value in row] for row in itertools.islice(rows, WIDTH_SAMPLE_ROWS)]
    _set_widths(sheet, headers, sample, widths or [])
    sheet.freeze_panes = "A2"

    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=cell_value(title))
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)

    count = 0
    try:
        for values in itertools.chain(sample, ([cell_value(value) for value in row] for row in rows)):
            count += 1
            if count > MAX_DATA_ROWS:
                raise ExportTooLarge(f"more than {MAX_DATA_ROWS} rows")
            sheet.append([_cell(sheet, value) for value in values])
    except BaseException:
        _discard(sheet)
        raise

    workbook.save(target)


def _discard(sheet: WriteOnlyWorksheet) -> None:
    """Closes an abandoned sheet and deletes its temporary file, which openpyxl would otherwise keep
    until the process exits."""
    if sheet.closed:
        return
    sheet.close()
    sheet._writer.cleanup()


def cell_value(value: Any) -> Any:
    """A Python value as a spreadsheet can take it (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.time):
        return value.replace(tzinfo=None)
    if isinstance(value, int | float | Decimal | datetime.date):
        return value
    return neutralise_formula(str(value))


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet would read as a formula gets a leading single quote; characters that the
    xlsx format cannot hold are dropped; overlong text is cut to Excel's cell limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_PREFIXES):
        text = f"'{text}"
    return text[:MAX_CELL_CHARS]


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        cell = WriteOnlyCell(sheet)
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime.datetime) else DATE_FORMAT
        cell.value = value
        return cell
    return value


def display_width(value: Any) -> int:
    """Characters a value takes on screen: CJK and other wide characters count twice."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return DATETIME_WIDTH
    if isinstance(value, datetime.date):
        return DATE_WIDTH
    text = str(value)
    longest = max(text.splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in longest)


def _set_widths(
    sheet: WriteOnlyWorksheet,
    headers: Sequence[str],
    sample: list[list[Any]],
    widths: Sequence[float | None],
) -> None:
    for index, title in enumerate(headers):
        fixed = widths[index] if index < len(widths) else None
        if fixed is None:
            measured = max(
                [display_width(title), *(display_width(row[index]) for row in sample if index < len(row))]
            )
            fixed = min(max(measured + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index + 1)].width = fixed


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ ."""
    cleaned = _SHEET_TITLE_FORBIDDEN.sub("_", str(title)).strip("'")[:31]
    return cleaned or "Sheet1"


def _filename(name: str) -> str:
    cleaned = _FILENAME_FORBIDDEN.sub("_", str(name)).strip() or "export"
    return cleaned if cleaned.lower().endswith(".xlsx") else f"{cleaned}.xlsx"
