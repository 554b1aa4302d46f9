"""Excel (.xlsx) imports: read an uploaded sheet, map its header to form fields, validate every row.

    COLUMNS = [ImportColumn("软件名称", "name", required=True),
               ImportColumn("登记日期", "registered_on", kind=ColumnKind.DATE, required=True)]
    result = read_xlsx(upload, columns=COLUMNS, form=lambda data: CopyrightForm(data, institution=inst),
                       unique=[("registration_number",)])
    if result.errors: show them (row number, column title, message); otherwise save result.rows.

Nothing here saves anything: the caller decides, and all-or-nothing means saving only when `errors` is
empty. The header is the first non-empty row; titles are matched ignoring spaces, full-width forms and a
"*" mark; unknown columns are ignored; a missing required column refuses the whole file. Cells are
converted by the column's kind before the form sees them: dates as Excel dates or `YYYY-MM-DD` text,
integers, 是/否 booleans, choices by label. Empty rows are skipped. Problems with the file itself (not an
xlsx, no header, missing columns, too many rows) raise a ValidationError with a Chinese message.

The work one upload can cause is bounded before and while it is read, because a few hundred KB of
zipped XML can describe millions of rows: the package is refused when a part (or all of them) would
unpack beyond `MAX_PART_BYTES` (`MAX_PACKAGE_BYTES`), judged from the sizes the zip declares (zipfile
never reads a member past its declared size) before openpyxl parses anything; a sheet whose declared
used range is taller than the row limit is refused before its first row; and every row read, blank
or not, counts against that limit (`max_rows` data rows plus `BLANK_ROW_ALLOWANCE` for the header and
blank rows), at most `MAX_COLUMNS` cells of each.

`xlsx_template_response` builds the matching template (header, one example row, a 说明 sheet), and
`ImportColumn.export_column()` gives the export column with the same title, so an export reads back in.
"""

import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from .attachments import content_disposition, human_size
from .excel import XLSX_CONTENT_TYPE, ExcelColumn, cell_value, display_width

DEFAULT_MAX_ROWS = 5000
DEFAULT_MAX_ERRORS = 200
# Columns read from each row: a header further right than this is not looked at.
MAX_COLUMNS = 100
# Rows a sheet may have beyond `max_rows` data rows: the header, rows above it and blank rows between
# records. Blank rows cost as much to read as full ones, so they are counted too.
BLANK_ROW_ALLOWANCE = 100
# Unpacked sizes a package may declare, per part and in all: a sheet of 5,000 ordinary rows is about
# 2 MB of XML, and openpyxl parses roughly 10 MB a second.
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_PACKAGE_BYTES = 40 * 1024 * 1024
# Excel's serial day numbers of 1900-01-01 and 9999-12-31.
_SERIAL_RANGE = (1, 2_958_465)
_DATE_TEXT = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_INTEGER_TEXT = re.compile(r"^[+-]?\d+(?:\.0*)?$")
TRUE_TEXT = "是"
FALSE_TEXT = "否"


class ColumnKind(StrEnum):
    TEXT = "text"
    DATE = "date"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"


@dataclass(frozen=True)
class ImportColumn:
    """One column of an import: its title in the sheet and the form field it fills.

    `required` columns must be present in the header and are described as 必填 in the template (the form
    still decides whether a value may be blank). `choices` are (value, label) pairs: the sheet holds the
    label (the value is accepted too). `help` adds to the format description; `example` fills the
    template's example row (a Python value: a date, an int, a choice value, a bool).
    """

    title: str
    field: str
    kind: ColumnKind = ColumnKind.TEXT
    required: bool = False
    choices: Sequence[tuple[Any, str]] = ()
    help: str = ""
    example: Any = None
    width: float | None = None

    def describe(self) -> str:
        """The format requirement in words, for the template's 说明 sheet."""
        base = {
            ColumnKind.TEXT: "文本",
            ColumnKind.DATE: "日期：Excel 日期，或文本 YYYY-MM-DD（如 2023-05-01）",
            ColumnKind.INTEGER: "整数",
            ColumnKind.BOOLEAN: f"填写“{TRUE_TEXT}”或“{FALSE_TEXT}”",
            ColumnKind.CHOICE: "填写以下之一：" + "、".join(label for _, label in self.choices),
        }[self.kind]
        return f"{base}。{self.help}" if self.help else f"{base}。"

    def display(self, value: Any) -> Any:
        """A stored value as the sheet shows it: a choice's label, 是/否, the rest unchanged."""
        if self.kind == ColumnKind.CHOICE:
            return dict(self.choices).get(value, value)
        if self.kind == ColumnKind.BOOLEAN and isinstance(value, bool):
            return TRUE_TEXT if value else FALSE_TEXT
        return value

    def export_column(self) -> ExcelColumn:
        """The export column with this title, reading the attribute named by `field`."""
        return ExcelColumn(self.title, lambda obj: self.display(getattr(obj, self.field)), self.width)


