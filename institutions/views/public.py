"""Public pages of the institution directory (机构查询): no login, no personal data. The profile of one
institution is in `public_profile`."""

from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from sujt.core.choices import TestingField
from sujt.core.regions import CITY_CHOICES, districts_of, region_name
from sujt.core.registries import institution_facet_values, institution_facets
from sujt.core.views import public_file_response

from .. import selectors
from ..choices import CertificateStatus
from ..models import Institution
from ..search.match import capability_match
from ..selectors.public import public_logo_get, public_matched_capabilities
from .search_params import DirectorySearch, url_with_query

DISTRICT_GROUPS = [(name, list(districts_of(code).items())) for code, name in CITY_CHOICES]
DIRECTORY_PAGE_SIZE = 20
# The directory's Excel download of a search holds at most this many institutions (narrow the search).
DIRECTORY_EXPORT_MAX_ROWS = 5000
LOGO_MAX_AGE = 24 * 3600


def _with_region_names(institutions: Iterable[Institution]) -> list[Institution]:
    rows = list(institutions)
    for institution in rows:
        institution.region_display = region_name(institution.region_code) or institution.city_name
    return rows


def directory_page(search: DirectorySearch, *, number: str | int | None, per_page: int) -> Page:
    """One page of the directory's search, each institution with `region_display`, and with how many
    of its capabilities matched `search.q` (`matched`) and the first of them (`matched_capabilities`):
    the page and its JSON read the same rows."""
    match = capability_match(q=search.q)
    institutions = selectors.public_institutions(**search.selector_kwargs(), match=match)
    page = Paginator(institutions, per_page).get_page(number)
    page.object_list = _with_region_names(page.object_list)
    # One more query, only when some capabilities on this page matched the words of `q`.
    capability_hits = [row.pk for row in page.object_list if getattr(row, "relevance", 0)]
    matched = public_matched_capabilities(institution_ids=capability_hits, match=match)
    facets = institution_facet_values([institution.pk for institution in page.object_list])
    for institution in page.object_list:
        found = matched.get(institution.pk)
        institution.matched = found.total if found else 0
        institution.matched_capabilities = found.first if found else []
        institution.facets = facets.get(institution.pk, [])
    return page


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    search = DirectorySearch.from_request(request)
    page = directory_page(search, number=request.GET.get("page"), per_page=DIRECTORY_PAGE_SIZE)
    query_string = search.query_string()
    return render(
        request,
        "institutions/directory.html",
        {
            "page": page,
            **search.selector_kwargs(),
            "city_choices": CITY_CHOICES,
            # Without a city, every district grouped by its city (choosing one chooses its city too).
            "district_choices": list(districts_of(search.city).items()) if search.city else [],
            "district_groups": [] if search.city else DISTRICT_GROUPS,
            "field_choices": TestingField.choices,
            "certificate_status_choices": CertificateStatus.choices,
            "facet_filters": [
                (facet, dict(search.facets).get(facet.key, "")) for facet in institution_facets()
            ],
            "filtered": search.filtered,
            "export_url": url_with_query(reverse("institutions:directory_export"), query_string),
            "json_url": url_with_query(reverse("institutions:directory_json"), query_string),
            "export_max_rows": DIRECTORY_EXPORT_MAX_ROWS,
        },
    )


@require_safe
def logo(request: HttpRequest, pk: int) -> HttpResponse:
    """A public institution's logo, to anyone (404 for anything else). Pages link it with
    `?v=<attachment id>`, so a new logo is a new URL and the old one may stay cached for a day."""
    return public_file_response(request, public_logo_get(pk=pk), max_age=LOGO_MAX_AGE)


urlpatterns = [
    path("", directory, name="directory"),
    path("<int:pk>/logo/", logo, name="logo"),
]
