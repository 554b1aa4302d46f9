"""谁能检 (/capabilities/?q=): capability rows across the public institutions, so that someone who knows
what they need tested can compare who tests it, under which standard, near them. No login, no personal
data; the reads are in selectors/capability_search.py."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from sujt.core.choices import TestingField
from sujt.core.regions import CITY_CHOICES, region_name

from ..search.match import capability_match
from ..selectors.capability_search import capability_rows_highlight, public_capability_rows
from .search_params import CapabilitySearchParams, url_with_query

CAPABILITY_SEARCH_PAGE_SIZE = 30
# The Excel download of a 谁能检 search holds at most this many rows (narrow the search for the rest).
CAPABILITY_SEARCH_EXPORT_MAX_ROWS = 5000
# What the empty page suggests trying: an object, a two-character word, a parameter, a standard number.
EXAMPLES = ("钢筋", "水质", "铅", "大肠菌群", "GB 5009.12", "混凝土 抗压强度")


def capability_search_page(
    params: CapabilitySearchParams, *, number: str | int | None, per_page: int
) -> Page:
    """One page of 谁能检 rows, each with its matches highlighted and `region_display` (the page and
    its JSON read the same rows)."""
    match = capability_match(q=params.q)
    rows = public_capability_rows(**params.selector_kwargs(), match=match)
    page = Paginator(rows, per_page).get_page(number)
    rows = capability_rows_highlight(list(page.object_list), match=match)
    for row in rows:
        row.region_display = region_name(row.institution.region_code)
    page.object_list = rows
    return page


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    params = CapabilitySearchParams.from_request(request)
    page = capability_search_page(
        params, number=request.GET.get("page"), per_page=CAPABILITY_SEARCH_PAGE_SIZE
    )
    query_string = params.query_string()
    return render(
        request,
        "institutions/capability_search.html",
        {
            "page": page,
            **params.selector_kwargs(),
            "city_choices": CITY_CHOICES,
            "field_choices": TestingField.choices,
            "examples": EXAMPLES,
            "export_url": url_with_query(reverse("capabilities:export"), query_string),
            "json_url": url_with_query(reverse("capabilities:json"), query_string),
            "export_max_rows": CAPABILITY_SEARCH_EXPORT_MAX_ROWS,
        },
    )


urlpatterns = [path("", search, name="search")]
