"""The downloadable manual's numbering: one number per section, the table of contents and the
cross-references (见第N节) agreeing with the headings."""

import re

import pytest
from django.urls import reverse

DIGITS = "一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 20 → 二十 (enough for a manual's sections)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens - 1] + "十")
    return head + ("" if ones == 0 else DIGITS[ones - 1])


@pytest.fixture
def manual(client) -> str:
    return client.get(reverse("portal:manual_download")).content.decode()


def sections_of(html: str) -> list[tuple[str, str, str]]:
    """(id, number, title) of each numbered section, in order."""
    return re.findall(r'<section id="([^"]+)">\s*<h2>([^、<]+)、([^<]+)</h2>', html)


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 14, 20, 23)] == [
        "一",
        "九",
        "十",
        "十一",
        "十四",
        "二十",
        "二十三",
    ]


def test_every_section_has_its_own_number_in_order(manual):
    sections = sections_of(manual)
    assert len(sections) == manual.count("<section ")
    assert [number for _id, number, _title in sections] == [
        chinese_number(n) for n in range(1, len(sections) + 1)
    ]
    assert "（续）" not in manual


def test_the_table_of_contents_lists_every_section_and_links_to_it(manual):
    toc = re.search(r'<nav class="toc"[^>]*>(.*?)</nav>', manual, re.S).group(1)
    entries = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', toc)
    assert entries == [(section_id, title) for section_id, _number, title in sections_of(manual)]


def test_cross_references_name_the_section_they_mean(manual):
    number_of = {title: number for _id, number, title in sections_of(manual)}
    references = re.findall(r"见第(.+?)节", manual)
    assert references and set(references) <= set(number_of.values())
    assert f"添加更多用户（见第{number_of['用户管理（机构管理员）']}节）" in manual
    assert f"按“首要工作”清单继续（见第{number_of['首页（01）']}节）" in manual


def test_the_download_date_is_written_in_the_project_format(manual):
    assert re.search(r"下载日期：\d{4}-\d{2}-\d{2}</p>", manual)
