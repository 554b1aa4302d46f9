"""The generic Excel import: header mapping, cell conversion, row validation, limits, templates."""

import datetime
import io
import zipfile

import pytest
from django import forms
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet._reader import WorkSheetParser

from sujt.core import excel_import
from sujt.core.excel_import import (
    ColumnKind,
    ImportColumn,
    RowError,
    convert_cell,
    normalise_title,
    read_xlsx,
    xlsx_template_response,
)
from tests.core.xlsx_samples import SHEET_PART, blank_rows_xlsx, xlsx_with_sheet_xml

COLOURS = [("red", "红色"), ("blue", "蓝色")]


class SampleForm(forms.Form):
    name = forms.CharField(label="名称", max_length=20)
    day = forms.DateField(label="日期")
    count = forms.IntegerField(label="数量", required=False, min_value=0)
    flag = forms.NullBooleanField(label="启用", required=False)
    colour = forms.ChoiceField(label="颜色", choices=COLOURS, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") == "整行错误":
            raise forms.ValidationError("这一行整体不可接受。")
        return cleaned


COLUMNS = [
    ImportColumn("名称", "name", required=True, example="示例名称"),
    ImportColumn("日期", "day", kind=ColumnKind.DATE, required=True, example=datetime.date(2024, 3, 1)),
    ImportColumn("数量", "count", kind=ColumnKind.INTEGER, help="不能为负数。", example=3),
    ImportColumn("启用", "flag", kind=ColumnKind.BOOLEAN, example=True),
    ImportColumn("颜色", "colour", kind=ColumnKind.CHOICE, choices=COLOURS, example="blue"),
]
HEADER = [column.title for column in COLUMNS]


def xlsx(*rows, title="数据", extra_sheets=()) -> io.BytesIO:
    workbook = Workbook()
    for sheet_title in extra_sheets:
        workbook.create_sheet(sheet_title).append(["别的内容"])
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "导入.xlsx"
    return buffer


def read(file, **kwargs):
    return read_xlsx(file, columns=COLUMNS, form=SampleForm, **kwargs)


def refusal(file, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read(file, **kwargs)
    return caught.value


# --- Reading good files ---------------------------------------------------------------------------


def test_a_good_file_gives_the_cleaned_rows_with_their_sheet_row_numbers():
    result = read(
        xlsx(
            HEADER,
            ["甲", datetime.datetime(2024, 3, 1), 5, "是", "红色"],
            ["乙", "2024-03-02", "7", "否", "blue"],
        )
    )
    assert result.ok and result.errors == []
    assert [row.row_number for row in result.rows] == [2, 3]
    assert result.rows[0].data == {
        "name": "甲",
        "day": datetime.date(2024, 3, 1),
        "count": 5,
        "flag": True,
        "colour": "red",
    }
    assert result.rows[1].data["day"] == datetime.date(2024, 3, 2)
    assert result.rows[1].data["flag"] is False
    assert result.rows[1].data["colour"] == "blue"


def test_header_titles_are_matched_ignoring_spaces_marks_and_order_and_unknown_columns_are_ignored():
    result = read(xlsx(["  日期 ", "备注", "*名称", "数　量"], ["2024-01-05", "随便写", "甲", 2]))
    assert result.ok
    assert result.rows[0].data["name"] == "甲"
    assert result.rows[0].data["count"] == 2
    assert result.rows[0].data["flag"] is None  # an optional column may be left out


def test_the_header_may_follow_blank_rows_and_blank_rows_between_records_are_skipped():
    result = read(xlsx([], HEADER, ["甲", "2024-01-01"], [None, "  ", None], [], ["乙", "2024-01-02"]))
    assert [row.row_number for row in result.rows] == [3, 6]


def test_the_sheet_with_the_expected_title_is_read_even_when_it_is_not_first():
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["这里是说明"])
    data = workbook.create_sheet("数据")
    data.append(HEADER)
    data.append(["甲", "2024-01-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    assert read(buffer, sheet_title="数据").rows[0].data["name"] == "甲"


def test_numbers_in_text_columns_read_as_text_without_a_trailing_decimal():
    result = read(xlsx(HEADER, [61234567, "2024-01-01"]))
    assert result.rows[0].data["name"] == "61234567"


# --- Cell conversion ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2023, 5, 1, 0, 0), datetime.date(2023, 5, 1)),
        (datetime.date(2023, 5, 1), datetime.date(2023, 5, 1)),
        ("2023-05-01", datetime.date(2023, 5, 1)),
        (" 2023/5/1 ", datetime.date(2023, 5, 1)),
        ("2023年5月1日", datetime.date(2023, 5, 1)),
        ("2023-05-01 00:00:00", datetime.date(2023, 5, 1)),
        (45047, datetime.date(2023, 5, 1)),  # an Excel serial day number
        (None, None),
        ("   ", None),
    ],
)
def test_dates_are_read_from_excel_dates_and_text(value, expected):
    assert convert_cell(value, COLUMNS[1]) == expected


@pytest.mark.parametrize(("value", "message"), [("2023-13-01", "不是有效的日期"), ("5月1日", "YYYY-MM-DD")])
def test_unreadable_dates_are_refused(value, message):
    with pytest.raises(ValueError, match=message):
        convert_cell(value, COLUMNS[1])


@pytest.mark.parametrize(("value", "expected"), [(3, 3), (3.0, 3), ("12", 12), (" ４２ ", 42), ("7.0", 7)])
def test_integers(value, expected):
    assert convert_cell(value, COLUMNS[2]) == expected


@pytest.mark.parametrize("value", [1.5, "1.5", "三", True])
def test_non_integers_are_refused(value):
    with pytest.raises(ValueError, match="应为整数"):
        convert_cell(value, COLUMNS[2])


def test_booleans_are_yes_or_no():
    assert convert_cell("是", COLUMNS[3]) is True
    assert convert_cell("否", COLUMNS[3]) is False
    assert convert_cell(False, COLUMNS[3]) is False
    with pytest.raises(ValueError, match="“是”或“否”"):
        convert_cell("对", COLUMNS[3])


def test_choices_accept_the_label_or_the_value_and_name_the_options_otherwise():
    assert convert_cell("蓝色", COLUMNS[4]) == "blue"
    assert convert_cell("red", COLUMNS[4]) == "red"
    with pytest.raises(ValueError, match="红色、蓝色"):
        convert_cell("绿色", COLUMNS[4])


def test_normalise_title_folds_full_width_forms_and_required_marks():
    assert normalise_title(" 依据的标准（方法） *") == normalise_title("依据的标准(方法)")


# --- Errors -------------------------------------------------------------------------------------


def test_each_bad_cell_is_reported_with_its_row_number_column_title_and_value():
    result = read(
        xlsx(
            HEADER,
            ["甲", "2024-01-01", 1],
            ["乙", "2024-02-30", -1, "也许"],
            ["", "2024-01-01"],
        )
    )
    assert not result.ok
    assert result.rows[0].row_number == 2
    assert RowError(3, "日期", "不是有效的日期，当前为“2024-02-30”。") in result.errors
    assert RowError(3, "启用", "应填写“是”或“否”，当前为“也许”。") in result.errors
    assert any(e.row_number == 3 and e.column_title == "数量" and "0" in e.message for e in result.errors)
    assert RowError(4, "名称", "这个字段是必填项。") in result.errors


def test_a_bad_cell_is_not_reported_a_second_time_as_a_missing_value():
    result = read(xlsx(HEADER, ["甲", "明天"]))
    assert [(e.row_number, e.column_title) for e in result.errors] == [(2, "日期")]


def test_errors_of_the_whole_row_have_no_column_title():
    result = read(xlsx(HEADER, ["整行错误", "2024-01-01"]))
    assert result.errors == [RowError(2, "", "这一行整体不可接受。")]


def test_values_that_must_be_unique_in_the_file_are_reported_on_the_later_row():
    result = read(
        xlsx(HEADER, ["甲", "2024-01-01"], ["乙", "2024-01-01"], [" 甲 ", "2024-01-02"]), unique=[("name",)]
    )
    assert result.errors == [RowError(4, "名称", "与第 2 行的名称重复。")]


def test_the_number_of_listed_errors_is_capped():
    result = read(xlsx(HEADER, *[["", "x"] for _ in range(10)]), max_errors=4)
    assert len(result.errors) == 4
    assert result.errors_truncated


# --- Refused files --------------------------------------------------------------------------------


def test_missing_required_columns_are_named():
    error = refusal(xlsx(["名称", "数量"], ["甲", 1]))
    assert error.code == "missing_columns"
    assert "“日期”" in error.messages[0]
    assert "“名称”" not in error.messages[0]


def test_a_column_given_twice_is_refused():
    assert refusal(xlsx(["名称", "日期", "名称 "], ["甲", "2024-01-01", "乙"])).code == "duplicate_column"


def test_more_rows_than_the_limit_are_refused_with_the_limit_in_the_message():
    error = refusal(xlsx(HEADER, *[[f"行{i}", "2024-01-01"] for i in range(4)]), max_rows=3)
    assert error.code == "too_many_rows"
    assert "3 行" in error.messages[0]


def test_the_limit_counts_only_rows_with_data():
    rows = [[f"行{i}", "2024-01-01"] if i % 2 else [] for i in range(6)]
    assert len(read(xlsx(HEADER, *rows), max_rows=3).rows) == 3


@pytest.mark.parametrize(
    ("rows", "code"),
    [((), "empty"), (([], [None, ""]), "empty"), ((HEADER,), "no_rows"), ((HEADER, []), "no_rows")],
)
def test_files_without_data_are_refused(rows, code):
    assert refusal(xlsx(*rows)).code == code


def test_a_file_that_is_not_a_workbook_is_refused_with_a_clear_message():
    error = refusal(io.BytesIO("名称,日期\n甲,2024-01-01\n".encode()))
    assert error.code == "unreadable"
    assert "Excel" in error.messages[0]


# --- Bounded work ---------------------------------------------------------------------------------


@pytest.fixture
def rows_parsed(monkeypatch):
    """How many rows openpyxl has parsed out of the sheet's XML: the work done, whatever is skipped."""
    counter = {"rows": 0}
    parse_row = WorkSheetParser.parse_row

    def counting(self, element):
        counter["rows"] += 1
        return parse_row(self, element)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counting)
    return counter


