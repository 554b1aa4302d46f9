"""证书核验 (/verify/): anyone checks a CMA certificate by its number; no login, no personal data.

A QR code of each certificate's page (/verify/<number>/qr.svg) lets a printed report or the public profile
link to it (institutions/includes/certificate_qr.html).
"""

import io

import segno
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from ..selectors.verify import certificate_for_verification, normalize_certificate_number

QR_MAX_AGE = 24 * 3600
NOT_FOUND_TEMPLATE = "institutions/verify/certificate.html"


def _not_found(request: HttpRequest, *, typed: str, malformed: bool) -> HttpResponse:
    return render(
        request,
        NOT_FOUND_TEMPLATE,
        {"certificate": None, "typed": typed, "malformed": malformed},
        status=404,
    )


@require_safe
def lookup(request: HttpRequest) -> HttpResponse:
    """The form; `?number=` goes to that certificate's page (its canonical 12-digit address)."""
    typed = request.GET.get("number", "").strip()
    if not typed:
        return render(request, "institutions/verify/lookup.html")
    number = normalize_certificate_number(typed)
    if number is None:
        return _not_found(request, typed=typed[:40], malformed=True)
    return redirect("verify:certificate", number=number)


@require_safe
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    normalized = normalize_certificate_number(number)
    if normalized is None:
        return _not_found(request, typed=number[:40], malformed=True)
    if normalized != number:
        return redirect("verify:certificate", number=normalized)
    found = certificate_for_verification(number=normalized)
    if found is None:
        return _not_found(request, typed=normalized, malformed=False)
    return render(request, "institutions/verify/certificate.html", {"certificate": found})


def verify_url(request: HttpRequest, number: str) -> str:
    """The absolute address of a certificate's verify page, as its QR code encodes it."""
    return request.build_absolute_uri(reverse("verify:certificate", args=[number]))


@require_safe
def qr(request: HttpRequest, number: str) -> HttpResponse:
    """The QR code (SVG) of an existing certificate's verify page; 404 for any other number."""
    found = certificate_for_verification(number=number)
    if found is None:
        raise Http404("no such certificate")
    buffer = io.BytesIO()
    segno.make(verify_url(request, found.number), error="m").save(
        buffer,
        kind="svg",
        scale=4,
        border=4,
        light="#fff",  # readable on the high-contrast theme's dark page too
        omitsize=True,  # a viewBox instead: the page sizes the image
        xmldecl=False,
        title=f"证书 {found.number} 核验二维码",
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={QR_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", lookup, name="lookup"),
    path("<str:number>/", certificate, name="certificate"),
    path("<str:number>/qr.svg", qr, name="qr"),
]
