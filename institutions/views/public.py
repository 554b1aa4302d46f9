"""Public pages of the institution directory (机构查询): no login, no personal data. The profile of one
institution is in `public_profile`."""

from collections.abc import Iterable

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from sujt.core.choices import TestingField
from sujt.core.regions import CITIES, CITY_CHOICES, region_name
from sujt.core.views import public_file_response

from .. import selectors
from ..models import Institution
from ..selectors.public import public_logo_get

DIRECTORY_PAGE_SIZE = 20
LOGO_MAX_AGE = 24 * 3600


def _with_region_names(institutions: Iterable[Institution]) -> list[Institution]:
    rows = list(institutions)
    for institution in rows:
        institution.region_display = region_name(institution.region_code) or institution.city_name
    return rows


def directory(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    city = request.GET.get("city", "")
    if city not in CITIES:
        city = ""
    field = request.GET.get("field", "")
    if field not in TestingField.values:
        field = ""
    page = Paginator(
        selectors.public_institutions(q=q, city=city, field=field), DIRECTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    page.object_list = _with_region_names(page.object_list)
    return render(
        request,
        "institutions/directory.html",
        {
            "page": page,
            "q": q,
            "city": city,
            "field": field,
            "city_choices": CITY_CHOICES,
            "field_choices": TestingField.choices,
            "filtered": bool(q or city or field),
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
