"""加分申请, 申疑 and 信用修复 in the workspace: lists, forms and details of the institution's three
applications (credit.applications holds the rules and the writes). Every object comes through a
selector filtered by the current institution: another institution's application, deduction or file is a
404."""

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_safe

from sujt.core.choices import ReviewStatus
from sujt.core.forms import service_errors_add
from sujt.core.review_views import review_action_view
from sujt.core.views import private_file_response
from sujt.core.workflow import InvalidTransition, transitions_of

from .. import applications as apps
from ..access import credit_member_required
from ..forms import SUBMIT, BonusApplicationForm, ObjectionForm, RepairForm
from ..models import BonusApplication, CreditObjection, CreditRepair

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
STATUS_CHOICES = [(value, label) for value, label in ReviewStatus.choices]


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("status", "")
    return status if status in ReviewStatus.values else ""


def _refused(form: Any, error: Exception) -> None:
    """A service's refusal onto the form, so the page comes back with everything typed."""
    if isinstance(error, InvalidTransition):
        form.add_error(None, error.message)
    else:
        service_errors_add(form, error)  # type: ignore[arg-type]


# --- 加分申请 --------------------------------------------------------------------------------------


@require_safe
@credit_member_required
def bonus_list(request: HttpRequest) -> HttpResponse:
    status = _status_filter(request)
    applications = apps.bonus_applications_of(institution_id=request.institution.pk)
    if status:
        applications = applications.filter(status=status)
    context = {"page": _page(request, applications), "status": status, "status_choices": STATUS_CHOICES}
    return render(request, "credit/workspace/bonus_list.html", context)


def _bonus_form_page(
    request: HttpRequest, *, application: BonusApplication | None, form: BonusApplicationForm
) -> HttpResponse:
    context = {"application": application, "form": form}
    return render(request, "credit/workspace/bonus_form.html", context, status=400 if form.errors else 200)