@dataclass(frozen=True)
class RowError:
    """A problem in one row: `row_number` is the sheet's row number (the header is usually 1);
    `column_title` is empty when the problem concerns the whole row."""

    row_number: int
    column_title: str
    message: str


@dataclass(frozen=True)
class ImportedRow:
    row_number: int
    data: dict[str, Any]
    form: forms.BaseForm


@dataclass
class ImportResult:
    rows: list[ImportedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # True when more errors were found than are listed (reading stopped at `max_errors`).
    errors_truncated: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class CellError(ValueError):
    """A cell whose content cannot be read as its column's kind."""


def normalise_title(value: Any) -> str:
    """A header title for matching: full-width forms folded, spaces and a "*" required mark removed."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return re.sub(r"\s+", "", text).strip("*")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return text if len(text) <= 40 else f"{text[:40]}…"


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return TRUE_TEXT if value else FALSE_TEXT
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _to_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return from_excel(value).date()
        raise CellError("不是有效的 Excel 日期")
    match = _DATE_TEXT.match(unicodedata.normalize("NFKC", str(value)).strip())
    if match is None:
        raise CellError("日期格式应为 YYYY-MM-DD（如 2023-05-01）")
    try:
        return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise CellError("不是有效的日期") from None


def _to_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError("应为整数")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not _INTEGER_TEXT.match(text):
        raise CellError("应为整数")
    return int(text.split(".")[0])


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text == TRUE_TEXT:
        return True
    if text == FALSE_TEXT:
        return False
    raise CellError(f"应填写“{TRUE_TEXT}”或“{FALSE_TEXT}”")


def _to_choice(value: Any, choices: Sequence[tuple[Any, str]]) -> Any:
    text = normalise_title(_to_text(value))
    for choice_value, label in choices:
        if text in (normalise_title(label), normalise_title(choice_value)):
            return choice_value
    raise CellError("应填写以下之一：" + "、".join(label for _, label in choices))


def convert_cell(value: Any, column: ImportColumn) -> Any:
    """The cell's value as the column's form field takes it; None for a blank cell.

    Raises CellError with a Chinese message (without the value) when the content does not fit.
    """
    if _is_blank(value):
        return None
    if column.kind == ColumnKind.DATE:
        return _to_date(value)
    if column.kind == ColumnKind.INTEGER:
        return _to_integer(value)
    if column.kind == ColumnKind.BOOLEAN:
        return _to_boolean(value)
    if column.kind == ColumnKind.CHOICE:
        return _to_choice(value, column.choices)
    return _to_text(value)


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _unreadable() -> ValidationError:
    return _refuse(
        "无法读取该文件：文件已损坏或不是有效的 Excel（.xlsx）文件。请使用下载的模板填写后上传。",
        "unreadable",
    )


def _too_many_sheet_rows(max_rows: int, sheet_rows: int) -> ValidationError:
    return _refuse(
        f"工作表的行数（含空行）超过了 {sheet_rows} 行：每次最多导入 {max_rows} 行数据。"
        "请删除多余的空行（包括表格末尾没有内容、只设置了格式的行），或拆分为多个文件分批导入。",
        "too_many_rows",
    )


def _check_package(file: Any) -> None:
    """Refuses a package that would unpack beyond the limits, before any part of it is parsed."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as package:
            sizes = [info.file_size for info in package.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable() from exc
    finally:
        file.seek(0)
    if any(size > MAX_PART_BYTES for size in sizes) or sum(sizes) > MAX_PACKAGE_BYTES:
        raise _refuse(
            f"文件解压后的内容过大（单个部分不能超过 {human_size(MAX_PART_BYTES)}，"
            f"合计不能超过 {human_size(MAX_PACKAGE_BYTES)}），无法导入。"
            "请使用下载的模板，只填写要导入的数据；数据较多时请拆分为多个文件分批导入。",
            "too_large",
        )


def _rows_of(file: Any, sheet_title: str | None, *, max_rows: int) -> Iterator[tuple[int, tuple]]:
    """(row number, values) of every row of the chosen sheet; unreadable content raises ValidationError.

    Refuses the sheet when it declares, or turns out to have, more than `max_rows` +
    BLANK_ROW_ALLOWANCE rows, so that reading stops there whatever the rows hold.
    """
    sheet_rows = max_rows + BLANK_ROW_ALLOWANCE
    _check_package(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a malformed package
        raise _unreadable() from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise _refuse("文件中没有工作表。", "no_sheet")
        sheet = next((s for s in sheets if sheet_title and s.title == sheet_title), sheets[0])
        if (sheet.max_row or 0) > sheet_rows:
            raise _too_many_sheet_rows(max_rows, sheet_rows)
        # The declared range may also understate the sheet, and openpyxl would then silently stop at
        # it: read every row instead and let the count below bound the work.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise _unreadable() from exc
            number += 1
            if number > sheet_rows:
                raise _too_many_sheet_rows(max_rows, sheet_rows)
            yield number, values
    finally:
        workbook.close()


def _header_map(values: tuple, columns: Sequence[ImportColumn]) -> dict[str, int]:
    """Column field → index in the row; refuses duplicated known titles and missing required ones."""
    by_title = {normalise_title(column.title): column for column in columns}
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        column = by_title.get(normalise_title(value)) if not _is_blank(value) else None
        if column is None:
            continue
        if column.field in found:
            raise _refuse(f"列“{column.title}”出现了不止一次，请只保留一列。", "duplicate_column")
        found[column.field] = index
    missing = [column.title for column in columns if column.required and column.field not in found]
    if missing:
        raise _refuse(
            "文件缺少必需的列："
            + "、".join(f"“{title}”" for title in missing)
            + "。请使用下载的模板，不要修改第一行的列名。",
            "missing_columns",
        )
    return found


def _form_errors(
    form: forms.BaseForm, row_number: int, titles: dict[str, str], skip: set[str]
) -> list[RowError]:
    errors = []
    for name, field_errors in form.errors.as_data().items():
        if name in skip:
            continue
        if name == NON_FIELD_ERRORS:
            title = ""
        elif name in titles:
            title = titles[name]
        else:
            form_field = form.fields.get(name)
            title = str(form_field.label) if form_field is not None and form_field.label else name
        for error in field_errors:
            for message in error.messages:
                errors.append(RowError(row_number, title, str(message)))
    return errors


def _unique_key(data: Mapping[str, Any], names: Sequence[str]) -> tuple | None:
    values = []
    for name in names:
        value = data.get(name)
        if value in (None, ""):
            return None
        values.append(value.strip().upper() if isinstance(value, str) else value)
    return tuple(values)


class _RowReader:
    """Validates the data rows one by one, remembering what the uniqueness checks need."""

    def __init__(
        self,
        columns: Sequence[ImportColumn],
        form: Callable[[dict[str, Any]], forms.BaseForm],
        unique: Iterable[Sequence[str]],
    ) -> None:
        self.columns = columns
        self.form = form
        self.titles = {column.field: column.title for column in columns}
        self.unique = [tuple(names) for names in unique]
        self.seen: list[dict[tuple, int]] = [{} for _ in self.unique]

    def read(self, number: int, cells: dict[str, Any]) -> tuple[ImportedRow | None, list[RowError]]:
        errors: list[RowError] = []
        data: dict[str, Any] = {column.field: None for column in self.columns}
        bad_cells: set[str] = set()
        for column in self.columns:
            if column.field not in cells:
                continue
            raw = cells[column.field]
            try:
                data[column.field] = convert_cell(raw, column)
            except CellError as error:
                bad_cells.add(column.field)
                errors.append(RowError(number, column.title, f"{error}，当前为“{_shown(raw)}”。"))
        row_form = self.form(data)
        if not row_form.is_valid() or bad_cells:
            errors.extend(_form_errors(row_form, number, self.titles, skip=bad_cells))
            return None, errors
        for names, first_rows in zip(self.unique, self.seen, strict=True):
            key = _unique_key(row_form.cleaned_data, names)
            if key is None:
                continue
            if key in first_rows:
                labels = "、".join(self.titles.get(name, name) for name in names)
                title = self.titles.get(names[0], names[0])
                errors.append(RowError(number, title, f"与第 {first_rows[key]} 行的{labels}重复。"))
            else:
                first_rows[key] = number
        if errors:
            return None, errors
        return ImportedRow(number, dict(row_form.cleaned_data), row_form), errors


def read_xlsx(
    file: Any,
    *,
    columns: Sequence[ImportColumn],
    form: Callable[[dict[str, Any]], forms.BaseForm],
    unique: Iterable[Sequence[str]] = (),
    sheet_title: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> ImportResult:
    """Reads and validates every data row of an uploaded .xlsx; saves nothing.

    `form(data)` builds the form that validates one row (`data` maps field names to converted values,
    None for blank or absent cells). `unique` lists field groups whose values may appear only once in
    the file (text compared ignoring case and surrounding spaces). The sheet named `sheet_title` is read
    when there is one, else the first. At most `max_errors` errors are listed (`errors_truncated` says
    there were more). Raises ValidationError when the file as a whole cannot be imported, including
    when it has more than `max_rows` data rows or, blank rows counted, more than `max_rows` +
    BLANK_ROW_ALLOWANCE rows.
    """
    reader = _RowReader(columns, form, unique)
    result = ImportResult()
    header: dict[str, int] | None = None
    data_rows = 0
    rows = _rows_of(file, sheet_title, max_rows=max_rows)
    try:
        for number, values in rows:
            if header is None:
                if not all(_is_blank(value) for value in values):
                    header = _header_map(values, columns)
                continue
            cells = {name: values[index] if index < len(values) else None for name, index in header.items()}
            if all(_is_blank(value) for value in cells.values()):
                continue
            data_rows += 1
            if data_rows > max_rows:
                raise _refuse(
                    f"文件中的数据超过了每次 {max_rows} 行的上限，请拆分为多个文件分批导入。", "too_many_rows"
                )
            if len(result.errors) >= max_errors:
                result.errors_truncated = True
                continue
            row, errors = reader.read(number, cells)
            result.errors.extend(errors)
            if row is not None:
                result.rows.append(row)
    finally:
        rows.close()
    if header is None:
        raise _refuse("文件是空的：第一行应为列名，从第二行开始每行填写一条记录。", "empty")
    if data_rows == 0:
        raise _refuse("文件中没有数据行：请从第二行开始每行填写一条记录。", "no_rows")
    if len(result.errors) > max_errors:
        del result.errors[max_errors:]
        result.errors_truncated = True
    return result


# --- Templates -----------------------------------------------------------------------------------

GENERAL_NOTES = (
    "第一行为列名，请勿修改或删除；从第二行开始每行填写一条记录，空行会被忽略。",
    "第二行是示例，导入前请删除或改为真实数据。",
    "日期可填写为 Excel 日期，也可填写文本 YYYY-MM-DD（如 2023-05-01）。",
    "任何一行有错误时整个文件都不会导入；请按页面列出的行号、列名和原因修改后重新上传。",
)


def _rows_note(max_rows: int) -> str:
    sheet_rows = max_rows + BLANK_ROW_ALLOWANCE
    return f"每个文件最多 {max_rows} 行数据；连同列名和空行，工作表不能超过 {sheet_rows} 行。"


def xlsx_template_response(
    *,
    filename: str,
    sheet_title: str,
    columns: Sequence[ImportColumn],
    notes: Sequence[str] = (),
    max_rows: int = DEFAULT_MAX_ROWS,
) -> HttpResponse:
    """An import template: the header row and one example row on `sheet_title`, and a 说明 sheet that
    describes every column (必填, format, example) followed by the general rules and `notes`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=column.title)
        header.font = bold
        example = cell_value(column.display(column.example))
        cell = sheet.cell(row=2, column=index, value=example)
        if isinstance(example, datetime.date):
            cell.number_format = "yyyy-mm-dd"
        elif column.kind == ColumnKind.TEXT:
            cell.number_format = "@"
        width = column.width or max(display_width(column.title), display_width(example), 10) + 2
        sheet.column_dimensions[letter].width = min(width, 60)
        options = None
        if column.kind == ColumnKind.CHOICE:
            options = [label for _, label in column.choices]
        elif column.kind == ColumnKind.BOOLEAN:
            options = [TRUE_TEXT, FALSE_TEXT]
        if options and sum(len(option) + 1 for option in options) < 250:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(options) + '"', allow_blank=not column.required
            )
            validation.error = column.describe()
            validation.add(f"{letter}2:{letter}{max_rows + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("说明")
    guide.append(["列名", "是否必填", "格式要求", "示例"])
    for cell in guide[1]:
        cell.font = bold
    for column in columns:
        example = cell_value(column.display(column.example))
        guide.append(
            [
                column.title,
                "必填" if column.required else "选填",
                column.describe(),
                example.isoformat() if isinstance(example, datetime.date) else example,
            ]
        )
    guide.append([])
    guide.append(["填写说明"])
    guide.cell(row=guide.max_row, column=1).font = bold
    for number, note in enumerate([*GENERAL_NOTES, _rows_note(max_rows), *notes], start=1):
        guide.append([f"{number}. {note}"])
    for letter, width in zip("ABCD", (28, 10, 60, 24), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2, max_row=len(columns) + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = filename if filename.lower().endswith(".xlsx") else f"{filename}.xlsx"
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "no-store"
    return response
