"""A task's submissions as one workbook: a row per target, a column per field of the task's frozen
schema, written in openpyxl's write-only mode from a queryset read in chunks (sujt.core.excel), so memory
stays flat whatever the number of rows. Only what was handed in is shown: a draft is the institution's
own until submitted."""

from typing import Any

from django.http import FileResponse

from sujt.core.excel import ExcelColumn, xlsx_file_response
from sujt.core.regions import region_name

from . import schema
from .choices import AssignmentStatus, TargetKind
from .models import ReportAssignment, ReportTask
from .selectors import export_assignments


def _handed_in(assignment: ReportAssignment) -> bool:
    return assignment.submitted_at is not None


def _answer(spec: schema.FieldSpec):
    def read(assignment: ReportAssignment) -> Any:
        return (
            schema.cell(spec, assignment.submitted_values.get(spec.key)) if _handed_in(assignment) else None
        )

    return read


def _explanations(specs: list[schema.FieldSpec]):
    labels = {spec.key: spec.label for spec in specs}

    def read(assignment: ReportAssignment) -> str:
        if not _handed_in(assignment):
            return ""
        return "；".join(
            f"{labels.get(key, key)}：{text}" for key, text in assignment.submitted_explanations.items()
        )

    return read


def _lateness(assignment: ReportAssignment) -> str:
    if assignment.overdue_at is None:
        return ""
    return "逾期（已免于逾期）" if assignment.excused_at else "逾期"


STATUS_LABELS = dict(AssignmentStatus.choices)


def task_columns(task: ReportTask) -> list[ExcelColumn]:
    specs = schema.specs_of(task.schema)
    columns = [
        ExcelColumn("机构名称", "institution.name"),
        ExcelColumn("统一社会信用代码", "institution.uscc"),
        ExcelColumn("所在地区", lambda a: region_name(a.institution.region_code)),
    ]
    if task.target_kind == TargetKind.CENTER:
        columns.append(ExcelColumn("中心名称", "subject_name"))
    columns += [
        ExcelColumn("填报状态", lambda a: STATUS_LABELS.get(a.status, a.status)),
        ExcelColumn("提交时间", "submitted_at"),
        ExcelColumn("是否逾期", _lateness),
        *(ExcelColumn(spec.title, _answer(spec)) for spec in specs),
        ExcelColumn("变动说明", _explanations(specs)),
    ]
    return columns


# A row holds the institution and every answer (a few KB as objects): rows are read this many at a time,
# so the export's memory stays that of two chunks whatever the number of rows.
CHUNK_ROWS = 500


def task_export_response(*, task: ReportTask, user: Any) -> FileResponse:
    return xlsx_file_response(
        filename=f"{task.title}填报结果.xlsx",
        sheet_title="填报结果",
        columns=task_columns(task),
        objects=export_assignments(task=task, user=user).iterator(chunk_size=CHUNK_ROWS),
    )