def test_blank_rows_count_against_the_sheet_limit_and_reading_stops_there(rows_parsed):
    limit = excel_import.DEFAULT_MAX_ROWS + excel_import.BLANK_ROW_ALLOWANCE
    error = refusal(io.BytesIO(blank_rows_xlsx(HEADER, 50_000)))
    assert error.code == "too_many_rows"
    assert "空行" in error.messages[0] and f"{limit} 行" in error.messages[0]
    assert rows_parsed["rows"] <= limit + 1


def test_a_few_blank_rows_among_the_data_are_allowed_but_not_more_than_the_allowance():
    # The allowance covers the header and the blank rows: a sheet may have max_rows + allowance rows.
    blank = excel_import.BLANK_ROW_ALLOWANCE - 1
    first, last = [["甲", "2024-01-01"], ["乙", "2024-01-02"]], ["丙", "2024-01-03"]
    assert len(read(xlsx(HEADER, *first, *[[] for _ in range(blank)], last), max_rows=3).rows) == 3
    error = refusal(xlsx(HEADER, *first, *[[] for _ in range(blank + 1)], last), max_rows=3)
    assert error.code == "too_many_rows"


def test_a_sheet_declaring_more_rows_than_the_limit_is_refused_before_any_row_is_read(rows_parsed):
    error = refusal(io.BytesIO(blank_rows_xlsx(HEADER, 10, dimension="A1:H1000000")))
    assert error.code == "too_many_rows"
    assert rows_parsed["rows"] == 0


