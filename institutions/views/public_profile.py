"""The public profile of one institution (机构信息) and its capability schedule (能力附表): no login, no
personal data. Reads are in selectors/public_profile.py (the "is public" rule is selectors/public.py's)."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from sujt.core.excel import ExcelColumn, xlsx_file_response
from sujt.core.regions import region_name
from sujt.core.registries import institution_facet_values, public_profile_sections_for
from sujt.core.views import client_rate_limited

from ..models import Institution
from ..selectors.public_profile import (
    CAPABILITY_EXPORT_MAX_ROWS,
    CAPABILITY_PAGE_SIZE,
    SECTION_LIMIT,
    certificate_is_valid,
    public_capabilities,
    public_institution_brief_get,
    public_ip,
    public_profile_get,
    public_signatories,
    public_sites,
)
from .search_params import url_with_query

Q_MAX_LENGTH = 100
IP_SECTIONS = (("copyright", "软件著作权"), ("patent", "专利"), ("trademark", "商标"))

# The download's columns: the schedule's own (能力附表), after the certificate it belongs to.
CAPABILITY_COLUMNS = [
    ExcelColumn("证书编号", "certificate.number", width=14),
    ExcelColumn("序号", "seq", width=8),
    ExcelColumn("类别", "category"),
    ExcelColumn("产品/项目/参数", "item", width=30),
    ExcelColumn("依据的标准（方法）名称及编号（含年号）", "standard", width=45),
    ExcelColumn("限制范围", "limitation", width=24),
    ExcelColumn("说明", "note", width=24),
    ExcelColumn("检验检测场所", "site.name", width=24),
]


def _bounded(queryset) -> tuple[list, bool]:
    """At most SECTION_LIMIT rows, and whether there were more."""
    rows = list(queryset[: SECTION_LIMIT + 1])
    return rows[:SECTION_LIMIT], len(rows) > SECTION_LIMIT


def _with_region(institution: Institution) -> Institution:
    institution.region_display = region_name(institution.region_code) or institution.city_name
    return institution


@require_safe
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _with_region(public_profile_get(pk=pk))
    today = timezone.localdate()
    certificates = list(institution.certificates.all())
    for certificate in certificates:
        certificate.is_valid = certificate_is_valid(certificate, today=today)
    sites, more_sites = _bounded(public_sites(institution_id=pk))
    signatories, more_signatories = _bounded(public_signatories(institution_id=pk))
    ip_sections = []
    for kind, queryset in public_ip(institution_id=pk).items():
        rows, more = _bounded(queryset)
        ip_sections.append({"kind": kind, "title": dict(IP_SECTIONS)[kind], "rows": rows, "more": more})
    return render(
        request,
        "institutions/public_detail.html",
        {
            "institution": institution,
            "certificates": certificates,
            "sites": sites,
            "more_sites": more_sites,
            "signatories": signatories,
            "more_signatories": more_signatories,
            "ip_sections": ip_sections,
            "capability_count": public_capabilities(institution_id=pk).count(),
            "section_limit": SECTION_LIMIT,
            # What modules above this one publish about the institution (news: inspection results and
            # penalties), declared in the core registry since this app cannot import them.
            "profile_sections": public_profile_sections_for(institution_id=pk),
            # What they know about every institution (the credit level), one query each.
            "facets": institution_facet_values([pk]).get(pk, []),
        },
    )


def _search(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:Q_MAX_LENGTH]


@require_safe
def capabilities(request: HttpRequest, pk: int) -> HttpResponse:
    """The capability schedule, searchable and paginated: one COUNT and one page of rows per request."""
    institution = _with_region(public_institution_brief_get(pk=pk))
    q = _search(request)
    page = Paginator(public_capabilities(institution_id=pk, q=q), CAPABILITY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    export_url = reverse("institutions:public_capabilities_export", args=[pk])
    return render(
        request,
        "institutions/public/capabilities.html",
        {
            "institution": institution,
            "page": page,
            "q": q,
            "export_url": url_with_query(export_url, urlencode({"q": q}) if q else ""),
            "export_max_rows": CAPABILITY_EXPORT_MAX_ROWS,
            "export_truncated": page.paginator.count > CAPABILITY_EXPORT_MAX_ROWS,
        },
    )


@require_safe
@client_rate_limited("public_download", limits_setting="PUBLIC_DOWNLOAD_LIMITS")
def capabilities_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The (searched) schedule as .xlsx: at most CAPABILITY_EXPORT_MAX_ROWS rows, in schedule order."""
    institution = public_institution_brief_get(pk=pk)
    rows = public_capabilities(institution_id=pk, q=_search(request))[:CAPABILITY_EXPORT_MAX_ROWS]
    return xlsx_file_response(
        filename=f"{institution.name}-能力附表-{timezone.localdate():%Y%m%d}.xlsx",
        sheet_title="能力附表",
        columns=CAPABILITY_COLUMNS,
        objects=rows,
    )


urlpatterns = [
    path("<int:pk>/", public_detail, name="public_detail"),
    path("<int:pk>/capabilities/", capabilities, name="public_capabilities"),
    path("<int:pk>/capabilities/export/", capabilities_export, name="public_capabilities_export"),
]
