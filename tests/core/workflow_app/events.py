"""The throwaway app's domain event: a report approved by the province, recorded by the service that
approves it, heard by a subscriber as an upper module (credit) would hear it.

In a real module the two halves live in two apps: the recording service in the lower app's services.py
(its kind beside it, or in sujt.core.events when apps of one level share it), the subscriber in the upper
app's integrations/events.py, imported by that app's AppConfig.ready().
"""

from django.db import transaction

from sujt.core.events import event_record, subscribe
from sujt.core.models import DomainEvent, ReviewTransition
from sujt.core.notifications import notify
from sujt.core.workflow import Side, last_submitter, transition

from .models import Report

REPORT_APPROVED = "workflow_app.report_approved"
"""A report passed its last review step. Payload: {"title": the report's title}; source: the report."""


def report_province_approve(*, report: Report, by, comment: str = "") -> ReviewTransition:
    """The province's approval and its event, in one transaction: both happen or neither does."""
    with transaction.atomic():
        log = transition(obj=report, name="province_approve", by=by, comment=comment, side=Side.PROVINCE)
        event_record(
            kind=REPORT_APPROVED,
            key=f"workflow_app.report:{report.pk}:approved",
            institution=report.institution_id,
            source=report,
            payload={"title": report.title},
        )
    return log


def report_approved_credit(event: DomainEvent) -> None:
    """As the credit module would: book the effect and tell the submitter (once, after commit)."""
    report = Report.objects.get(pk=event.source_id)
    notify(recipients=[last_submitter(report)], title=f"信用加分已登记：{event.payload['title']}")


subscribe(REPORT_APPROVED, report_approved_credit)