def _bonus_form(request: HttpRequest, application: BonusApplication | None) -> HttpResponse:
    existing = apps.evidence_of(application) if application is not None else []
    submitting = request.POST.get("action") == SUBMIT
    initial = {}
    if application is not None:
        initial = {
            "item": application.item_id,
            "achieved_on": application.achieved_on,
            "reason": application.reason,
        }
    form = BonusApplicationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        submitting=submitting,
        existing_evidence=existing,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = apps.bonus_application_save(
                institution=request.institution,
                by=request.user,
                application=application,
                item=data["item"],
                achieved_on=data["achieved_on"],
                reason=data["reason"],
                evidence=data["evidence"],
                remove_evidence_ids=data.get("remove_evidence") or [],
                submit=submitting,
            )
        except (ValidationError, InvalidTransition) as error:
            _refused(form, error)
        else:
            if submitting:
                messages.success(request, "加分申请已提交，监管部门审核后会通知您。")
            else:
                messages.success(request, "草稿已保存。确认材料齐全后，请在详情页提交审核。")
            return redirect("credit:bonus_detail", pk=saved.pk)
    return _bonus_form_page(request, application=application, form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@credit_member_required
def bonus_add(request: HttpRequest) -> HttpResponse:
    return _bonus_form(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@credit_member_required
def bonus_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = apps.bonus_application_get(institution_id=request.institution.pk, pk=pk)
    if not application.is_editable_by_institution:
        messages.error(
            request,
            f"该申请当前状态为「{application.get_status_display()}」，只有草稿或被退回的申请可以修改。",
        )
        return redirect("credit:bonus_detail", pk=application.pk)
    return _bonus_form(request, application)


@require_safe
@credit_member_required
def bonus_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = apps.bonus_application_get(institution_id=request.institution.pk, pk=pk)
    context = {
        "application": application,
        "evidence": apps.evidence_of(application),
        "transitions": transitions_of(application),
        "valid_until": apps.bonus_valid_until(item=application.item, achieved_on=application.achieved_on),
    }
    return render(request, "credit/workspace/bonus_detail.html", context)


def _bonus_get(request: HttpRequest, pk: int) -> BonusApplication:
    return apps.bonus_application_get(institution_id=request.institution.pk, pk=pk)


def _bonus_url(application: BonusApplication) -> str:
    return reverse("credit:bonus_detail", args=[application.pk])


bonus_submit = credit_member_required(
    review_action_view(
        get_object=_bonus_get,
        act=lambda application, by: apps.bonus_application_submit(application=application, by=by),
        success_message="加分申请已提交，监管部门审核后会通知您。",
        redirect_to=_bonus_url,
    )
)
bonus_withdraw = credit_member_required(
    review_action_view(
        get_object=_bonus_get,
        act=lambda application, by: apps.bonus_application_withdraw(application=application, by=by),
        success_message="加分申请已撤回。",
        redirect_to=_bonus_url,
    )
)


# --- 信用修复: the deductions, 申疑 and 修复 ------------------------------------------------------------


@require_safe
@credit_member_required
def repair_list(request: HttpRequest) -> HttpResponse:
    institution_id = request.institution.pk
    context = {
        "deductions": apps.deductions_of(institution_id=institution_id),
        "objections": apps.objections_of(institution_id=institution_id)[:50],
        "repairs": apps.repairs_of(institution_id=institution_id)[:50],
    }
    return render(request, "credit/workspace/repair_list.html", context)


# The two kinds of application on 信用修复, told apart by the views and templates.
KINDS: dict[str, dict[str, Any]] = {
    "objection": {
        "title": "申疑",
        "form": ObjectionForm,
        "get": apps.objection_get,
        "refusal": lambda event: apps.deduction_check_objection(event=event),
        "detail": "credit:objection_detail",
        "submitted": "申疑已提交：审核期间该扣分标记为“异议中”，仍计入得分。",
        "resubmitted": "申疑已重新提交，等待监管部门审核。",
    },
    "repair": {
        "title": "信用修复申请",
        "form": RepairForm,
        "get": apps.repair_get,
        "refusal": lambda event: apps.deduction_check_repair(event=event),
        "detail": "credit:repair_detail",
        "submitted": "信用修复申请已提交，监管部门审核后会通知您。",
        "resubmitted": "信用修复申请已重新提交，等待监管部门审核。",
    },
}


def _application_form_page(
    request: HttpRequest, *, kind: str, event: Any, form: Any, application: Any = None, refusal: str = ""
) -> HttpResponse:
    context = {
        "kind": kind,
        "title": KINDS[kind]["title"],
        "event": event,
        "form": form,
        "application": application,
        "refusal": refusal,
    }
    return render(
        request, "credit/workspace/repair_application_form.html", context, status=400 if form.errors else 200
    )


def _new_application(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    """申疑 or 申请修复 of one of the institution's deductions: why not, when it may not be; else the form."""
    spec = KINDS[kind]
    event = apps.deduction_get(institution_id=request.institution.pk, pk=pk)
    form = spec["form"](request.POST or None, request.FILES or None)
    refusal = spec["refusal"](event)
    if request.method == "POST" and not refusal and form.is_valid():
        submit = apps.objection_submit if kind == "objection" else apps.repair_submit
        try:
            application = submit(
                institution=request.institution,
                event=event,
                by=request.user,
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data["evidence"],
            )
        except (ValidationError, InvalidTransition) as error:
            _refused(form, error)
        else:
            messages.success(request, spec["submitted"])
            return redirect(spec["detail"], pk=application.pk)
    return _application_form_page(request, kind=kind, event=event, form=form, refusal=refusal)


def _edit_application(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    """A returned objection or repair, changed and submitted again."""
    spec = KINDS[kind]
    application = spec["get"](institution_id=request.institution.pk, pk=pk)
    if application.status != ReviewStatus.RETURNED:
        messages.error(
            request,
            f"该{spec['title']}当前状态为「{application.get_status_display()}」，只有被退回的申请可以修改。",
        )
        return redirect(spec["detail"], pk=application.pk)
    form = spec["form"](
        request.POST or None,
        request.FILES or None,
        initial={"reason": application.reason},
        existing_evidence=apps.evidence_of(application),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "objection":
                apps.objection_resubmit(
                    objection=application,
                    by=request.user,
                    reason=data["reason"],
                    evidence=data["evidence"],
                    remove_evidence_ids=data.get("remove_evidence") or [],
                )
            else:
                apps.repair_resubmit(
                    repair=application,
                    by=request.user,
                    reason=data["reason"],
                    evidence=data["evidence"],
                    remove_evidence_ids=data.get("remove_evidence") or [],
                )
        except (ValidationError, InvalidTransition) as error:
            _refused(form, error)
        else:
            messages.success(request, spec["resubmitted"])
            return redirect(spec["detail"], pk=application.pk)
    return _application_form_page(
        request, kind=kind, event=application.event, form=form, application=application
    )


def _application_detail(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    application = spec["get"](institution_id=request.institution.pk, pk=pk)
    context = {
        "kind": kind,
        "title": spec["title"],
        "application": application,
        "event": application.event,
        "evidence": apps.evidence_of(application),
        "transitions": transitions_of(application),
    }
    return render(request, "credit/workspace/repair_application_detail.html", context)


def _view(
    function: Callable[..., HttpResponse], kind: str, methods: list[str]
) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return function(request, pk, kind=kind)

    view.__name__ = f"{kind}_{function.__name__.strip('_')}"
    return require_http_methods(methods)(credit_member_required(view))


FORM_METHODS = ["GET", "HEAD", "POST"]
READ_METHODS = ["GET", "HEAD"]

objection_add = _view(_new_application, "objection", FORM_METHODS)
objection_edit = _view(_edit_application, "objection", FORM_METHODS)
objection_detail = _view(_application_detail, "objection", READ_METHODS)
repair_add = _view(_new_application, "repair", FORM_METHODS)
repair_edit = _view(_edit_application, "repair", FORM_METHODS)
repair_detail = _view(_application_detail, "repair", READ_METHODS)


def _objection_get(request: HttpRequest, pk: int) -> CreditObjection:
    return apps.objection_get(institution_id=request.institution.pk, pk=pk)


def _repair_get(request: HttpRequest, pk: int) -> CreditRepair:
    return apps.repair_get(institution_id=request.institution.pk, pk=pk)


objection_withdraw = credit_member_required(
    review_action_view(
        get_object=_objection_get,
        act=lambda objection, by: apps.objection_withdraw(objection=objection, by=by),
        success_message="申疑已撤回，该扣分恢复为“计分中”。",
        redirect_to=lambda objection: reverse("credit:objection_detail", args=[objection.pk]),
    )
)
repair_withdraw = credit_member_required(
    review_action_view(
        get_object=_repair_get,
        act=lambda repair, by: apps.repair_withdraw(repair=repair, by=by),
        success_message="信用修复申请已撤回。",
        redirect_to=lambda repair: reverse("credit:repair_detail", args=[repair.pk]),
    )
)


# --- Evidence files ------------------------------------------------------------------------------


@require_safe
@credit_member_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file of one of the institution's applications (never public; anything else: 404)."""
    return private_file_response(apps.evidence_get(institution_id=request.institution.pk, pk=pk))


urlpatterns = [
    path("bonus/", bonus_list, name="bonus_list"),
    path("bonus/new/", bonus_add, name="bonus_add"),
    path("bonus/<int:pk>/", bonus_detail, name="bonus_detail"),
    path("bonus/<int:pk>/edit/", bonus_edit, name="bonus_edit"),
    path("bonus/<int:pk>/submit/", bonus_submit, name="bonus_submit"),
    path("bonus/<int:pk>/withdraw/", bonus_withdraw, name="bonus_withdraw"),
    # Under repair/ so that 信用修复 stays the active tab on every page of objections and repairs.
    path("repair/", repair_list, name="repair_list"),
    path("repair/deductions/<int:pk>/objection/", objection_add, name="objection_add"),
    path("repair/deductions/<int:pk>/repair/", repair_add, name="repair_add"),
    path("repair/objections/<int:pk>/", objection_detail, name="objection_detail"),
    path("repair/objections/<int:pk>/edit/", objection_edit, name="objection_edit"),
    path("repair/objections/<int:pk>/withdraw/", objection_withdraw, name="objection_withdraw"),
    path("repair/repairs/<int:pk>/", repair_detail, name="repair_detail"),
    path("repair/repairs/<int:pk>/edit/", repair_edit, name="repair_edit"),
    path("repair/repairs/<int:pk>/withdraw/", repair_withdraw, name="repair_withdraw"),
    path("evidence/<int:pk>/", evidence_file, name="evidence_file"),
]
