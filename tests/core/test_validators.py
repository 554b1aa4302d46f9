import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sujt.core.validators import (
    id_card_check_char,
    mask_id_card,
    mask_phone,
    parse_cma_number,
    validate_cma_number,
    validate_id_card,
    validate_mobile,
    validate_uscc,
)


def error_code(validator, value) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value.code


# --- 统一社会信用代码 (GB 32100) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "91320102MA1N00008W",  # letter check character
        "91320102MA1N000090",  # remainder 0 → check character "0"
        "91320102MA1N00018X",
        "123200004660000004",  # a public institution (事业单位)
    ],
)
def test_uscc_with_correct_check_character_is_accepted(value):
    validate_uscc(value)


def test_uscc_is_accepted_in_lower_case_and_with_spaces_around():
    validate_uscc("  91320102ma1n00008w ")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91320102MA1N00008", "uscc_length"),
        ("91320102MA1N00008WW", "uscc_length"),
        ("", "uscc_length"),
        ("91320102MA1N0000IW", "uscc_chars"),  # I is not in the character set
        ("91320102MA1N0000OW", "uscc_chars"),  # nor O
        ("913201A2MA1N00008W", "uscc_chars"),  # digits 3–8 are the region code
        ("91320102MA1N00008X", "uscc_checksum"),
        ("91320102MA1N000091", "uscc_checksum"),
    ],
)
def test_uscc_refused_with_the_reason(value, code):
    assert error_code(validate_uscc, value) == code


def test_uscc_messages_are_chinese():
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc("91320102MA1N00008X")
    assert "校验位不正确" in excinfo.value.messages[0]


# --- 身份证号 (GB 11643) --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x", "320102199003071239"])
def test_id_card_with_correct_check_digit_is_accepted(value):
    validate_id_card(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_card_checksum"),  # the X check digit written as 1
        ("320102199003071230", "id_card_checksum"),
        ("11010519491231002", "id_card_format"),
        ("1101051949123100211", "id_card_format"),
        ("11010519491231002Y", "id_card_format"),
        ("320102199002301234", "id_card_birth"),  # 30 February
        ("320102199013011234", "id_card_birth"),  # month 13
        ("320102189912311234", "id_card_birth"),  # born before 1900
        ("320102209901011234", "id_card_birth"),  # born in the future
    ],
)
def test_id_card_refused_with_the_reason(value, code):
    assert error_code(validate_id_card, value) == code


def test_id_card_birth_dates_are_checked_against_the_platforms_local_date(monkeypatch):
    # 01:00 on 23 November in Jiangsu, still 22 November in UTC: someone born on the 23rd exists, someone
    # born on the 24th not yet.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 11, 22, 17, 0, tzinfo=datetime.UTC))
    born_today, born_tomorrow = "32010220261123123", "32010220261124123"
    validate_id_card(born_today + id_card_check_char(born_today))
    assert error_code(validate_id_card, born_tomorrow + id_card_check_char(born_tomorrow)) == "id_card_birth"


def test_id_card_and_phone_masks_hide_the_middle():
    assert mask_id_card("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_card("") == ""


# --- mobile -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["13912345678", "19912345678", "15000000000"])
def test_mobile_accepted(value):
    validate_mobile(value)


@pytest.mark.parametrize(
    "value", ["12912345678", "1391234567", "139123456789", "2391234567a", "", "+8613912345678"]
)
def test_mobile_refused(value):
    assert error_code(validate_mobile, value) == "mobile"


# --- CMA certificate number -------------------------------------------------------------------------


def test_cma_number_is_parsed_into_its_parts():
    parsed = parse_cma_number("231001050123")
    assert parsed.issue_year == 2023
    assert parsed.authority_code == "10"
    assert parsed.issued_by_jiangsu
    assert parsed.authority_name == "江苏省市场监督管理局"
    assert parsed.field_code == "01"
    assert parsed.field_name == "建筑工程"
    assert parsed.department_code == "05"
    assert parsed.serial == "0123"


def test_cma_number_of_another_authority_is_not_jiangsu():
    parsed = parse_cma_number("190020000001")
    assert not parsed.issued_by_jiangsu
    assert parsed.authority_name == "国家认证认可监督管理委员会"
    assert parsed.field_name == "综合"


@pytest.mark.parametrize(
    ("value", "code"),
    [("23100105012", "cma_format"), ("2310010501234", "cma_format"), ("23100105012A", "cma_format"),
     ("231022050123", "cma_field")],
)  # fmt: skip
def test_cma_number_refused_with_the_reason(value, code):
    assert error_code(validate_cma_number, value) == code
