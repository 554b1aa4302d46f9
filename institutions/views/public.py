"""Public pages of the institution directory (机构查询): no login, no personal data."""

from collections.abc import Iterable

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from sujt.core.regions import CITIES, CITY_CHOICES, region_name

from .. import selectors
from ..models import Institution

DIRECTORY_PAGE_SIZE = 20


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
    page = Paginator(selectors.public_institutions(q=q, city=city), DIRECTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = _with_region_names(page.object_list)
    return render(
        request,
        "institutions/directory.html",
        {"page": page, "q": q, "city": city, "city_choices": CITY_CHOICES},
    )


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    (institution,) = _with_region_names([selectors.public_institution_get(pk=pk)])
    return render(request, "institutions/public_detail.html", {"institution": institution})


urlpatterns = [
    path("", directory, name="directory"),
    path("<int:pk>/", public_detail, name="public_detail"),
]
