"""Domain events module 06 answers: a disclosure requested by another module becomes a 监督检查 /
行政处罚 article (the payload contract is at sujt.core.events.DISCLOSURE_REQUESTED)."""

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

from institutions.models import Institution
from sujt.core.events import DISCLOSURE_REQUESTED, InvalidEvent, subscribe
from sujt.core.models import DomainEvent

from ..services import disclosure_publish


def disclosure_on_request(event: DomainEvent) -> None:
    """Publishes (or updates, by the payload's "key") the article asked for. disclosure_publish is
    idempotent by that key, so a retried delivery never adds a second article."""
    payload = event.payload
    published_at = None
    if payload.get("published_at"):
        published_at = parse_datetime(payload["published_at"])
        if published_at is None:
            raise InvalidEvent(f"published_at is not an ISO 8601 date and time: {payload['published_at']!r}")
    related = None
    if event.institution_id is not None:
        related = Institution.objects.get(pk=event.institution_id)
    disclosure_publish(
        key=payload["key"],
        kind=payload["kind"],
        title=payload["title"],
        body=payload["body"],
        region_code=payload["region_code"],
        by=get_user_model().objects.get(pk=payload["by_id"]),
        summary=payload.get("summary", ""),
        source=payload.get("source", ""),
        related_institution=related,
        published_at=published_at,
    )


subscribe(DISCLOSURE_REQUESTED, disclosure_on_request)
