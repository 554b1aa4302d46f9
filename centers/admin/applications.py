"""The regulators' review queues of module 04: 筹建申请 and 验收申请 (the city bureau's step, then the
province's), 任务书 and 任务书变更, 筹建进展报告 and 系统外中心登记. Read-only pages with the decisions of
each declared workflow; the decisions that move a center run centers.services."""

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sujt.core.dates import format_date

from .. import services
from ..models import (
    AcceptanceApplication,
    CenterRegistration,
    ConstructionApplication,
    ProgressReport,
    TaskBook,
)
from .common import ApplicationAdmin, table, with_side
from .common import number as _number


def _construction_approve(application, **kwargs):
    return services.construction_approve(application=application, **kwargs)


def _construction_reject(application, **kwargs):
    return services.construction_reject(application=application, **kwargs)


@admin.register(ConstructionApplication)
class ConstructionApplicationAdmin(ApplicationAdmin):
    """中心筹建初审 / 中心筹建审批: the city bureau's step, then the province's (批准筹建 gives the center its
    approval number and deadlines; 不予批准 revokes it)."""

    review_services = {
        "review_province_approve_selected": with_side(_construction_approve),
        "review_province_reject_selected": with_side(_construction_reject),
    }
    file_purposes = (
        (services.FEASIBILITY_RULE.purpose, "可行性研究报告"),
        (services.MATERIALS_RULE.purpose, "其他材料"),
    )
    list_display = ["name", "institution", "region", "level", "kind", "status", "submitted_at"]
    list_select_related = ["institution"]
    search_fields = ["name", "institution__name", "institution__uscc"]
    fields = [
        "institution",
        "name",
        "level",
        "kind",
        "industry",
        "product_scope",
        "content_and_goals",
        "planned_investment",
        "funding_source",
        "construction_months",
        "staffing_plan",
        "equipment_table",
        "file_links",
        "center",
        "applicant",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("主要仪器设备"))
    def equipment_table(self, obj: ConstructionApplication) -> Any:
        rows = list(obj.equipment.all())
        total = sum((row.total for row in rows), start=Decimal(0))
        cells = [
            (
                row.position,
                row.name,
                row.specification,
                _number(row.unit_price),
                row.quantity,
                _number(row.total),
            )
            for row in rows
        ]
        if cells:
            cells.append(("", "合计", "", "", "", _number(total)))
        return table(["序号", "设备名称", "规格型号", "单价（万元）", "数量", "总价（万元）"], cells)


def _acceptance_pass(decision: str):
    def call(application, **kwargs):
        return services.acceptance_pass(application=application, decision=decision, **kwargs)

    return call


def _acceptance_fail(application, **kwargs):
    return services.acceptance_fail(application=application, **kwargs)


@admin.register(AcceptanceApplication)
class AcceptanceApplicationAdmin(ApplicationAdmin):
    """中心验收初审 / 中心验收审批: the province accepts with a grade (运行中) or not (验收未通过, with
    comments)."""

    review_services = {
        **{
            f"review_{name}_selected": with_side(_acceptance_pass(name))
            for name in services.GRADE_OF_DECISION
        },
        "review_province_fail_selected": with_side(_acceptance_fail),
    }
    file_purposes = ((services.ACCEPTANCE_RULE.purpose, "验收材料"),)
    list_display = ["center", "institution", "region", "status", "grade", "submitted_at"]
    list_select_related = ["institution", "center"]
    search_fields = ["center__name", "institution__name", "institution__uscc"]
    fields = [
        "institution",
        "center",
        "task_book",
        "summary",
        "evaluation_table",
        "file_links",
        "grade",
        "applicant",
    ]
    readonly_fields = fields

    @admin.display(description=_("指标自评"))
    def evaluation_table(self, obj: AcceptanceApplication) -> Any:
        rows = obj.evaluations.select_related("indicator")
        return table(
            ["序号", "指标", "目标值", "实际完成值", "是否达标", "自评说明"],
            (
                (
                    row.indicator.number,
                    row.indicator.name,
                    f"{_number(row.indicator.target_value)} {row.indicator.unit}",
                    f"{_number(row.achieved_value)} {row.indicator.unit}",
                    "达标" if row.met else "未达标",
                    row.remark or "—",
                )
                for row in rows
            ),
        )


def _taskbook_approve(task_book, **kwargs):
    return services.taskbook_approve(task_book=task_book, **kwargs)


