"""What the review admins of module 04 share: region scope, waiting rows first, read-only pages with the
kit's decision buttons, the files served by the admin itself (to whom it lists the application; another
region's is a 404), and read-only tables of an application's rows."""

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from institutions.admin import InstitutionCityFilter
from sujt.core.admin import ReadOnlyChangeFormMixin, RegionScopedAdmin, ReviewAdminMixin
from sujt.core.admin_tools import HistoryAdmin, PrivateFilesAdminMixin, district_filter
from sujt.core.attachments import attachments_of, human_size
from sujt.core.regions import region_name
from sujt.core.workflow import regulator_side

from ..models import REGION_FIELD

WAITING = ("submitted", "city_review", "province_review")
# Waiting rows first, oldest first (a queue), then the rest.
WAITING_FIRST = Case(
    When(status__in=WAITING, then=Value(0)), default=Value(1), output_field=IntegerField()
).asc()


def with_side(service: Callable[..., Any], **fixed: Any) -> Callable[..., Any]:
    """A decision's service as the admin calls it (obj=, by=, comment=), with the regulator's side, which
    the engine checks as it does for the plain transitions."""

    def call(*, obj: Any, by: Any, comment: str = "", **_: Any) -> Any:
        return service(obj, by=by, comment=comment, side=regulator_side(by), **fixed)

    return call


def number(value: Decimal | None) -> str:
    """A decimal as written (120, 85.5), "—" when missing."""
    return "—" if value is None else f"{value.normalize():f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], empty: str = "—") -> SafeString | str:
    """A small read-only table for a change page (every cell escaped)."""
    rows = list(rows)
    if not rows:
        return empty
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    return format_html(
        '<table class="center-admin-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body
    )


class ApplicationAdmin(
    PrivateFilesAdminMixin, ReadOnlyChangeFormMixin, ReviewAdminMixin, RegionScopedAdmin, HistoryAdmin
):
    region_field = REGION_FIELD
    list_filter = ["status", InstitutionCityFilter, district_filter(REGION_FIELD)]
    ordering = [WAITING_FIRST, "submitted_at", "pk"]
    view_on_site = False  # the workspace pages are the institution's
    file_purposes: Sequence[tuple[str, str]] = ()  # (purpose, heading)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("所在地区"))
    def region(self, obj: Any) -> str:
        return region_name(obj.institution.region_code)

    @admin.display(description=_("材料"))
    def file_links(self, obj: Any) -> SafeString | str:
        parts = []
        for purpose, heading in self.file_purposes:
            files = attachments_of(obj, purpose=purpose)
            links = format_html_join(
                "、",
                '<a href="{}">{}</a>（{}）',
                ((self.file_url(obj, f), f.original_name, human_size(f.size)) for f in files),
            )
            parts.append(format_html("<p><strong>{}：</strong>{}</p>", heading, links or "未上传"))
        return format_html_join("", "{}", ((part,) for part in parts)) if parts else "—"
