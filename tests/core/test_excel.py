import datetime
import io
import os
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet._writer import ALL_TEMP_FILES

from institutions.models import Institution
from sujt.core import excel
from sujt.core.excel import (
    XLSX_CONTENT_TYPE,
    ExcelColumn,
    ExportTooLarge,
    export_rows,
    xlsx_export,
    xlsx_response,
)
from tests.factories import InstitutionFactory

UTC = datetime.UTC


def sheet_of(response):
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def values_of(response) -> list[tuple]:
    return list(sheet_of(response).iter_rows(values_only=True))


def make(rows, headers=("名称", "数量"), **kwargs):
    return xlsx_response(
        filename=kwargs.pop("filename", "导出.xlsx"),
        sheet_title=kwargs.pop("sheet_title", "数据"),
        headers=list(headers),
        rows=rows,
        **kwargs,
    )


# --- The response ---------------------------------------------------------------------------------


def test_the_response_is_an_xlsx_that_reads_back_with_header_and_rows():
    response = make([("金陵检测", 3), ("姑苏质检", Decimal("2.5"))])
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert values_of(response) == [("名称", "数量"), ("金陵检测", 3), ("姑苏质检", 2.5)]


def test_the_header_row_is_bold_and_frozen_and_data_rows_are_not_bold():
    sheet = sheet_of(make([("金陵检测", 3)]))
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.title == "数据"


def test_a_chinese_filename_is_sent_as_rfc_5987_with_an_ascii_fallback():
    response = make([], filename="用户列表-20260101.xlsx")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('用户列表-20260101.xlsx')}" in disposition
    fallback = disposition.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith(".xlsx")
    assert response["Cache-Control"] == "no-store"


