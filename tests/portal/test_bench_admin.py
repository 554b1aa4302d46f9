"""The regulators' admin benchmark (sujt/portal/bench_admin.py) still generates its data and measures
every page, so it cannot rot between runs."""

import pytest

from sujt.portal import bench_admin


@pytest.mark.django_db
def test_the_bench_measures_every_page_as_both_regulators():
    lines: list[str] = []
    rows = bench_admin.run(
        institutions=30, repeat=1, export_repeat=1, reports=3, submissions=3, out=lines.append
    )
    facts_pages = len(bench_admin.pages(bench_admin.Facts("", 1, 1), province=False))
    assert len(rows) == 2 * facts_pages
    assert {row["who"] for row in rows} == {"city", "province"}
    for row in rows:
        assert row["queries"] > 0, row["page"]
        assert row["p50"] > 0
    # The table printed: a line per page and the figures line.
    assert sum(line.startswith("| ") and "---" not in line and "页面" not in line for line in lines) == len(
        rows
    )
    assert lines[0].startswith("规模：30 家机构")
