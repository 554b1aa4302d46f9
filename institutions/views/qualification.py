"""Qualification data of the current institution (证书, 场所, 能力, 设备, 签字人, 人员): lists and exports.

Read-only for institution users: the qualification sync maintains these rows and regulators correct them
in admin, so there is no create, edit or delete here, and the URLs answer only GET/HEAD (a forged POST
is a 405). The six lists and their exports are declared in institutions/lists.py and served by the
core's generic list and export views; this module keeps the certificate's detail page.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from sujt.accounts.decorators import institution_required
from sujt.core.list_views import list_urls

from ..lists import QUALIFICATION_LISTS, with_expiry_state
from ..sections import SECTIONS_BY_KEY
from ..selectors import qualification as selectors
from .tabs import profile_tabs


@require_safe
@institution_required("manage_profile")
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = selectors.certificate_get(institution_id=request.institution.pk, pk=pk)
    (certificate,) = with_expiry_state(request, [certificate])
    try:
        parsed = certificate.parsed
    except ValidationError:
        parsed = None
    capabilities_url = (
        reverse("institutions:capability_list") + "?" + urlencode({"certificate": certificate.pk})
    )
    return render(
        request,
        "institutions/qualification/certificate_detail.html",
        {
            "tabs": profile_tabs("certificates"),
            "certificate": certificate,
            "parsed": parsed,
            "capabilities_url": capabilities_url,
        },
    )


urlpatterns = [path("profile/certificates/<int:pk>/", certificate_detail, name="certificate_detail")]
# The URLs these lists always had: profile/<section key>/ named as the section's list page says
# ("certificate_list"), the export beside it ("certificate_export").
for _spec in QUALIFICATION_LISTS:
    _name = SECTIONS_BY_KEY[_spec.key].url_name.removeprefix("institutions:").removesuffix("_list")
    urlpatterns += list_urls(
        _spec, path_prefix=f"profile/{_spec.key}/", name=f"{_name}_list", export_name=f"{_name}_export"
    )
