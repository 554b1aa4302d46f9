"""The shared pagination partial links to the pages around the current one, however many there are."""

import re

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _render(count: int, number: int, query: str = "") -> str:
    page = Paginator(range(count), 20).page(number)
    request = RequestFactory().get(f"/list/?{query}")
    return render_to_string("includes/pagination.html", {"page": page, "request": request}, request=request)


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r">(\d+)</(?:a|span)>", html)]


def test_a_single_page_has_no_pagination():
    assert _render(20, 1).strip() == ""


def test_the_window_is_two_pages_each_side_of_the_current_one_in_a_long_list():
    html = _render(200_000, 5000)  # 10,000 pages
    assert _numbers(html) == [4998, 4999, 5000, 5001, 5002]
    assert '<span class="is-current" aria-current="page">5000</span>' in html
    assert "共 200000 条，第 5000/10000 页" in html
    assert "?page=10000" in html and "末页" in html


def test_the_window_stops_at_the_ends():
    assert _numbers(_render(200, 1)) == [1, 2, 3]
    assert _numbers(_render(200, 10)) == [8, 9, 10]
    assert "上一页" not in _render(200, 1) and "下一页" not in _render(200, 10)


def test_other_query_parameters_are_kept():
    html = _render(100, 2, "q=%E9%A3%9F%E5%93%81&city=320100")
    assert "q=%E9%A3%9F%E5%93%81&amp;city=320100&amp;page=3" in html
