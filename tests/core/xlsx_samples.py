"""Hostile .xlsx packages for the import limits: huge sheets that stay tiny once compressed."""

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from openpyxl import Workbook

SHEET_PART = "xl/worksheets/sheet1.xml"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _header_row(header: Sequence[str]) -> str:
    cells = "".join(
        f'<c r="{chr(ord("A") + index)}1" t="inlineStr"><is><t>{escape(title)}</t></is></c>'
        for index, title in enumerate(header)
    )
    return f'<row r="1">{cells}</row>'


def blank_rows_sheet_xml(header: Sequence[str], blank_rows: int, *, dimension: str | None = None) -> bytes:
    """A sheet with `header` on row 1, then `blank_rows` rows whose only cell lies outside the header's
    columns (the template columns are blank, yet every row is written out); `dimension` is the declared
    used range, left out when None."""
    marker = chr(ord("A") + len(header) + 2)
    rows = "".join(f'<row r="{n}"><c r="{marker}{n}"><v>1</v></c></row>' for n in range(2, blank_rows + 2))
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN_NS}">{declared}'
        f"<sheetData>{_header_row(header)}{rows}</sheetData></worksheet>"
    ).encode()


def xlsx_with_sheet_xml(sheet_xml: bytes, *, title: str = "数据") -> bytes:
    """A real workbook (one sheet named `title`) whose sheet part is replaced by `sheet_xml`."""
    workbook = Workbook()
    workbook.active.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            content = sheet_xml if info.filename == SHEET_PART else source.read(info.filename)
            package.writestr(info.filename, content)
    return result.getvalue()


def blank_rows_xlsx(
    header: Sequence[str], blank_rows: int, *, dimension: str | None = None, title: str = "数据"
) -> bytes:
    return xlsx_with_sheet_xml(blank_rows_sheet_xml(header, blank_rows, dimension=dimension), title=title)
