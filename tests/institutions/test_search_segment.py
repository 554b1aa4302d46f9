"""Segmentation and standard-number normalisation of the capability search (institutions.search)."""

import pytest

from institutions.search.query import Piece, highlight, highlight_terms, query_pieces
from institutions.search.segment import normalise_standards, search_dictionary_words, segment


def test_two_character_words_are_kept():
    assert "水质" in segment("生活饮用水水质检测")
    assert "水质" in segment("水质 pH值的测定")
    assert "钢筋" in segment("钢筋混凝土用热轧带肋钢筋")
    assert "混凝土" in segment("钢筋混凝土用热轧带肋钢筋")


def test_a_single_meaningful_character_is_kept_stop_characters_and_punctuation_are_not():
    terms = segment("食品中铅的测定，（方法一）：")
    assert "铅" in terms
    assert not {"中", "的", "，", "（", "）", "：", ""} & set(terms)


def test_ascii_is_lower_cased_and_terms_are_distinct():
    terms = segment("pH值 PH值 ph")
    assert terms.count("ph") == 1


@pytest.mark.parametrize(
    ("spelling", "tokens"),
    [
        ("GB 5009.12", {"gb5009", "gb5009.12"}),
        ("GB5009.12-2017", {"gb5009", "gb5009.12"}),
        ("gb 5009.12—2023", {"gb5009", "gb5009.12"}),
        ("GB/T 5750", {"gbt5750"}),
        ("GB/T5750", {"gbt5750"}),
        ("GBT 5750", {"gbt5750"}),
        ("gb/t5750.5-2006", {"gbt5750", "gbt5750.5"}),
        ("GB/T 5750.5–2006", {"gbt5750", "gbt5750.5"}),
        ("DB32/T 1234-2020", {"db32t1234"}),
        ("JGJ/T 23-2011", {"jgjt23"}),
        ("HJ 84-2016", {"hj84"}),
        ("ISO/IEC 17025", {"isoiec17025"}),
    ],
)
def test_standard_numbers_are_normalised(spelling, tokens):
    found, rest = normalise_standards(spelling)
    assert set(found) == tokens
    assert rest.strip() == ""
    assert tokens <= set(segment(f"依据 {spelling} 测定"))


def test_every_spelling_of_one_standard_gives_the_same_tokens():
    spellings = ["GB 5009.12-2017", "GB5009.12", "gb 5009.12—2017", "GB 5009.12 -2017"]
    assert len({frozenset(normalise_standards(s)[0]) for s in spellings}) == 1


def test_the_family_token_lets_a_shorter_number_find_its_parts():
    assert "gb5009" in segment("GB 5009.12-2017 食品中铅的测定")
    assert "gb5009" in segment("GB 5009.3-2016 食品中水分的测定")
    assert "gb50091" not in segment("GB 5009.12-2017")


def test_not_every_letters_and_digits_is_a_standard():
    found, _rest = normalise_standards("pH 6.5～8.5，COD 50 mg/L")
    assert found == []


def test_the_query_is_cut_into_pieces_that_must_all_match():
    pieces = query_pieces(q="GB/T 5750.4 水质")
    assert pieces[0] == Piece("", ("gbt5750.4",))
    assert pieces[1].text == "水质" and "水质" in pieces[1].tokens
    assert query_pieces(q="GB 5009") == [Piece("", ("gb5009",))]
    assert query_pieces(q="  ，。 ") == []


def test_the_user_dictionary_is_chinese_bounded_and_most_frequent_first():
    words = search_dictionary_words(
        ["热轧带肋钢筋", "热轧带肋钢筋", "pH值", "铅", "混凝土抗压强度 GB/T 50081"]
    )
    assert words[0] == "热轧带肋钢筋"
    assert "混凝土抗压强度" in words
    assert "pH值" not in words and "铅" not in words


def test_highlight_escapes_first_then_marks():
    html = highlight("<script>alert(1)</script>钢筋拉伸", ["钢筋", "script"])
    assert "<script>" not in html
    assert "&lt;<mark>script</mark>&gt;" in html
    assert "<mark>钢筋</mark>拉伸" in html


def test_highlight_finds_a_standard_number_as_written():
    terms = highlight_terms(query_pieces(q="gb/t5750"))
    assert highlight("GB/T 5750.4-2006 生活饮用水", terms) == "<mark>GB/T 5750</mark>.4-2006 生活饮用水"
    assert highlight("", terms) == ""
