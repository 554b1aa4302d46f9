"""The portal home page: search box, intro, live totals with an SVG chart, cached and invalidated."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.choices import InstitutionStatus
from institutions.models import Institution
from sujt.portal.charts import bar_chart_svg
from tests.factories import InstitutionFactory


def total_on_page(client) -> int:
    html = client.get(reverse("portal:home")).content.decode()
    return int(re.search(r'data-stat="total">(\d+)<', html).group(1))


def test_home_has_a_search_box_that_goes_to_the_directory(client):
    html = client.get(reverse("portal:home")).content.decode()
    assert re.search(
        rf'<form class="search-box" method="get" action="{reverse("institutions:directory")}"', html
    )
    assert 'name="q"' in html and 'name="city"' in html
    assert f'href="{reverse("accounts:login")}"' in html


def test_totals_count_public_institutions_by_city(client):
    InstitutionFactory.create_batch(3, region_code="320102")
    InstitutionFactory(region_code="320505")
    InstitutionFactory(region_code="320506", status=InstitutionStatus.SUSPENDED)
    InstitutionFactory(region_code="320506", status=InstitutionStatus.REVOKED)
    html = client.get(reverse("portal:home")).content.decode()
    assert 'data-stat="total">5<' in html
    chart = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S).group(0)
    assert "南京市：3" in chart and "苏州市：2" in chart and "无锡市：0" in chart
    assert 'role="img"' in chart


def test_the_figures_are_cached(client):
    InstitutionFactory.create_batch(2)
    assert total_on_page(client) == 2
    # A bulk update sends no signal: the cached figure stands until it expires or is invalidated.
    Institution.objects.update(status=InstitutionStatus.REVOKED)
    assert total_on_page(client) == 2
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("portal:home"))
    assert not [q for q in queries if "institutions_institution" in q["sql"]]


def test_saving_or_deleting_an_institution_invalidates_the_cache(client, django_capture_on_commit_callbacks):
    InstitutionFactory.create_batch(2)
    assert total_on_page(client) == 2
    with django_capture_on_commit_callbacks(execute=True):
        created = InstitutionFactory()
    assert total_on_page(client) == 3
    created.status = InstitutionStatus.CANCELLED
    created.save()
    assert total_on_page(client) == 2
    Institution.objects.first().delete()
    assert total_on_page(client) == 1


def test_the_cache_times_out_after_five_minutes():
    from sujt.portal.selectors import HOME_STATS_TIMEOUT

    assert HOME_STATS_TIMEOUT == 300


def test_chart_escapes_labels():
    svg = bar_chart_svg([("<script>alert(1)</script>", 3), ("A&B", 0)], title='"标题"<')
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "A&amp;B" in svg
    assert "&quot;标题&quot;&lt;" in svg


def test_chart_scales_bars_to_the_largest_value():
    svg = bar_chart_svg([("甲", 10), ("乙", 5), ("丙", 0)], title="t", width=560, label_width=84)
    widths = [int(w) for w in re.findall(r'<rect class="chart-bar" x="\d+" y="\d+" width="(\d+)"', svg)]
    plot = 560 - 84 - 56
    assert widths == [plot, plot // 2, 0]


def test_chart_of_nothing_is_still_valid():
    svg = bar_chart_svg([], title="空")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