def test_the_extension_is_added_and_path_characters_are_replaced_in_the_filename():
    disposition = make([], filename="机构/名单")["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('机构_名单.xlsx')}" in disposition


def test_an_export_without_rows_still_has_its_header():
    assert values_of(make(iter([]))) == [("名称", "数量")]


def test_sheet_titles_follow_excels_rules():
    sheet = sheet_of(make([], sheet_title="2026/01 [草稿]: 运营数据填报情况汇总表（全省各设区市）"))
    assert "/" not in sheet.title and "[" not in sheet.title and ":" not in sheet.title
    assert len(sheet.title) <= 31


# --- Values ---------------------------------------------------------------------------------------


def test_aware_datetimes_are_written_as_shanghai_local_excel_dates():
    moment = datetime.datetime(2026, 3, 1, 16, 30, 5, tzinfo=UTC)  # 2026-03-02 00:30:05 in Shanghai
    sheet = sheet_of(make([("登录", moment)], headers=("事件", "时间")))
    cell = sheet["B2"]
    assert cell.is_date
    assert cell.value == datetime.datetime(2026, 3, 2, 0, 30, 5)
    assert cell.number_format == "yyyy-mm-dd hh:mm:ss"


def test_an_aware_datetime_in_another_zone_is_converted_too():
    moment = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert values_of(make([("x", moment)]))[1][1] == datetime.datetime(2026, 3, 1, 16, 0)


def test_dates_stay_dates():
    cell = sheet_of(make([("x", datetime.date(2026, 11, 23))]))["B2"]
    assert cell.is_date
    assert cell.value == datetime.datetime(2026, 11, 23, 0, 0)
    assert cell.number_format == "yyyy-mm-dd"


def test_booleans_read_yes_or_no_and_none_is_an_empty_cell():
    assert values_of(make([(True, False), (None, 0)]))[1:] == [("是", "否"), (None, 0)]


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","点击")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_that_would_run_as_a_formula_is_prefixed_with_a_quote(text):
    sheet = sheet_of(make([(text, 1)]))
    cell = sheet["A2"]
    assert cell.data_type == "s"
    # XML turns a carriage return into a line feed on the way back.
    assert cell.value == f"'{text}".replace("\r", "\n")


def test_formula_text_reaches_the_file_as_text_not_as_a_formula():
    response = make([("=1+1", 1)])
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["A2"].value == "'=1+1"
    assert workbook.worksheets[0]["A2"].data_type == "s"


def test_ordinary_text_and_numbers_are_left_alone():
    rows = values_of(make([("金陵检测-南京", -5), ("a=b", 1.5)]))
    assert rows[1:] == [("金陵检测-南京", -5), ("a=b", 1.5)]


def test_the_headers_are_neutralised_as_well():
    assert values_of(make([], headers=("=cmd", "名称")))[0] == ("'=cmd", "名称")


def test_characters_xlsx_cannot_hold_are_dropped():
    assert values_of(make([("控制\x01字符\x1f", 1)]))[1][0] == "控制字符"


def test_overlong_text_is_cut_to_the_cell_limit():
    assert len(values_of(make([("长" * 40_000, 1)]))[1][0]) == excel.MAX_CELL_CHARS


# --- Column widths --------------------------------------------------------------------------------


def test_column_widths_fit_wide_characters_and_are_capped():
    sheet = sheet_of(make([("统一社会信用代码九一三二", "a" * 500, "x")], headers=("名称", "说明", "备注")))
    widths = {col: sheet.column_dimensions[col].width for col in "ABC"}
    assert widths["A"] == 2 * 12 + 2  # twelve CJK characters count double
    assert widths["B"] == excel.MAX_WIDTH
    assert widths["C"] == excel.MIN_WIDTH


def test_a_declared_width_wins():
    sheet = sheet_of(make([("x", 1)], widths=[40, None]))
    assert sheet.column_dimensions["A"].width == 40


# --- Size -----------------------------------------------------------------------------------------


def test_rows_are_read_from_a_generator_without_being_listed_first():
    produced = []

    def rows():
        for n in range(5000):
            produced.append(n)
            yield (f"机构{n}", n)

    response = make(rows())
    assert len(produced) == 5000
    assert sheet_of(response).max_row == 5001


def test_the_workbook_is_written_in_write_only_mode(monkeypatch):
    modes = []
    real = excel.Workbook

    def spy(*args, **kwargs):
        modes.append(kwargs.get("write_only"))
        return real(*args, **kwargs)

    monkeypatch.setattr(excel, "Workbook", spy)
    make([("x", 1)])
    assert modes == [True]


def test_more_rows_than_a_sheet_holds_are_refused(monkeypatch):
    monkeypatch.setattr(excel, "MAX_DATA_ROWS", 3)
    make([(n, n) for n in range(3)])
    with pytest.raises(ExportTooLarge):
        make([(n, n) for n in range(4)])


def test_a_failed_export_leaves_no_temporary_file_behind(monkeypatch):
    monkeypatch.setattr(excel, "WIDTH_SAMPLE_ROWS", 1)
    before = {path for path in ALL_TEMP_FILES if os.path.exists(path)}

    def rows():
        yield ("金陵检测", 1)
        yield ("姑苏质检", 2)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        make(rows())
    assert {path for path in ALL_TEMP_FILES if os.path.exists(path)} == before


# --- Columns --------------------------------------------------------------------------------------


class Person:
    def __init__(self, name, boss=None):
        self.name = name
        self.boss = boss

    def greeting(self):
        return f"你好，{self.name}"


def test_a_column_reads_dotted_paths_methods_mappings_and_callables():
    columns = [
        ExcelColumn("姓名", "name"),
        ExcelColumn("上级", "boss.name"),
        ExcelColumn("问候", "greeting"),
        ExcelColumn("长度", lambda person: len(person.name)),
    ]
    boss = Person("王主任")
    assert list(export_rows([Person("李四", boss), Person("张三")], columns)) == [
        ("李四", "王主任", "你好，李四", 2),
        ("张三", None, "你好，张三", 2),
    ]
    assert ExcelColumn("姓名", "person.name").value_of({"person": boss}) == "王主任"


def test_export_rows_reads_a_queryset_in_chunks(db, monkeypatch):
    InstitutionFactory.create_batch(5)
    monkeypatch.setattr(excel, "ITERATOR_CHUNK_SIZE", 2)
    columns = [ExcelColumn("名称", "name"), ExcelColumn("状态", "get_status_display")]
    queryset = Institution.objects.order_by("name")
    expected = [(name, "正常") for name in queryset.values_list("name", flat=True)]
    rows = export_rows(queryset, columns)
    assert list(rows) == expected
    # iterator() does not fill the queryset's result cache.
    assert queryset._result_cache is None


def test_xlsx_export_takes_headers_and_widths_from_the_columns(db):
    InstitutionFactory(name="金陵测试检测技术有限公司", region_code="320102")
    response = xlsx_export(
        filename="机构.xlsx",
        sheet_title="机构",
        columns=[ExcelColumn("名称", "name", width=30), ExcelColumn("开通中心建设", "centers_enabled")],
        objects=Institution.objects.all(),
    )
    sheet = sheet_of(response)
    assert list(sheet.iter_rows(values_only=True)) == [
        ("名称", "开通中心建设"),
        ("金陵测试检测技术有限公司", "否"),
    ]
    assert sheet.column_dimensions["A"].width == 30