@admin.register(TaskBook)
class TaskBookAdmin(ApplicationAdmin):
    """中心任务书审核 / 任务书变更审核: approval makes it the center's current version (a change's new
    deadline moves the center's)."""

    review_services = {"review_approve_selected": with_side(_taskbook_approve)}
    list_display = ["center", "institution", "region", "kind", "version", "status", "submitted_at"]
    list_filter = ["status", "kind", *ApplicationAdmin.list_filter[1:]]
    list_select_related = ["institution", "center"]
    search_fields = ["center__name", "institution__name"]
    fields = [
        "institution",
        "center",
        "kind",
        "version",
        "based_on",
        "reason",
        "construction_due_on",
        "current_deadline",
        "indicator_table",
        "applicant",
    ]
    readonly_fields = fields

    @admin.display(description=_("现行筹建及验收期限"))
    def current_deadline(self, obj: TaskBook) -> str:
        return format_date(obj.center.construction_due_on) or "—"

    @admin.display(description=_("指标（变更申请：变更前 → 变更后）"))
    def indicator_table(self, obj: TaskBook) -> Any:
        before = {i.number: i for i in obj.based_on.indicators.all()} if obj.based_on_id else {}
        after = {i.number: i for i in obj.indicators.all()}

        def text(indicator: Any) -> str:
            if indicator is None:
                return "—"
            target = f"{_number(indicator.target_value)} {indicator.unit}"
            return f"{indicator.name}：{target}，{format_date(indicator.due_on)} 前"

        if not obj.based_on_id:
            return table(["序号", "指标"], ((n, text(after[n])) for n in sorted(after)))
        rows = []
        for number in sorted(before.keys() | after.keys()):
            old, new = before.get(number), after.get(number)
            change = (
                "新增"
                if old is None
                else "删除"
                if new is None
                else ("未变" if text(old) == text(new) else "修改")
            )
            rows.append((number, change, text(old), text(new)))
        changes = table(["序号", "变更", "变更前", "变更后"], rows)
        current = obj.center.task_book
        if obj.status == "submitted" and current is not None and current.pk != obj.based_on_id:
            # Not expected (one change at a time), but the reviewer must not decide on stale figures.
            return format_html(
                "<p><strong>注意：该变更基于第 {} 版提出，现行任务书已是第 {} 版。</strong></p>{}",
                obj.based_on.version,
                current.version,
                changes,
            )
        return changes


@admin.register(ProgressReport)
class ProgressReportAdmin(ApplicationAdmin):
    """筹建进展审核: approved figures count on the center's progress."""

    file_purposes = ((services.PROGRESS_RULE.purpose, "进展材料"),)
    list_display = ["center", "institution", "region", "status", "submitted_at"]
    list_select_related = ["institution", "center"]
    search_fields = ["center__name", "institution__name"]
    fields = ["institution", "center", "task_book", "narrative", "entry_table", "file_links", "applicant"]
    readonly_fields = fields

    @admin.display(description=_("各指标完成情况"))
    def entry_table(self, obj: ProgressReport) -> Any:
        return table(
            ["序号", "指标", "目标值", "当前完成值", "完成比例", "说明"],
            (
                (
                    e.indicator.number,
                    e.indicator.name,
                    f"{_number(e.indicator.target_value)} {e.indicator.unit}",
                    f"{_number(e.actual_value)} {e.indicator.unit}",
                    f"{e.percent}%",
                    e.note or "—",
                )
                for e in obj.entries.select_related("indicator")
            ),
        )


def _registration_approve(registration, **kwargs):
    return services.registration_approve(registration=registration, **kwargs)


@admin.register(CenterRegistration)
class CenterRegistrationAdmin(ApplicationAdmin):
    """系统外中心核实: approval creates the center at the stage the institution gave."""

    review_services = {"review_approve_selected": with_side(_registration_approve)}
    file_purposes = ((services.APPROVAL_RULE.purpose, "批准文件"),)
    list_display = ["name", "institution", "region", "level", "kind", "stage", "status", "submitted_at"]
    list_select_related = ["institution"]
    search_fields = ["name", "approval_number", "institution__name"]
    fields = [
        "institution",
        "name",
        "level",
        "kind",
        "industry",
        "product_scope",
        "approval_number",
        "approved_on",
        "stage",
        "construction_due_on",
        "accepted_on",
        "acceptance_grade",
        "file_links",
        "center",
        "applicant",
    ]
    readonly_fields = fields