def test_a_declared_size_smaller_than_the_sheet_hides_no_rows():
    written = zipfile.ZipFile(xlsx(HEADER, ["甲", "2024-01-01"], ["乙", "2024-01-02"])).read(SHEET_PART)
    understated = written.replace(b'<dimension ref="A1:E3"', b'<dimension ref="A1:E1"')
    assert understated != written
    result = read(io.BytesIO(xlsx_with_sheet_xml(understated)))
    assert [row.data["name"] for row in result.rows] == ["甲", "乙"]


@pytest.mark.parametrize("limit", ["MAX_PART_BYTES", "MAX_PACKAGE_BYTES"])
def test_a_package_that_unpacks_beyond_the_limit_is_refused_before_it_is_parsed(monkeypatch, limit):
    content = blank_rows_xlsx(HEADER, 2_000)
    monkeypatch.setattr(excel_import, limit, 50_000)

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the package was parsed")

    monkeypatch.setattr(excel_import, "load_workbook", must_not_parse)
    error = refusal(io.BytesIO(content))
    assert error.code == "too_large"
    assert "解压" in error.messages[0]


# --- Templates and export columns -----------------------------------------------------------------


def test_the_template_has_the_header_an_example_row_and_a_guide_describing_every_column():
    response = xlsx_template_response(
        filename="示例导入模板", sheet_title="数据", columns=COLUMNS, notes=["名称不能重复。"]
    )
    assert response["Content-Disposition"].endswith("%E6%A8%A1%E6%9D%BF.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["数据", "说明"]
    rows = list(workbook["数据"].iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert rows[1] == ("示例名称", datetime.datetime(2024, 3, 1), 3, "是", "蓝色")
    guide = list(workbook["说明"].iter_rows(values_only=True))
    assert guide[0] == ("列名", "是否必填", "格式要求", "示例")
    by_title = {row[0]: row for row in guide[1 : len(COLUMNS) + 1]}
    assert by_title["名称"][1] == "必填"
    assert by_title["数量"][1:3] == ("选填", "整数。不能为负数。")
    assert "YYYY-MM-DD" in by_title["日期"][2]
    assert "红色、蓝色" in by_title["颜色"][2]
    notes = [row[0] for row in guide[len(COLUMNS) + 1 :] if row and row[0]]
    assert any("名称不能重复" in note for note in notes)
    assert any("删除" in note and "示例" in note for note in notes)
    assert any("5000" in note for note in notes)


def test_the_template_offers_a_list_of_choices_in_choice_columns():
    response = xlsx_template_response(filename="t", sheet_title="数据", columns=COLUMNS)
    validations = load_workbook(io.BytesIO(response.content))["数据"].data_validations.dataValidation
    formulas = {validation.formula1 for validation in validations}
    assert '"红色,蓝色"' in formulas
    assert '"是,否"' in formulas


def test_a_template_with_its_example_row_reads_back():
    response = xlsx_template_response(filename="t", sheet_title="数据", columns=COLUMNS)
    result = read(io.BytesIO(response.content), sheet_title="数据")
    assert result.ok
    assert result.rows[0].data == {
        "name": "示例名称",
        "day": datetime.date(2024, 3, 1),
        "count": 3,
        "flag": True,
        "colour": "blue",
    }


def test_export_columns_show_labels_under_the_import_titles():
    class Row:
        name, day, count, flag, colour = "甲", datetime.date(2024, 1, 1), 2, False, "red"

    columns = [column.export_column() for column in COLUMNS]
    assert [column.title for column in columns] == HEADER
    assert [column.value_of(Row()) for column in columns] == [
        "甲",
        datetime.date(2024, 1, 1),
        2,
        "否",
        "红色",
    ]
