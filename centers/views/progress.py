"""筹建进展报告 in the workspace: against the current task book's indicators, one row each (the value
reached, the share done — computed when left blank — and a note), a narrative and files. Centers and
reports come through the institution's selectors (another institution's are a 404)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from sujt.core.charts import bar_chart_svg
from sujt.core.dates import format_date
from sujt.core.workflow import InvalidTransition, transitions_of

from .. import selectors, services
from ..access import centers_member_required
from ..forms.taskbook import FigureFormSet, ProgressForm
from ..models import Center, ProgressReport, TaskIndicator
from .common import action_view, institution_actions, row_errors_onto, submitting

SUBMITTED = "进展报告已提交，等待监管部门审核；审核通过后计入中心页面的指标进度。"
SAVED = "草稿已保存。确认后请点击“提交”。"
INFO_HEADERS = ("指标", "目标值", "完成期限")


class Cell(str):
    """A read-only cell of a row table: its text, the heading it sits under (`label`, shown beside it when
    a narrow screen stacks the row) and whether it must not wrap."""

    label = ""
    nowrap = False


def cell(text: str, label: str, *, nowrap: bool = False) -> Cell:
    value = Cell(text)
    value.label, value.nowrap = label, nowrap
    return value


def indicator_info(indicator: TaskIndicator) -> list[Cell]:
    name, target, due = INFO_HEADERS
    return [
        cell(indicator.name, name),
        cell(f"{indicator.target_value.normalize():f} {indicator.unit}", target, nowrap=True),
        cell(format_date(indicator.due_on), due, nowrap=True),
    ]


def per_indicator(formset: Any, indicators: list[TaskIndicator]) -> None:
    """Puts each indicator's read-only cells on its row (rows follow the indicators' order)."""
    by_id = {i.pk: i for i in indicators}
    for form, indicator in zip(formset.forms, indicators, strict=False):
        posted = form["indicator_id"].value()
        shown = by_id.get(int(posted)) if str(posted or "").isdigit() else None
        form.info = indicator_info(shown or indicator)


def _form(request: HttpRequest, *, center: Center, report: ProgressReport | None) -> HttpResponse:
    post = request.method == "POST"
    indicators = list(TaskIndicator.objects.filter(task_book_id=center.task_book_id).order_by("number"))
    existing = list(selectors.files_of(report, services.PROGRESS_RULE.purpose)) if report else []
    # By indicator number: after a task-book change, a draft's figures follow the indicators kept.
    entries = {e.indicator.number: e for e in report.entries.select_related("indicator")} if report else {}
    initial = [
        {
            "indicator_id": i.pk,
            "actual_value": getattr(entries.get(i.number), "actual_value", None),
            "percent": getattr(entries.get(i.number), "percent", None),
            "note": getattr(entries.get(i.number), "note", ""),
        }
        for i in indicators
    ]
    form = ProgressForm(
        request.POST if post else None,
        request.FILES if post else None,
        initial={"narrative": report.narrative if report else ""},
        existing=existing,
    )
    formset = FigureFormSet(request.POST if post else None, initial=initial, prefix="entries")
    per_indicator(formset, indicators)
    if post and form.is_valid() & formset.is_valid():
        data = form.cleaned_data
        try:
            saved = services.progress_save(
                center=center,
                by=request.user,
                report=report,
                narrative=data["narrative"],
                entries=formset.rows(),
                files=data.get("files") or [],
                remove_files=data.get("remove_files") or [],
                submit=submitting(request),
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(report.get_absolute_url() if report else center.get_absolute_url())
        except ValidationError as error:
            row_errors_onto(form, formset, error, "entries")
        else:
            messages.success(request, SUBMITTED if submitting(request) else SAVED)
            return redirect(saved.get_absolute_url())
    context = {
        "center": center,
        "report": report,
        "form": form,
        "formset": formset,
        "existing": existing,
        "info_headers": INFO_HEADERS,
    }
    return render(request, "centers/progress_form.html", context, status=400 if post else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def progress_create(request: HttpRequest, pk: int) -> HttpResponse:
    center = selectors.center_get(institution_id=request.institution.pk, pk=pk)
    refusal = services.progress_refusal(center)
    if refusal:
        messages.error(request, refusal)
        return redirect(center.get_absolute_url())
    return _form(request, center=center, report=None)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def progress_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.progress_report_get(institution_id=request.institution.pk, pk=pk)
    if not report.is_editable_by_institution:
        messages.error(request, f"该进展报告当前状态为「{report.get_status_display()}」，不能修改。")
        return redirect(report.get_absolute_url())
    return _form(request, center=report.center, report=report)


@require_safe
@centers_member_required
def progress_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.progress_report_get(institution_id=request.institution.pk, pk=pk)
    entries = list(report.entries.select_related("indicator"))
    chart = (
        bar_chart_svg(
            [(entry.indicator.name, entry.percent) for entry in entries],
            title="本次上报的各指标完成比例",
            label_width=160,
            maximum=100,
            unit="%",
            id_prefix=f"progress-{report.pk}",
        )
        if entries
        else ""
    )
    context = {
        "report": report,
        "center": report.center,
        "entries": entries,
        "chart": chart,
        "files": selectors.files_of(report, services.PROGRESS_RULE.purpose),
        "actions": institution_actions(report, prefix="progress", noun="进展报告"),
        "transitions": transitions_of(report),
    }
    return render(request, "centers/progress_detail.html", context)


progress_submit = action_view(
    get=selectors.progress_report_get,
    act=lambda report, by: services.progress_submit(report=report, by=by),
    message=SUBMITTED,
)
progress_withdraw = action_view(
    get=selectors.progress_report_get,
    act=lambda report, by: services.progress_withdraw(report=report, by=by),
    message="进展报告已撤回。",
)
