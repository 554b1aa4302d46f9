"""Public pages of the institution directory (机构查询): no login, no personal data. The profile of one
institution is in `public_profile`."""

from collections.abc import Iterable

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from sujt.core.choices import TestingField
from sujt.core.regions import CITIES, CITY_CHOICES, districts_of, region_name
from sujt.core.views import public_file_response

from .. import selectors
from ..choices import CertificateStatus
from ..models import Institution
from ..selectors.public import public_logo_get, public_matched_capabilities

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
    district = request.GET.get("district", "")
    if not city or district not in districts_of(city):
        district = ""
    field = request.GET.get("field", "")
    if field not in TestingField.values:
        field = ""
    certificate_status = request.GET.get("certificate_status", "")
    if certificate_status not in CertificateStatus.values:
        certificate_status = ""
    high_tech = request.GET.get("high_tech") == "1"
    has_centers = request.GET.get("centers") == "1"
    page = Paginator(
        selectors.public_institutions(
            q=q,
            city=city,
            district=district,
            field=field,
            certificate_status=certificate_status,
            high_tech=high_tech,
            has_centers=has_centers,
        ),
        DIRECTORY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    page.object_list = _with_region_names(page.object_list)
    # One more query, only when some capabilities on this page matched the words of `q`.
    capability_hits = [row.pk for row in page.object_list if getattr(row, "matched", 0)]
    matched = public_matched_capabilities(institution_ids=capability_hits, q=q) if capability_hits else {}
    for institution in page.object_list:
        institution.matched_capabilities = matched.get(institution.pk, [])
    return render(
        request,
        "institutions/directory.html",
        {
            "page": page,
            "q": q,
            "city": city,
            "district": district,
            "field": field,
            "certificate_status": certificate_status,
            "high_tech": high_tech,
            "has_centers": has_centers,
            "city_choices": CITY_CHOICES,
            "district_choices": list(districts_of(city).items()) if city else [],
            "field_choices": TestingField.choices,
            "certificate_status_choices": CertificateStatus.choices,
            "filtered": bool(q or city or field or certificate_status or high_tech or has_centers),
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
