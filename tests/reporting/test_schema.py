"""A report template's fields as data (reporting.schema) and the filling form built from them
(reporting.forms.ReportForm): every field type's valid and invalid answers with their Chinese errors, the
limits (a percentage is 0–100 unless the template says otherwise), required answers only when handing in
(a draft may be partial), how answers are stored, read back, shown and exported, the 50 % change rule,
and the checks of a template's fields (TemplateField.clean, validate_schema)."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError

from reporting import schema
from reporting.choices import FieldType
from reporting.forms import ReportForm
from reporting.models import ReportTemplate, TemplateField
from reporting.schema import FieldSpec
from tests.reporting.factories import builtin

T = FieldType

REVENUE = FieldSpec(key="revenue", label="营业收入", type=T.MONEY, required=True, min_value="0.0000")
SHARE = FieldSpec(key="share", label="检验检测收入占比", type=T.PERCENT)
REPORTS = FieldSpec(
    key="reports",
    label="出具报告数",
    type=T.INTEGER,
    unit="份",
    required=True,
    min_value="0.0000",
    max_value="10000.0000",
)
AREA = FieldSpec(key="area", label="实验室面积", type=T.DECIMAL, unit="㎡", required=True)
NAME = FieldSpec(key="name", label="负责人", type=T.TEXT, required=True)
REMARKS = FieldSpec(key="remarks", label="情况说明", type=T.LONG_TEXT)
REVIEWED = FieldSpec(key="reviewed_on", label="评审日期", type=T.DATE, required=True)
NATURE = FieldSpec(
    key="nature", label="机构性质", type=T.SINGLE, required=True, options=("国有", "民营", "外资")
)
FIELDS = FieldSpec(
    key="fields", label="服务领域", type=T.MULTIPLE, required=True, options=("食品", "水质", "机械")
)
SPECIALIZED = FieldSpec(key="specialized", label="是否专精特新企业", type=T.BOOLEAN, required=True)

ALL = [REVENUE, SHARE, REPORTS, AREA, NAME, REMARKS, REVIEWED, NATURE, FIELDS, SPECIALIZED]


def clean(spec: FieldSpec, value, *, submitting: bool = True):
    return schema.form_field(spec, required=submitting).clean(value)


def error_of(spec: FieldSpec, value, *, submitting: bool = True) -> list[str]:
    with pytest.raises(forms.ValidationError) as caught:
        clean(spec, value, submitting=submitting)
    return caught.value.messages


def report_form(data, *, specs=ALL, submitting=True, previous=None, stored=None, explanations=None):
    return ReportForm(
        data,
        specs=specs,
        submitting=submitting,
        previous=previous or {},
        stored=stored or {},
        explanations=explanations or {},
    )


# --- Valid answers of every type -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (REPORTS, "5200", 5200),
        (REPORTS, "12.0", 12),
        (REPORTS, "0", 0),
        (REVENUE, "1200.50", Decimal("1200.50")),
        (REVENUE, "12345678901234.5", Decimal("12345678901234.5")),  # 14 digits before the point
        (AREA, "5200.1234", Decimal("5200.1234")),
        (SHARE, "0", Decimal("0")),
        (SHARE, "100", Decimal("100")),
        (SHARE, "83.35", Decimal("83.35")),
        (NAME, "  王工程师  ", "王工程师"),
        (REMARKS, "第一行\n第二行", "第一行\n第二行"),
        (REVIEWED, "2026-01-31", datetime.date(2026, 1, 31)),
        (NATURE, "民营", "民营"),
        (FIELDS, ["水质", "食品"], ["水质", "食品"]),
        (SPECIALIZED, "yes", True),
        (SPECIALIZED, "no", False),
    ],
)
def test_a_valid_answer_of_each_type_is_cleaned_to_its_python_value(spec, value, expected):
    assert clean(spec, value) == expected


# --- Invalid answers, with the exact message ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        (REPORTS, "1.5", "「出具报告数」请填写整数。"),
        (REPORTS, "五千", "「出具报告数」请填写整数。"),
        (REPORTS, "-1", "「出具报告数」不能小于 0。"),
        (REPORTS, "10001", "「出具报告数」不能大于 10000。"),
        (REVENUE, "abc", "「营业收入」请填写数字。"),
        (REVENUE, "NaN", "「营业收入」请填写数字。"),
        (REVENUE, "-0.01", "「营业收入」不能小于 0。"),
        (REVENUE, "1.234", "「营业收入」最多保留 2 位小数。"),
        (REVENUE, "123456789012345", "「营业收入」数值过大。"),
        (AREA, "1.23456", "「实验室面积」最多保留 4 位小数。"),
        (AREA, "十", "「实验室面积」请填写数字。"),
        (SHARE, "100.01", "「检验检测收入占比」不能大于 100。"),
        (SHARE, "-1", "「检验检测收入占比」不能小于 0。"),
        (SHARE, "50.555", "「检验检测收入占比」最多保留 2 位小数。"),
        (NAME, "王" * (schema.TEXT_MAX + 1), "「负责人」最多 200 个字。"),
        (REVIEWED, "2026-02-30", "「评审日期」请按 2026-01-31 的格式填写日期。"),
        (REVIEWED, "31-01-2026", "「评审日期」请按 2026-01-31 的格式填写日期。"),
        (NATURE, "集体", "「机构性质」请从选项中选择。"),
        (FIELDS, ["食品", "纺织"], "「服务领域」请从选项中选择。"),
        (SPECIALIZED, "maybe", "「是否专精特新企业」请选择是或否。"),
    ],
)
def test_an_invalid_answer_is_refused_with_its_chinese_message(spec, value, message):
    assert error_of(spec, value) == [message]
    assert error_of(spec, value, submitting=False) == [message]  # a draft checks the type too


def test_a_long_text_is_limited_to_5000_characters():
    assert clean(REMARKS, "字" * schema.LONG_TEXT_MAX) == "字" * schema.LONG_TEXT_MAX
    assert error_of(REMARKS, "字" * (schema.LONG_TEXT_MAX + 1)) == ["「情况说明」最多 5000 个字。"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (REVENUE, "请填写「营业收入」。"),
        (REPORTS, "请填写「出具报告数」。"),
        (AREA, "请填写「实验室面积」。"),
        (NAME, "请填写「负责人」。"),
        (REVIEWED, "请填写「评审日期」。"),
        (NATURE, "请填写「机构性质」。"),
        (FIELDS, "请至少选择一项「服务领域」。"),
        (SPECIALIZED, "请填写「是否专精特新企业」。"),
    ],
)
def test_a_required_answer_is_required_on_submit_only(spec, message):
    empty = [] if spec.type == T.MULTIPLE else ""
    assert error_of(spec, empty) == [message]
    assert clean(spec, empty, submitting=False) in (None, "", [])


def test_an_optional_field_may_stay_empty_on_submit():
    assert clean(SHARE, "") is None
    assert clean(REMARKS, "") == ""


# --- Limits -----------------------------------------------------------------------------------------------


def test_a_percentage_is_between_0_and_100_unless_the_template_narrows_it():
    assert SHARE.bounds() == (Decimal(0), Decimal(100))
    narrowed = FieldSpec(key="s", label="合格率", type=T.PERCENT, min_value="10.0000", max_value="90.5000")
    assert narrowed.bounds() == (Decimal(10), Decimal("90.5"))
    assert error_of(narrowed, "9.99") == ["「合格率」不能小于 10。"]
    assert error_of(narrowed, "90.51") == ["「合格率」不能大于 90.5。"]
    assert clean(narrowed, "90.5") == Decimal("90.5")


def test_a_number_without_limits_accepts_negatives():
    balance = FieldSpec(key="profit", label="利润总额", type=T.MONEY)
    assert balance.bounds() == (None, None)
    assert clean(balance, "-35.5") == Decimal("-35.5")


def test_limits_apply_to_decimals_with_their_own_places():
    spec = FieldSpec(key="ratio", label="比值", type=T.DECIMAL, min_value="0.2500", max_value="1.7500")
    assert error_of(spec, "0.2499") == ["「比值」不能小于 0.25。"]
    assert error_of(spec, "1.7501") == ["「比值」不能大于 1.75。"]
    assert clean(spec, "1.75") == Decimal("1.75")


# --- The whole form ----------------------------------------------------------------------------------


def test_a_draft_accepts_a_partial_form():
    form = report_form({"revenue": "1200", "nature": "国有"}, submitting=False)
    assert form.is_valid(), form.errors
    values = form.values()
    assert values["revenue"] == Decimal("1200") and values["nature"] == "国有"
    assert values["reports"] is None and values["fields"] == [] and values["specialized"] is None


def test_a_draft_still_refuses_a_wrong_type():
    form = report_form({"revenue": "一千二百", "reports": "3.5"}, submitting=False)
    assert not form.is_valid()
    assert form.errors == {"revenue": ["「营业收入」请填写数字。"], "reports": ["「出具报告数」请填写整数。"]}


def test_submitting_names_every_missing_required_answer():
    form = report_form({"revenue": "1200"}, submitting=True)
    assert not form.is_valid()
    assert set(form.errors) == {"reports", "area", "name", "reviewed_on", "nature", "fields", "specialized"}
    assert form.errors["fields"] == ["请至少选择一项「服务领域」。"]
    assert [item["message"] for item in form.error_items()][:2] == [
        "请填写「出具报告数」。",
        "请填写「实验室面积」。",
    ]


def test_a_complete_submission_is_valid():
    data = {
        "revenue": "1200.5",
        "share": "80",
        "reports": "5200",
        "area": "5200.5",
        "name": "王工程师",
        "remarks": "",
        "reviewed_on": "2025-06-18",
        "nature": "民营",
        "fields": ["食品", "机械"],
        "specialized": "no",
    }
    form = report_form(data)
    assert form.is_valid(), form.errors
    stored = {spec.key: schema.to_stored(spec, form.values()[spec.key]) for spec in ALL}
    assert stored == {
        "revenue": "1200.5",
        "share": "80",
        "reports": 5200,
        "area": "5200.5",
        "name": "王工程师",
        "remarks": None,
        "reviewed_on": "2025-06-18",
        "nature": "民营",
        "fields": ["食品", "机械"],
        "specialized": False,
    }


def test_a_radio_question_offers_no_please_choose_answer():
    form = report_form({}, submitting=False)
    assert [value for value, _label in form.fields["nature"].choices] == ["国有", "民营", "外资"]
    assert [value for value, _label in form.fields["specialized"].choices] == ["yes", "no"]


def test_an_unstarted_report_is_prefilled_from_last_period_and_a_started_one_from_its_own():
    previous = {"revenue": "1000", "specialized": True, "fields": ["水质"]}
    fresh = report_form(None, submitting=False, previous=previous)
    assert fresh.initial["revenue"] == Decimal("1000") and fresh.initial["specialized"] == "yes"
    assert fresh.initial["fields"] == ["水质"]
    started = report_form(None, submitting=False, previous=previous, stored={"revenue": "1100"})
    assert started.initial == {"revenue": Decimal("1100")}


def test_a_numeric_field_answered_last_period_gets_an_explanation_box():
    form = report_form(None, previous={"revenue": "1000", "name": "李工", "reports": 100})
    assert "explain_revenue" in form.fields and "explain_reports" in form.fields
    assert "explain_name" not in form.fields  # text is not compared
    assert "explain_area" not in form.fields  # not answered last period


def complete(**overrides) -> dict:
    data = {
        "revenue": "1000",
        "reports": "100",
        "area": "10",
        "name": "王工",
        "reviewed_on": "2025-06-18",
        "nature": "国有",
        "fields": ["食品"],
        "specialized": "yes",
    }
    data.update(overrides)
    return data


def test_a_large_change_needs_an_explanation_on_submit():
    previous = {"revenue": "1000", "reports": 100}
    form = report_form(complete(revenue="1600"), previous=previous)
    assert not form.is_valid()
    assert form.errors == {
        "explain_revenue": ["「营业收入」与上期（1,000 万元）相比变动超过 50%，请填写变动说明。"]
    }
    explained = report_form(complete(revenue="1600", explain_revenue="新增环境检测业务。"), previous=previous)
    assert explained.is_valid(), explained.errors
    assert explained.explanations() == {"revenue": "新增环境检测业务。", "reports": ""}


def test_a_large_change_may_stay_unexplained_in_a_draft():
    form = report_form({"revenue": "1600"}, submitting=False, previous={"revenue": "1000"})
    assert form.is_valid(), form.errors


def test_a_change_of_exactly_half_needs_no_explanation():
    form = report_form(complete(revenue="1500", reports="50"), previous={"revenue": "1000", "reports": 100})
    assert form.is_valid(), form.errors


# --- Stored values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "cleaned", "stored", "read_back"),
    [
        (REPORTS, 5200, 5200, 5200),
        (REPORTS, 0, 0, 0),
        (REVENUE, Decimal("1200.50"), "1200.50", Decimal("1200.50")),
        (REVENUE, Decimal("0"), "0", Decimal("0")),
        (AREA, Decimal("5200.1234"), "5200.1234", Decimal("5200.1234")),
        (SHARE, Decimal("83.3"), "83.3", Decimal("83.3")),
        (NAME, "王工程师", "王工程师", "王工程师"),
        (REMARKS, "运营平稳。", "运营平稳。", "运营平稳。"),
        (REVIEWED, datetime.date(2025, 6, 18), "2025-06-18", datetime.date(2025, 6, 18)),
        (NATURE, "外资", "外资", "外资"),
        (FIELDS, ["机械", "食品"], ["食品", "机械"], ["食品", "机械"]),  # in the template's order
        (SPECIALIZED, True, True, True),
        (SPECIALIZED, False, False, False),
    ],
)
def test_an_answer_round_trips_through_its_stored_form(spec, cleaned, stored, read_back):
    assert schema.to_stored(spec, cleaned) == stored
    assert schema.from_stored(spec, stored) == read_back


@pytest.mark.parametrize("spec", ALL)
@pytest.mark.parametrize("empty", [None, "", []])
def test_an_empty_answer_is_not_stored(spec, empty):
    assert schema.to_stored(spec, empty) is None
    assert schema.from_stored(spec, None) is None
    assert schema.display(spec, None) == "—"
    assert schema.cell(spec, None) is None


@pytest.mark.parametrize(
    ("spec", "stored"), [(REPORTS, "很多"), (REVENUE, "abc"), (REVIEWED, "2026-13-01"), (REVIEWED, 20260101)]
)
def test_an_unreadable_stored_value_reads_as_missing(spec, stored):
    assert schema.from_stored(spec, stored) is None
    assert schema.display(spec, stored) == "—"


def test_a_stored_value_becomes_the_forms_initial_value():
    assert schema.to_initial(SPECIALIZED, True) == "yes"
    assert schema.to_initial(SPECIALIZED, False) == "no"
    assert schema.to_initial(SPECIALIZED, None) is None
    assert schema.to_initial(REVIEWED, "2025-06-18") == datetime.date(2025, 6, 18)
    assert schema.to_initial(REVENUE, "12.50") == Decimal("12.50")


@pytest.mark.parametrize(
    ("spec", "stored", "shown", "in_cell"),
    [
        (REPORTS, 5200, "5,200 份", 5200),
        (REPORTS, 0, "0 份", 0),
        (REVENUE, "1200.50", "1,200.5 万元", Decimal("1200.50")),
        (REVENUE, "3600", "3,600 万元", Decimal("3600")),
        (AREA, "5200.5", "5,200.5 ㎡", Decimal("5200.5")),
        (SHARE, "83.30", "83.3%", Decimal("83.30")),
        (NAME, "王工程师", "王工程师", "王工程师"),
        (REVIEWED, "2025-06-18", "2025-06-18", datetime.date(2025, 6, 18)),
        (NATURE, "民营", "民营", "民营"),
        (FIELDS, ["食品", "水质"], "食品、水质", "食品、水质"),
        (SPECIALIZED, True, "是", "是"),
        (SPECIALIZED, False, "否", "否"),
    ],
)
def test_a_stored_answer_is_shown_in_words_and_exported_as_a_cell(spec, stored, shown, in_cell):
    assert schema.display(spec, stored) == shown
    assert schema.cell(spec, stored) == in_cell


def test_an_empty_multiple_choice_is_shown_as_a_dash():
    assert schema.display(FIELDS, []) == "—"


def test_a_title_carries_the_unit_once():
    assert REVENUE.title == "营业收入（万元）"
    assert SHARE.title == "检验检测收入占比（%）"
    assert REPORTS.title == "出具报告数（份）"
    assert NAME.title == "负责人"
    assert FieldSpec(key="x", label="营业收入（万元）", type=T.MONEY).title == "营业收入（万元）"


def test_a_spec_survives_its_dict_form():
    assert FieldSpec.from_dict(NATURE.as_dict()) == NATURE
    assert NATURE.as_dict()["options"] == ["国有", "民营", "外资"]


# --- Change against the previous period ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "previous", "ratio", "explain"),
    [
        (REVENUE, "1500", "1000", Decimal("0.5"), False),
        (REVENUE, "1500.01", "1000", Decimal("0.50001"), True),
        (REVENUE, "499.99", "1000", Decimal("0.50001"), True),
        (REVENUE, "500", "1000", Decimal("0.5"), False),
        (REPORTS, 40, 100, Decimal("0.6"), True),
        (REPORTS, 100, 100, Decimal("0"), False),
        (REPORTS, 5, 0, Decimal(1), True),  # from 0 to anything is a change of 100 %
        (REPORTS, 0, 0, Decimal(0), False),
        (REVENUE, "-20", "-10", Decimal(1), True),
        (REVENUE, None, "1000", None, False),
        (REVENUE, "1000", None, None, False),
        (NAME, "王工", "李工", None, False),
        (SPECIALIZED, True, False, None, False),
    ],
)
def test_the_change_against_last_period(spec, value, previous, ratio, explain):
    assert schema.change_ratio(spec, value, previous) == ratio
    assert schema.needs_explanation(spec, value, previous) is explain


def test_changed_keys_and_explanation_errors_name_only_the_unexplained_large_changes():
    specs = [REVENUE, REPORTS, AREA, NAME]
    values = {"revenue": "3000", "reports": 10, "area": "10", "name": "王工"}
    previous = {"revenue": "1000", "reports": 100, "area": "10", "name": "李工"}
    assert schema.changed_keys(specs, values, previous) == ["revenue", "reports"]
    errors = schema.explanation_errors(specs, values, previous, {"reports": "业务调整。", "revenue": "  "})
    assert errors == {"revenue": "「营业收入」与上期（1,000 万元）相比变动超过 50%，请填写变动说明。"}


# --- A template's fields ------------------------------------------------------------------------------------


@pytest.fixture
def template(db):
    return ReportTemplate.objects.create(name="检测机构季度数据")


def field_of(template, **facts) -> TemplateField:
    return TemplateField(template=template, key=facts.pop("key", "staff"), label="人数", **facts)


def field_errors(field: TemplateField) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        field.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("facts", "errors"),
    [
        (
            {"field_type": T.SINGLE, "options": "甲"},
            {"options": ["单选、多选题至少需要两个选项，每行一个。"]},
        ),
        (
            {"field_type": T.MULTIPLE, "options": ""},
            {"options": ["单选、多选题至少需要两个选项，每行一个。"]},
        ),
        ({"field_type": T.MULTIPLE, "options": "甲\n乙\n 甲 "}, {"options": ["选项不能重复。"]}),
        (
            {"field_type": T.SINGLE, "options": "\n".join(f"选项{n}" for n in range(51))},
            {"options": ["选项最多 50 个。"]},
        ),
        ({"field_type": T.TEXT, "options": "甲\n乙"}, {"options": ["只有单选、多选题需要填写选项。"]}),
        (
            {"field_type": T.INTEGER, "min_value": Decimal(10), "max_value": Decimal(5)},
            {"max_value": ["最大值不能小于最小值。"]},
        ),
        (
            {"field_type": T.TEXT, "min_value": Decimal(1)},
            {"min_value": ["只有数值类字段可以设置最小值和最大值。"]},
        ),
        (
            {"field_type": T.LONG_TEXT, "max_value": Decimal(1)},
            {"min_value": ["只有数值类字段可以设置最小值和最大值。"]},
        ),
        (
            {"field_type": T.DATE, "max_value": Decimal(1)},
            {"min_value": ["只有数值类字段可以设置最小值和最大值。"]},
        ),
        (
            {"field_type": T.BOOLEAN, "min_value": Decimal(0)},
            {"min_value": ["只有数值类字段可以设置最小值和最大值。"]},
        ),
        (
            {"field_type": T.INTEGER, "key": "Staff"},
            {"key": ["以小写字母开头，只含小写字母、数字和下划线，最多 40 个字符。"]},
        ),
        (
            {"field_type": T.INTEGER, "key": "1staff"},
            {"key": ["以小写字母开头，只含小写字母、数字和下划线，最多 40 个字符。"]},
        ),
    ],
)
def test_a_faulty_template_field_is_refused_with_the_reason(template, facts, errors):
    assert field_errors(field_of(template, **facts)) == errors


@pytest.mark.parametrize(
    "facts",
    [
        {"field_type": T.SINGLE, "options": "甲\n\n乙\n"},
        {"field_type": T.MULTIPLE, "options": "\n".join(f"选项{n}" for n in range(50))},
        {"field_type": T.INTEGER, "min_value": Decimal(5), "max_value": Decimal(5)},
        {"field_type": T.MONEY, "min_value": Decimal(0)},
        {"field_type": T.PERCENT, "max_value": Decimal(80)},
        {"field_type": T.TEXT},
        {"field_type": T.BOOLEAN},
    ],
)
def test_a_sound_template_field_is_accepted(template, facts):
    field_of(template, **facts).full_clean()


def test_blank_lines_and_spaces_around_options_are_ignored(template):
    assert field_of(template, field_type=T.SINGLE, options=" 甲 \n\n乙\n").option_list == ["甲", "乙"]


def test_a_template_freezes_its_fields_in_order_as_specs(template):
    template.fields.create(position=20, key="kind", label="性质", field_type=T.SINGLE, options="国有\n民营")
    template.fields.create(
        position=10, key="revenue", label="营业收入", field_type=T.MONEY, min_value=Decimal("0"), group="经营"
    )
    frozen = template.schema()
    assert [item["key"] for item in frozen] == ["revenue", "kind"]
    revenue, kind = schema.specs_of(frozen)
    assert revenue.min_value == "0.0000" and revenue.max_value is None and revenue.group == "经营"
    assert revenue.bounds() == (Decimal(0), None)
    assert kind.options == ("国有", "民营") and kind.required
    schema.validate_schema(frozen)


def test_the_builtin_institution_template_can_be_filled_in(db):
    frozen = builtin().schema()
    schema.validate_schema(frozen)
    specs = {spec.key: spec for spec in schema.specs_of(frozen)}
    assert specs["revenue"].type == T.MONEY and specs["revenue"].required
    assert error_of(specs["revenue"], "-1") == ["「营业收入」不能小于 0。"]
    assert specs["service_fields"].options[:2] == ("食品", "建筑工程")


@pytest.mark.parametrize(
    ("frozen", "message"),
    [
        ([], "模板至少需要一个字段。"),
        ([REVENUE.as_dict(), {**SHARE.as_dict(), "key": "revenue"}], "模板的字段标识不能重复。"),
        ([{**NATURE.as_dict(), "options": ["国有"]}], "「机构性质」是选择题，至少需要两个选项。"),
        ([{**FIELDS.as_dict(), "options": []}], "「服务领域」是选择题，至少需要两个选项。"),
    ],
)
def test_a_schema_that_cannot_be_filled_in_is_refused(frozen, message):
    with pytest.raises(ValidationError) as caught:
        schema.validate_schema(frozen)
    assert caught.value.messages == [message]


def test_an_unknown_field_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown field type"):
        schema.form_field(FieldSpec(key="x", label="x", type="rating"), required=True)
