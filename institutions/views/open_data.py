"""Open data of the public searches (开放数据): the results of a 机构查询 or 谁能检 search as an Excel
download (bounded) and as JSON pages, limited per client address (sujt.core.views.client_rate_limited).

They take the page's own query string (views/search_params.py) and read the same selectors, so a download
or a JSON page holds exactly the rows the page shows, in its order, and nothing the page does not show.
"""

from typing import Any

from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from sujt.core.excel import ExcelColumn, xlsx_file_response
from sujt.core.regions import region_name
from sujt.core.registries import institution_facet_values, institution_facets
from sujt.core.views import client_rate_limited

from .. import selectors
from ..choices import CertificateStatus
from ..models import Capability, Institution
from ..search.match import capability_match
from ..selectors.capability_search import public_capability_rows
from ..selectors.public import public_matched_counts
from .capability_search import CAPABILITY_SEARCH_EXPORT_MAX_ROWS, capability_search_page
from .public import DIRECTORY_EXPORT_MAX_ROWS, directory_page
from .public_profile import CAPABILITY_COLUMNS as SCHEDULE_COLUMNS
from .search_params import CapabilitySearchParams, DirectorySearch

JSON_PAGE_SIZE = 20
JSON_PAGE_SIZE_MAX = 100


def _field_names(institution: Institution) -> str:
    return "、".join(field.get_code_display() for field in institution.fields.all())


def _certificate_status_label(value: str | None) -> str:
    return CertificateStatus(value).label if value in CertificateStatus.values else ""


DIRECTORY_COLUMNS = [
    ExcelColumn("机构名称", "name", width=36),
    ExcelColumn("统一社会信用代码", "uscc", width=22),
    ExcelColumn("所在地区", lambda row: region_name(row.region_code)),
    ExcelColumn("检验检测领域", _field_names, width=30),
    ExcelColumn("机构状态", "get_status_display"),
    ExcelColumn("资质认定证书编号", "certificate_number", width=16),
    ExcelColumn("证书状态", lambda row: _certificate_status_label(row.certificate_status)),
    ExcelColumn("证书有效期至", "certificate_expires_on"),
    ExcelColumn("匹配的能力数", lambda row: getattr(row, "matched", None) or None),
]


def _facet_label(row: Institution, key: str) -> str:
    return next((facet.label for facet in row.facets if facet.facet.key == key), "")


def _directory_columns() -> list[ExcelColumn]:
    """The directory's columns, then one per facet upper modules declare (信用等级)."""
    return [
        *DIRECTORY_COLUMNS,
        *(
            ExcelColumn(facet.label, lambda row, key=facet.key: _facet_label(row, key))
            for facet in institution_facets()
        ),
    ]


# 谁能检's download: whose row it is, then the schedule's own columns as the profile's download writes them.
CAPABILITY_COLUMNS = [
    ExcelColumn("机构名称", "institution.name", width=36),
    ExcelColumn("所在地区", lambda row: region_name(row.institution.region_code)),
    *SCHEDULE_COLUMNS,
    ExcelColumn("证书有效期至", "certificate.expires_on"),
]


def _dated(name: str) -> str:
    return f"{name}-{timezone.localdate():%Y%m%d}.xlsx"


@require_safe
@client_rate_limited("public_download", limits_setting="PUBLIC_DOWNLOAD_LIMITS")
def directory_export(request: HttpRequest) -> HttpResponse:
    search = DirectorySearch.from_request(request)
    match = capability_match(q=search.q)
    rows = list(
        selectors.public_institutions(**search.selector_kwargs(), match=match)[:DIRECTORY_EXPORT_MAX_ROWS]
    )
    facets = institution_facet_values([row.pk for row in rows])
    matched = public_matched_counts(
        institution_ids=[row.pk for row in rows if getattr(row, "relevance", 0)], match=match
    )
    for row in rows:
        row.matched = matched.get(row.pk, 0)
        row.facets = facets.get(row.pk, [])
    return xlsx_file_response(
        filename=_dated("机构查询结果"), sheet_title="机构查询", columns=_directory_columns(), objects=rows
    )


