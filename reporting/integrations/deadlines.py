"""The reporting deadline (core deadlines): every assignment not handed in yet (未填报, 草稿, 已退回,
逾期未报) is due on its task's date, with reminders 3 days and 1 day before to the institution's members
who fill reports, in-site and by SMS, each once per due date; the day after, the kit's job marks one never
handed in 逾期未报 (services.assignment_mark_overdue: the institution is told, the event lets credit record
K05). It is their to-do from the day the task is published; the regulators' dashboard shows what is
overdue or due within 7 days.
"""

from django.db.models import QuerySet
from django.urls import reverse

from sujt.accounts.parties import institution_members_with_perm
from sujt.core.dates import format_date
from sujt.core.deadlines import DeadlineOversight, DeadlineTodo, Offset, register_deadline

from ..choices import TargetKind, TaskStatus
from ..models import PERMISSION, REGION_FIELD, ReportAssignment
from ..selectors import assignments_for
from ..services import NOT_HANDED_IN, assignment_mark_overdue

ASSIGNMENT_DEADLINE = "reporting.assignment_due"


def assignments_waiting() -> QuerySet[ReportAssignment]:
    return ReportAssignment.objects.filter(
        status__in=NOT_HANDED_IN, task__status=TaskStatus.PUBLISHED
    ).select_related("task", "institution")


def module_of(assignment: ReportAssignment) -> str:
    return (
        "08 中心运营数据填报"
        if assignment.task.target_kind == TargetKind.CENTER
        else "07 技术机构运营数据填报"
    )


def reminder_message(assignment: ReportAssignment, offset: Offset, due_on) -> tuple[str, str]:
    return (
        f"运营数据填报提醒：请于 {format_date(due_on)} 前提交",
        f"「{assignment.task.title}」（{assignment.target_name}）将于 {format_date(due_on)} 截止"
        f"（{offset.label}），请尽快完成填报并提交；逾期未报将记入信用记录。",
    )


def waiting_admin_url() -> str:
    return f"{reverse('admin:reporting_reportassignment_changelist')}?waiting=1"


register_deadline(
    ASSIGNMENT_DEADLINE,
    label="运营数据填报截止",
    model=ReportAssignment,
    due="due_on",
    queryset=assignments_waiting,
    reminders=(Offset(days=3), Offset(days=1)),
    recipients=lambda a: institution_members_with_perm(institution_id=a.institution_id, perm=PERMISSION),
    message=reminder_message,
    url=lambda a: a.get_absolute_url(),
    sms=True,
    on_overdue=lambda a: assignment_mark_overdue(assignment=a),
    todo=DeadlineTodo(
        module="07/08 运营数据填报",
        title=lambda a: f"填报「{a.task.title}」" + (f"（{a.subject_name}）" if a.subject_name else ""),
        objects=lambda user: assignments_for(user=user),
        horizon=Offset(months=12),  # a to-do from the day the task is published
        owner=lambda a: a.institution.name,
    ),
    oversight=DeadlineOversight(
        region_field=REGION_FIELD,
        horizon=Offset(days=7),
        title=lambda a: f"{a.task.title}" + (f"（{a.subject_name}）" if a.subject_name else ""),
        owner=lambda a: a.institution.name,
        list_url=waiting_admin_url,
    ),
)
