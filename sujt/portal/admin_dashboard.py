"""The regulator's dashboard on the admin home page (监管工作台), scoped to their jurisdiction.

What it gathers, each from the one place that owns it:

- pending reviews per queue and the latest waiting submissions: the queue registry (`sujt.core.registries`),
  so a future module's queue appears here by declaring it;
- overdue and due-soon items: the deadlines declared with regulators' oversight (`sujt.core.deadlines`);
- unread in-site messages (`sujt.core.notifications`), each opening through the notification centre;
- figures about the region's institutions and the breakdown by city (the province) or by district (a
  city) (`institutions.selectors.regulator_figures`), each linked to the admin list that shows its rows.

The portal sits at the top of the dependency order, so it may read institutions' selectors; the admin
list URLs are named here, where the links are made. Every part costs a fixed number of queries.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from institutions.selectors.regulator_figures import (
    CityRow,
    Figure,
    city_breakdown,
    district_breakdown,
    region_figures,
)
from sujt.core.choices import RegionLevel
from sujt.core.deadlines import deadline_items_in_scope
from sujt.core.models import Notification
from sujt.core.notifications import notifications_for
from sujt.core.regions import PROVINCE_CODE, level_of, region_name
from sujt.core.registries import pending_by_city, pending_rows_for

from .admin_nav import pending_counts

# Unread messages listed on the dashboard (the notification centre has the rest).
MESSAGES_LIMIT = 5


@dataclass(frozen=True)
class Link:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class CityLine:
    code: str
    name: str
    institutions: Link
    pending: list[Link]  # one per queue, in the queues' order
    certificates_expiring: Link
    incomplete: Link


def _figure_link(figure: Figure, **extra: str) -> Link:
    if not figure.model:
        return Link(figure.label, figure.count, "")
    url = reverse(f"admin:institutions_{figure.model}_changelist")
    query = {**figure.query, **extra}
    return Link(figure.label, figure.count, f"{url}?{urlencode(query)}" if query else url)


def _city_lines(*, user: Any, today: Any) -> tuple[list[str], list[CityLine]]:
    """The province's 13 cities: the queue labels (the table's columns) and one line per city."""
    queues = pending_by_city(user=user)
    lines = []
    row: CityRow
    for row in city_breakdown(today=today):
        lines.append(
            CityLine(
                code=row.code,
                name=row.name,
                institutions=_figure_link(row.institutions),
                pending=[
                    Link(queue.label, counts[row.code], queue.city_url(row.code)) for queue, counts in queues
                ],
                certificates_expiring=_figure_link(row.certificates_expiring),
                incomplete=_figure_link(row.incomplete),
            )
        )
    return [queue.label for queue, _counts in queues], lines


def _messages(*, user: Any) -> dict[str, Any]:
    unread = notifications_for(user=user).filter(read_at__isnull=True)
    latest: list[Notification] = list(unread[:MESSAGES_LIMIT])
    # The page holds every unread message when it is not full: no second query to count them.
    count = len(latest) if len(latest) < MESSAGES_LIMIT else unread.count()
    return {
        "unread_count": count,
        "items": [
            {
                "title": message.title,
                "created_at": message.created_at,
                "url": reverse("portal:notification_open", args=[message.pk]),
            }
            for message in latest
        ],
        "all_url": reverse("portal:notifications"),
    }


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """The admin home's `dashboard`: None for staff without a jurisdiction (they see a note)."""
    user = request.user
    scope = getattr(user, "region_scope", None)
    if scope is None:
        return {"dashboard": None}
    today = timezone.localdate()
    queues = pending_counts(request).all
    figures = region_figures(scope=scope, today=today)
    deadlines = deadline_items_in_scope(scope=scope, today=today)
    dashboard: dict[str, Any] = {
        "region_name": region_name(scope),
        "is_province": scope == PROVINCE_CODE,
        "today": today,
        "queues": queues,
        "pending_total": sum(queue.count for queue in queues),
        "latest": pending_rows_for(user=user),
        "deadlines": deadlines,
        "deadline_total": sum(deadline.total for deadline in deadlines),
        "deadline_overdue": sum(deadline.overdue for deadline in deadlines),
        "messages": _messages(user=user),
        "figures": {
            "total": _figure_link(figures.total),
            "by_status": [_figure_link(figure) for figure in figures.by_status],
            "by_completeness": [_figure_link(figure) for figure in figures.by_completeness],
            "confirmation": [_figure_link(figures.confirmed), _figure_link(figures.unconfirmed)],
            "certificates": [
                _figure_link(figures.certificates_expiring),
                _figure_link(figures.certificates_expired),
            ],
        },
    }
    if dashboard["is_province"]:
        dashboard["city_queue_labels"], dashboard["cities"] = _city_lines(user=user, today=today)
    elif level_of(scope) == RegionLevel.CITY:
        dashboard["districts"] = [
            {
                "name": row.name,
                "institutions": _figure_link(row.institutions),
                "incomplete": _figure_link(row.incomplete),
                "unconfirmed": _figure_link(row.unconfirmed),
            }
            for row in district_breakdown(city_code=scope)
        ]
    return {"dashboard": dashboard}
