"""The public searches' parameters, read from a request in one place: the pages, their Excel downloads
and their JSON endpoints take the same query string and must mean the same thing by it."""

from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django.http import HttpRequest

from sujt.core.choices import TestingField
from sujt.core.regions import CITIES, DISTRICTS, city_code_of
from sujt.core.registries import institution_facets

from ..choices import CertificateStatus

Q_MAX_LENGTH = 100


def _choice(request: HttpRequest, name: str, allowed) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def url_with_query(url: str, query_string: str) -> str:
    """`url` with a search's query string (a page's download and JSON links), or bare without one."""
    return f"{url}?{query_string}" if query_string else url


def _q(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:Q_MAX_LENGTH]


@dataclass(frozen=True)
class DirectorySearch:
    """机构查询: what `selectors.public_institutions` takes. An unknown code reads as "not chosen"."""

    q: str = ""
    city: str = ""
    district: str = ""
    field: str = ""
    certificate_status: str = ""
    high_tech: bool = False
    # ((facet key, value), …) of the facets upper modules declare (credit level, centers hosted):
    # sujt.core.registries.
    facets: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_request(cls, request: HttpRequest) -> "DirectorySearch":
        city = _choice(request, "city", CITIES)
        district = _choice(request, "district", DISTRICTS)
        # A district names its city; a district of another city than the one chosen is dropped.
        if district and not city:
            city = city_code_of(district)
        elif district and city_code_of(district) != city:
            district = ""
        return cls(
            q=_q(request),
            city=city,
            district=district,
            field=_choice(request, "field", TestingField.values),
            certificate_status=_choice(request, "certificate_status", CertificateStatus.values),
            high_tech=request.GET.get("high_tech") == "1",
            facets=tuple(
                (facet.key, value)
                for facet in institution_facets()
                if (value := _choice(request, facet.key, dict(facet.choices)))
            ),
        )

    @property
    def filtered(self) -> bool:
        return any(asdict(self).values())

    def selector_kwargs(self) -> dict:
        return {**asdict(self), "facets": dict(self.facets)}

    def query_string(self) -> str:
        """The search as a query string, in the parameter names of the page (for download links)."""
        params = {
            "q": self.q,
            "city": self.city,
            "district": self.district,
            "field": self.field,
            "certificate_status": self.certificate_status,
            "high_tech": "1" if self.high_tech else "",
            **dict(self.facets),
        }
        return urlencode({key: value for key, value in params.items() if value})


@dataclass(frozen=True)
class CapabilitySearchParams:
    """谁能检: what `selectors.capability_search.public_capability_rows` takes."""

    q: str = ""
    city: str = ""
    field: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> "CapabilitySearchParams":
        return cls(
            q=_q(request),
            city=_choice(request, "city", CITIES),
            field=_choice(request, "field", TestingField.values),
        )

    def selector_kwargs(self) -> dict:
        return asdict(self)

    def query_string(self) -> str:
        return urlencode({key: value for key, value in asdict(self).items() if value})