@require_safe
@client_rate_limited("public_download", limits_setting="PUBLIC_DOWNLOAD_LIMITS")
def capabilities_export(request: HttpRequest) -> HttpResponse:
    params = CapabilitySearchParams.from_request(request)
    rows = public_capability_rows(**params.selector_kwargs())[:CAPABILITY_SEARCH_EXPORT_MAX_ROWS]
    return xlsx_file_response(
        filename=_dated("谁能检检索结果"), sheet_title="谁能检", columns=CAPABILITY_COLUMNS, objects=rows
    )


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("page_size", JSON_PAGE_SIZE))
    except ValueError:
        return JSON_PAGE_SIZE
    return min(max(size, 1), JSON_PAGE_SIZE_MAX)


def _page_json(request: HttpRequest, page: Page, results: list[dict[str, Any]]) -> JsonResponse:
    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return JsonResponse(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "page_size": page.paginator.per_page,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": results,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _institution_json(request: HttpRequest, row: Institution) -> dict[str, Any]:
    return {
        "id": row.pk,
        "name": row.name,
        "uscc": row.uscc,
        "region_code": row.region_code,
        "region": row.region_display,
        "fields": [{"code": field.code, "name": field.get_code_display()} for field in row.fields.all()],
        "status": row.status,
        "status_display": row.get_status_display(),
        "certificate": {
            "number": row.certificate_number,
            "status": row.certificate_status,
            "status_display": _certificate_status_label(row.certificate_status),
            "expires_on": _date(row.certificate_expires_on),
        }
        if row.certificate_number
        else None,
        "matched_capability_count": getattr(row, "matched", 0),
        # The facets upper modules declare, e.g. {"credit_level": "A"}.
        "facets": {facet.facet.key: facet.value for facet in getattr(row, "facets", [])},
        "url": request.build_absolute_uri(reverse("institutions:public_detail", args=[row.pk])),
    }


def _capability_json(request: HttpRequest, row: Capability) -> dict[str, Any]:
    return {
        "id": row.pk,
        "institution": {
            "id": row.institution_id,
            "name": row.institution.name,
            "region_code": row.institution.region_code,
            "region": row.region_display,
            "url": request.build_absolute_uri(
                reverse("institutions:public_detail", args=[row.institution_id])
            ),
        },
        "certificate": {"number": row.certificate.number, "expires_on": _date(row.certificate.expires_on)},
        "seq": row.seq,
        "category": row.category,
        "item": row.item,
        "standard": row.standard,
        "limitation": row.limitation,
        "note": row.note,
        "site": row.site.name if row.site_id else "",
    }


@require_safe
@client_rate_limited("public_api", limits_setting="PUBLIC_API_LIMITS", json=True)
def directory_json(request: HttpRequest) -> JsonResponse:
    page = directory_page(
        DirectorySearch.from_request(request), number=request.GET.get("page"), per_page=_page_size(request)
    )
    return _page_json(request, page, [_institution_json(request, row) for row in page.object_list])


@require_safe
@client_rate_limited("public_api", limits_setting="PUBLIC_API_LIMITS", json=True)
def capabilities_json(request: HttpRequest) -> JsonResponse:
    page = capability_search_page(
        CapabilitySearchParams.from_request(request),
        number=request.GET.get("page"),
        per_page=_page_size(request),
    )
    return _page_json(request, page, [_capability_json(request, row) for row in page.object_list])


directory_urlpatterns = [
    path("export/", directory_export, name="directory_export"),
    path("data.json", directory_json, name="directory_json"),
]
capability_urlpatterns = [
    path("export/", capabilities_export, name="export"),
    path("data.json", capabilities_json, name="json"),
]
