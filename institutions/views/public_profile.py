"""The public profile of one institution (机构信息): no login, no personal data."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from sujt.core.regions import region_name

from ..selectors.public_profile import public_profile_get


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = public_profile_get(pk=pk)
    institution.region_display = region_name(institution.region_code) or institution.city_name
    return render(request, "institutions/public_detail.html", {"institution": institution})


urlpatterns = [
    path("<int:pk>/", public_detail, name="public_detail"),
]
