"""07/08 in the workspace: an assignment's page is its filling form while the institution may still edit
it (未填报, 草稿, 已退回, 逾期未报) and a read-only record once handed in. Assignments come through the
institution's selector (another institution's is a 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sujt.accounts.decorators import institution_required
from sujt.core.forms import service_errors_add
from sujt.core.workflow import InvalidTransition, transitions_of

from . import schema, selectors, services
from .choices import TargetKind
from .forms import ReportForm
from .models import PERMISSION, ReportAssignment

SAVED = "草稿已保存。填写完整后请点击“提交”。"
SUBMITTED = "已提交，等待监管部门审核；审核结果会以站内消息通知。"


def list_url(assignment: ReportAssignment) -> str:
    return reverse(
        "reporting:center_list" if assignment.task.target_kind == TargetKind.CENTER else "reporting:list"
    )


def _form(
    request: HttpRequest, assignment: ReportAssignment, *, submitting: bool, previous: dict
) -> ReportForm:
    return ReportForm(
        request.POST if request.method == "POST" else None,
        specs=schema.specs_of(assignment.task.schema),
        submitting=submitting,
        previous=previous,
        stored=assignment.values or {},
        explanations=assignment.explanations or {},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@institution_required(PERMISSION)
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get(institution_id=request.institution.pk, pk=pk)
    previous_report = selectors.previous_assignment(assignment=assignment)
    previous = dict(previous_report.submitted_values) if previous_report else {}
    context = {
        "assignment": assignment,
        "task": assignment.task,
        "previous_report": previous_report,
        "transitions": transitions_of(assignment),
        "list_url": list_url(assignment),
        "module_title": "中心运营数据填报"
        if assignment.task.target_kind == TargetKind.CENTER
        else "技术机构运营数据填报",
    }
    if not assignment.is_editable:
        if request.method == "POST":
            messages.error(request, f"该填报当前状态为「{assignment.get_status_display()}」，不能修改。")
            return redirect(assignment.get_absolute_url())
        context["answers"] = selectors.answers_of(assignment, previous=previous)
        return render(request, "reporting/assignment_detail.html", context)
    submitting = request.method == "POST" and request.POST.get("action") == "submit"
    form = _form(request, assignment, submitting=submitting, previous=previous)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_save(
                assignment=assignment,
                by=request.user,
                values=form.values(),
                explanations=form.explanations(),
                submit=submitting,
            )
        except InvalidTransition as exc:
            messages.error(request, str(exc))
            return redirect(assignment.get_absolute_url())
        except ValidationError as exc:
            service_errors_add(form, exc)
        else:
            messages.success(request, SUBMITTED if submitting else SAVED)
            return redirect(assignment.get_absolute_url())
    if request.method == "POST" and not form.is_valid():
        messages.error(
            request, "填报内容有误，请按提示修改。" if submitting else "草稿未保存，请按提示修改。"
        )
    context["form"] = form
    post = request.method == "POST"  # here only when the form or the service refused it
    return render(request, "reporting/assignment_form.html", context, status=400 if post else 200)
