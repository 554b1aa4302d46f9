"""系统外中心登记 in the workspace: a center approved outside the system, with its approval documents, for a
regulator to verify. The registration comes through the institution's selector (another's is a 404)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from sujt.core.workflow import InvalidTransition, transitions_of

from .. import selectors, services
from ..access import centers_member_required
from ..forms.applications import RegistrationForm
from ..models import CenterRegistration
from ..services.construction import REGISTRATION_FIELDS
from .common import action_view, institution_actions, refusal_onto, submitting

SUBMITTED = "登记申请已提交，等待监管部门核实；核实通过后中心即列入本机构的中心。"
SAVED = "草稿已保存。上传批准文件后，请点击“提交核实”。"


def _form(request: HttpRequest, registration: CenterRegistration | None) -> HttpResponse:
    existing = list(selectors.files_of(registration, services.APPROVAL_RULE.purpose)) if registration else []
    post = request.method == "POST"
    initial: dict[str, Any] = {}
    if registration is not None:
        initial = {name: getattr(registration, name) for name in REGISTRATION_FIELDS}
    form = RegistrationForm(
        request.POST if post else None, request.FILES if post else None, initial=initial, existing=existing
    )
    if post and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.registration_save(
                institution=request.institution,
                by=request.user,
                registration=registration,
                data={name: data.get(name) for name in REGISTRATION_FIELDS},
                documents=data.get("files") or [],
                remove_files=data.get("remove_files") or [],
                submit=submitting(request),
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(registration.get_absolute_url() if registration else "centers:center_list")
        except ValidationError as error:
            refusal_onto(form, error)
        else:
            messages.success(request, SUBMITTED if submitting(request) else SAVED)
            return redirect(saved.get_absolute_url())
    context = {"registration": registration, "form": form, "existing": existing}
    return render(request, "centers/registration_form.html", context, status=400 if post else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def registration_create(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def registration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get(institution_id=request.institution.pk, pk=pk)
    if not registration.is_editable_by_institution:
        messages.error(request, f"该登记申请当前状态为「{registration.get_status_display()}」，不能修改。")
        return redirect(registration.get_absolute_url())
    return _form(request, registration)


@require_safe
@centers_member_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get(institution_id=request.institution.pk, pk=pk)
    context = {
        "registration": registration,
        "documents": selectors.files_of(registration, services.APPROVAL_RULE.purpose),
        "actions": institution_actions(registration, prefix="registration", noun="登记申请"),
        "transitions": transitions_of(registration),
    }
    return render(request, "centers/registration_detail.html", context)


registration_submit = action_view(
    get=selectors.registration_get,
    act=lambda registration, by: services.registration_submit(registration=registration, by=by),
    message=SUBMITTED,
)
registration_withdraw = action_view(
    get=selectors.registration_get,
    act=lambda registration, by: services.registration_withdraw(registration=registration, by=by),
    message="登记申请已撤回。",
)
