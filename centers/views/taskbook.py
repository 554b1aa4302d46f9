"""任务书 and 任务书变更申请 in the workspace: the first task book of a center being built, a change
application prefilled from the current version, every version readable. Centers and task books come
through the institution's selectors (another institution's are a 404)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from sujt.core.dates import format_date
from sujt.core.workflow import InvalidTransition, transitions_of

from .. import selectors, services
from ..access import centers_member_required
from ..choices import TaskBookKind
from ..forms.taskbook import ChangeForm, IndicatorFormSet
from ..models import Center, TaskBook, TaskIndicator
from .common import action_view, institution_actions, row_errors_onto, submitting

FIELDS = ("number", "name", "target_value", "unit", "due_on")
PREFIX = "indicators"
# 增加空行: the table shown again as typed (blank rows dropped) with blank rows below; nothing is saved.
ADD_ROWS = "add_rows"
INDICATOR_LABELS = {"name": "指标名称", "target_value": "目标值", "unit": "单位", "due_on": "完成期限"}
SUBMITTED = "已提交，等待监管部门审核；审核结果会以站内消息通知。"
SAVED = "草稿已保存。确认指标无误后，请点击“提交审核”。"


def _rows(task_book: TaskBook | None) -> list[dict[str, Any]]:
    if task_book is None:
        return []
    return [{name: getattr(i, name) for name in FIELDS} for i in task_book.indicators.all()]


def _typed_rows(data: Any) -> list[dict[str, str]]:
    """The rows of a POST as typed (strings, each with its hidden number), the blank ones left out."""
    try:
        total = min(int(data.get(f"{PREFIX}-TOTAL_FORMS", 0)), services.MAX_ROWS)
    except (TypeError, ValueError):
        total = 0
    rows = []
    for index in range(total):
        row = {name: data.get(f"{PREFIX}-{index}-{name}", "").strip() for name in FIELDS}
        if any(row[name] for name in FIELDS if name != "number"):
            rows.append(row)
    return rows


def _form(request: HttpRequest, *, center: Center, kind: str, task_book: TaskBook | None) -> HttpResponse:
    change = kind == TaskBookKind.CHANGE
    adding = request.method == "POST" and request.POST.get("action") == ADD_ROWS
    post = request.method == "POST" and not adding
    if adding:
        rows: list[dict[str, Any]] = _typed_rows(request.POST)
        initial = {name: request.POST.get(name, "") for name in ("reason", "construction_due_on")}
    elif task_book is not None:
        rows = _rows(task_book)
        initial = {"reason": task_book.reason, "construction_due_on": task_book.construction_due_on}
    else:
        rows = _rows(center.task_book) if change else []
        initial = {}
    formset = IndicatorFormSet(request.POST if post else None, initial=rows, prefix=PREFIX)
    # The first task book has no fields beside its table: a plain form carries the service's refusals.
    form = (
        ChangeForm(request.POST if post else None, initial=initial)
        if change
        else forms.Form(request.POST or None)
    )
    if post and formset.is_valid() & form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.taskbook_save(
                center=center,
                by=request.user,
                kind=kind,
                task_book=task_book,
                indicators=formset.rows(),
                reason=data.get("reason", ""),
                construction_due_on=data.get("construction_due_on"),
                submit=submitting(request),
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(task_book.get_absolute_url() if task_book else center.get_absolute_url())
        except ValidationError as error:
            row_errors_onto(form, formset, error, PREFIX)
        else:
            messages.success(request, SUBMITTED if submitting(request) else SAVED)
            return redirect(saved.get_absolute_url())
    context = {
        "center": center,
        "task_book": task_book,
        "change": change,
        "form": form,
        "formset": formset,
        "current": center.task_book,
        "rows_added": adding,
        "max_rows": services.MAX_ROWS,
    }
    return render(request, "centers/taskbook_form.html", context, status=400 if post else 200)


def _center(request: HttpRequest, pk: int) -> Center:
    return selectors.center_get(institution_id=request.institution.pk, pk=pk)


def _start(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    center = _center(request, pk)
    refusal = services.taskbook_refusal(center, kind=kind)
    if refusal:
        messages.error(request, refusal)
        return redirect(center.get_absolute_url())
    return _form(request, center=center, kind=kind, task_book=None)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def taskbook_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, TaskBookKind.INITIAL)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def taskbook_change(request: HttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, TaskBookKind.CHANGE)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def taskbook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task_book = selectors.task_book_get(institution_id=request.institution.pk, pk=pk)
    if not task_book.is_editable_by_institution:
        messages.error(
            request,
            f"该{task_book.get_kind_display()}当前状态为「{task_book.get_status_display()}」，不能修改。",
        )
        return redirect(task_book.get_absolute_url())
    return _form(request, center=task_book.center, kind=task_book.kind, task_book=task_book)


def _parts(indicator: TaskIndicator | None, changed: set[str]) -> list[tuple[str, bool]]:
    """An indicator as (text, changed) pieces: name, target with unit, due date."""
    if indicator is None:
        return []
    target = f"{indicator.target_value.normalize():f} {indicator.unit}"
    return [
        (indicator.name, "name" in changed),
        (target, bool(changed & {"target_value", "unit"})),
        (f"{format_date(indicator.due_on)} 前", "due_on" in changed),
    ]


def comparison(task_book: TaskBook) -> list[dict[str, Any]]:
    """A change against the version it is based on, by indicator number: 新增 / 删除 / 修改 (naming the
    fields changed) / 未变, each side as pieces marked changed or not."""
    before = {i.number: i for i in task_book.based_on.indicators.all()} if task_book.based_on_id else {}
    after = {i.number: i for i in task_book.indicators.all()}
    rows = []
    for number in sorted(before.keys() | after.keys()):
        old, new = before.get(number), after.get(number)
        changed: set[str] = set()
        if old is None:
            change = "新增"
        elif new is None:
            change = "删除"
        else:
            changed = {name for name in INDICATOR_LABELS if getattr(old, name) != getattr(new, name)}
            change = "修改" if changed else "未变"
        rows.append(
            {
                "number": number,
                "change": change,
                "fields": "、".join(label for name, label in INDICATOR_LABELS.items() if name in changed),
                "before": _parts(old, changed),
                "after": _parts(new, changed),
            }
        )
    return rows


@require_safe
@centers_member_required
def taskbook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task_book = selectors.task_book_get(institution_id=request.institution.pk, pk=pk)
    center = task_book.center
    versions = selectors.task_books_of(institution_id=request.institution.pk).filter(center=center)
    context = {
        "task_book": task_book,
        "center": center,
        "indicators": list(task_book.indicators.all()),
        "comparison": comparison(task_book) if task_book.kind == TaskBookKind.CHANGE else [],
        "versions": versions.order_by("-created_at", "-pk"),
        "actions": institution_actions(task_book, prefix="taskbook", noun=task_book.get_kind_display()),
        "transitions": transitions_of(task_book),
    }
    return render(request, "centers/taskbook_detail.html", context)


taskbook_submit = action_view(
    get=selectors.task_book_get,
    act=lambda task_book, by: services.taskbook_submit(task_book=task_book, by=by),
    message=SUBMITTED,
)
taskbook_withdraw = action_view(
    get=selectors.task_book_get,
    act=lambda task_book, by: services.taskbook_withdraw(task_book=task_book, by=by),
    message="已撤回。",
)
