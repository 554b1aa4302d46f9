"""验收申请 in the workspace: the construction summary, a self-evaluation of every indicator of the current
task book and the acceptance materials; reviewed by the city bureau, then the province. Centers and
applications come through the institution's selectors (another institution's are a 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from sujt.core.workflow import InvalidTransition, transitions_of

from .. import selectors, services
from ..access import centers_member_required
from ..forms.taskbook import AcceptanceForm, EvaluationFormSet
from ..models import AcceptanceApplication, Center, TaskIndicator
from .common import action_view, institution_actions, row_errors_onto, submitting
from .progress import INFO_HEADERS, per_indicator

SUBMITTED = "验收申请已提交，等待市级监管部门初审、省级监管部门审批；审核结果会以站内消息通知。"
SAVED = "草稿已保存。完成全部指标自评并上传验收材料后，请点击“提交验收申请”。"


def _form(request: HttpRequest, *, center: Center, application: AcceptanceApplication | None) -> HttpResponse:
    post = request.method == "POST"
    indicators = list(TaskIndicator.objects.filter(task_book_id=center.task_book_id).order_by("number"))
    existing = list(selectors.files_of(application, services.ACCEPTANCE_RULE.purpose)) if application else []
    # By indicator number: after a task-book change, a draft's evaluations follow the indicators kept.
    rows = (
        {e.indicator.number: e for e in application.evaluations.select_related("indicator")}
        if application
        else {}
    )
    initial = [
        {
            "indicator_id": i.pk,
            "achieved_value": getattr(rows.get(i.number), "achieved_value", None),
            "met": {True: "1", False: "0"}.get(getattr(rows.get(i.number), "met", None), ""),
            "remark": getattr(rows.get(i.number), "remark", ""),
        }
        for i in indicators
    ]
    form = AcceptanceForm(
        request.POST if post else None,
        request.FILES if post else None,
        initial={"summary": application.summary if application else ""},
        existing=existing,
    )
    formset = EvaluationFormSet(request.POST if post else None, initial=initial, prefix="evaluations")
    per_indicator(formset, indicators)
    if post and form.is_valid() & formset.is_valid():
        data = form.cleaned_data
        try:
            saved = services.acceptance_save(
                center=center,
                by=request.user,
                application=application,
                summary=data["summary"],
                evaluations=formset.rows(),
                files=data.get("files") or [],
                remove_files=data.get("remove_files") or [],
                submit=submitting(request),
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(application.get_absolute_url() if application else center.get_absolute_url())
        except ValidationError as error:
            row_errors_onto(form, formset, error, "evaluations")
        else:
            messages.success(request, SUBMITTED if submitting(request) else SAVED)
            return redirect(saved.get_absolute_url())
    context = {
        "center": center,
        "application": application,
        "form": form,
        "formset": formset,
        "existing": existing,
        "info_headers": INFO_HEADERS,
    }
    return render(request, "centers/acceptance_form.html", context, status=400 if post else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def acceptance_create(request: HttpRequest, pk: int) -> HttpResponse:
    center = selectors.center_get(institution_id=request.institution.pk, pk=pk)
    refusal = services.acceptance_refusal(center)
    if refusal:
        messages.error(request, refusal)
        return redirect(center.get_absolute_url())
    return _form(request, center=center, application=None)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def acceptance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.acceptance_application_get(institution_id=request.institution.pk, pk=pk)
    if not application.is_editable_by_institution:
        messages.error(request, f"该验收申请当前状态为「{application.get_status_display()}」，不能修改。")
        return redirect(application.get_absolute_url())
    return _form(request, center=application.center, application=application)


@require_safe
@centers_member_required
def acceptance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.acceptance_application_get(institution_id=request.institution.pk, pk=pk)
    context = {
        "application": application,
        "center": application.center,
        "evaluations": list(application.evaluations.select_related("indicator")),
        "files": selectors.files_of(application, services.ACCEPTANCE_RULE.purpose),
        "actions": institution_actions(application, prefix="acceptance", noun="验收申请"),
        "transitions": transitions_of(application),
    }
    return render(request, "centers/acceptance_detail.html", context)


acceptance_submit = action_view(
    get=selectors.acceptance_application_get,
    act=lambda application, by: services.acceptance_submit(application=application, by=by),
    message=SUBMITTED,
)
acceptance_withdraw = action_view(
    get=selectors.acceptance_application_get,
    act=lambda application, by: services.acceptance_withdraw(application=application, by=by),
    message="验收申请已撤回。",
)
