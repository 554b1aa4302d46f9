"""The test app's deadline, declared as a module would declare its own (imported by the app's ready()).

A report the reviewers returned must be resubmitted within RESUBMIT_DAYS days of being returned: the
institution's admins are reminded 3 days and 1 day before (in-site only), and on the day after the due
date the system takes the workflow's `overdue` transition (已退回 → 已逾期). While it is returned, the
report is a to-do of the members who may fill it in, from the day it was returned.
"""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from sujt.accounts.parties import institution_admins
from sujt.accounts.permissions import institution_ids_for
from sujt.core.dates import due_after, format_date
from sujt.core.deadlines import DeadlineTodo, Offset, register_deadline
from sujt.core.workflow import Side, transition

from .models import Report, ReportStatus

RESUBMIT_DEADLINE = "workflow_app.report_resubmit"
RESUBMIT_DAYS = 10


def resubmit_due(report: Report) -> datetime.date | None:
    """RESUBMIT_DAYS calendar days after the (local) day the report was returned."""
    if report.status_changed_at is None:
        return None
    return due_after(timezone.localdate(report.status_changed_at), days=RESUBMIT_DAYS)


def returned_reports() -> QuerySet[Report]:
    return Report.objects.filter(status=ReportStatus.RETURNED).select_related("institution")


def reports_to_resubmit_for(user) -> QuerySet[Report]:
    return Report.objects.filter(institution_id__in=institution_ids_for(user=user, perm="fill_reports"))


def resubmit_message(report: Report, offset: Offset, due_on: datetime.date) -> tuple[str, str]:
    return (
        f"报表待重新提交：{report.title}",
        f"{report.institution.name}的报表“{report.title}”已被退回，"
        f"请在 {format_date(due_on)} 前修改并重新提交，逾期将被标记为已逾期。",
    )


register_deadline(
    RESUBMIT_DEADLINE,
    label="退回报表重新提交期限",
    model=Report,
    due=resubmit_due,
    queryset=returned_reports,
    reminders=(Offset(days=3), Offset(days=1)),
    recipients=lambda report: institution_admins(institution_id=report.institution_id),
    message=resubmit_message,
    on_overdue=lambda report: transition(obj=report, name="overdue", by=None, side=Side.SYSTEM),
    todo=DeadlineTodo(
        objects=reports_to_resubmit_for,
        title=lambda report: f"修改并重新提交被退回的报表：{report.title}",
        module="测试模块",
        horizon=Offset(days=RESUBMIT_DAYS),
        owner=lambda report: report.institution.name,
    ),
)
