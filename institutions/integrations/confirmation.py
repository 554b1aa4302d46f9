"""Registrations for the confirmation area of module 02 (imported by InstitutionsConfig.ready).

- The dashboard's 首要工作 item 确认机构信息, under the key the foundation used while module 02 was unopened
  ("confirm_institution", sujt/portal/checklist.py): done once the institution's information has been
  confirmed; for a motor-vehicle inspection institution it says that confirmation waits for the approval
  system's motor-vehicle module.
- To-dos: error reports returned to the institution, to be changed and resubmitted.
"""

from django.urls import reverse

from sujt.accounts.permissions import has_module_perm
from sujt.core.dates import format_date
from sujt.core.todos import ChecklistItem, Todo, register_checklist_provider, register_todo_provider

from ..selectors.confirmation import (
    MOTOR_VEHICLE_MESSAGE,
    is_motor_vehicle_institution,
    returned_error_reports_for,
)

CONFIRM_KEY = "confirm_institution"
CONFIRM_ORDER = 30
MODULE_LABEL = "02 机构风采管理"


def confirm_institution_checklist(user, institution) -> list[ChecklistItem]:
    if institution is None:
        return []
    done = institution.info_confirmed_at is not None
    if done:
        note = f"已于 {format_date(institution.info_confirmed_at)} 确认。"
    elif is_motor_vehicle_institution(institution=institution):
        note = MOTOR_VEHICLE_MESSAGE
    else:
        note = "核对同步自资质认定审批系统的机构信息，无误请确认，有误请报告错误。"
    if not has_module_perm(user=user, institution_id=institution.pk, perm="manage_profile"):
        note += "（需要“机构风采管理”权限，请联系本机构管理员。）"
    return [
        ChecklistItem(
            key=CONFIRM_KEY,
            title="确认机构信息",
            done=done,
            url=reverse("institutions:confirm"),
            note=note,
            order=CONFIRM_ORDER,
        )
    ]


def returned_error_report_todos(user) -> list[Todo]:
    reports = list(returned_error_reports_for(user=user))
    several = len({report.institution_id for report in reports}) > 1
    return [
        Todo(
            title=(f"{report.institution.name}：" if several else "")
            + f"错误报告被退回，请修改后重新提交：{report.item_label}",
            module=MODULE_LABEL,
            url=reverse("institutions:error_report_edit", args=[report.pk]),
        )
        for report in reports
    ]


register_checklist_provider(confirm_institution_checklist)
register_todo_provider(returned_error_report_todos)
