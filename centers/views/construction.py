"""筹建申请 in the workspace: new, edit (draft or returned), detail, submit, withdraw. The application
comes through the institution's selector: another institution's is a 404."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from sujt.core.workflow import InvalidTransition, transitions_of

from .. import selectors, services
from ..access import centers_member_required
from ..forms.applications import ConstructionForm, EquipmentFormSet
from ..models import ConstructionApplication
from ..services.construction import CONSTRUCTION_FIELDS, EQUIPMENT_FIELDS
from .common import action_view, institution_actions, row_errors_onto, submitting

PREFIX = "equipment"

SUBMITTED = "筹建申请已提交，等待市级监管部门初审；审核结果会以站内消息通知。"
SAVED = "草稿已保存。确认内容和材料齐全后，请点击“提交申请”。"
# 增加空行: the page again as typed (blank equipment rows dropped) with blank rows below; nothing is saved.
ADD_ROWS = "add_rows"


def _files(application: ConstructionApplication | None) -> tuple[list[Any], list[Any]]:
    """(the feasibility report, the other materials) the application holds."""
    if application is None:
        return [], []
    return (
        list(selectors.files_of(application, services.FEASIBILITY_RULE.purpose)),
        list(selectors.files_of(application, services.MATERIALS_RULE.purpose)),
    )


def _typed_rows(data: Any) -> list[dict[str, str]]:
    """The equipment rows of a POST as typed, the blank ones left out."""
    try:
        total = min(int(data.get(f"{PREFIX}-TOTAL_FORMS", 0)), services.MAX_ROWS)
    except (TypeError, ValueError):
        total = 0
    rows = []
    for index in range(total):
        row = {name: data.get(f"{PREFIX}-{index}-{name}", "").strip() for name in EQUIPMENT_FIELDS}
        if any(row.values()):
            rows.append(row)
    return rows


def _form(request: HttpRequest, application: ConstructionApplication | None) -> HttpResponse:
    feasibility, materials = _files(application)
    adding = request.method == "POST" and request.POST.get("action") == ADD_ROWS
    post = request.method == "POST" and not adding
    initial: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    if adding:
        initial = {name: request.POST.get(name, "") for name in CONSTRUCTION_FIELDS}
        initial["remove_files"] = request.POST.getlist("remove_files")
        rows = _typed_rows(request.POST)
    elif application is not None:
        initial = {name: getattr(application, name) for name in CONSTRUCTION_FIELDS}
        rows = [
            {name: getattr(row, name) for name in EQUIPMENT_FIELDS} for row in application.equipment.all()
        ]
    form = ConstructionForm(
        request.POST if post else None,
        request.FILES if post else None,
        initial=initial,
        existing=feasibility + materials,
    )
    formset = EquipmentFormSet(request.POST if post else None, initial=rows, prefix=PREFIX)
    if post and form.is_valid() & formset.is_valid():
        data = form.cleaned_data
        try:
            saved = services.construction_save(
                institution=request.institution,
                by=request.user,
                application=application,
                data={name: data.get(name) for name in CONSTRUCTION_FIELDS},
                equipment=formset.rows(),
                feasibility=data.get("feasibility"),
                materials=data.get("files") or [],
                remove_files=data.get("remove_files") or [],
                submit=submitting(request),
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(application.get_absolute_url() if application else "centers:center_list")
        except ValidationError as error:
            row_errors_onto(form, formset, error, "equipment")
        else:
            messages.success(request, SUBMITTED if submitting(request) else SAVED)
            return redirect(saved.get_absolute_url())
    context = {
        "application": application,
        "form": form,
        "formset": formset,
        "feasibility": feasibility,
        "materials": materials,
        "rows_added": adding,
        # Browsers never keep a chosen file across a page: after 增加空行 it must be chosen again.
        "files_dropped": adding and bool(request.FILES),
        "max_rows": services.MAX_ROWS,
    }
    status = 400 if post else 200
    return render(request, "centers/construction_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def construction_create(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@centers_member_required
def construction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.construction_application_get(institution_id=request.institution.pk, pk=pk)
    if not application.is_editable_by_institution:
        messages.error(request, f"该筹建申请当前状态为「{application.get_status_display()}」，不能修改。")
        return redirect(application.get_absolute_url())
    return _form(request, application)


@require_safe
@centers_member_required
def construction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.construction_application_get(institution_id=request.institution.pk, pk=pk)
    equipment = list(application.equipment.all())
    context = {
        "application": application,
        "equipment": equipment,
        "equipment_total": sum((row.total for row in equipment), start=0),
        "feasibility": selectors.files_of(application, services.FEASIBILITY_RULE.purpose),
        "materials": selectors.files_of(application, services.MATERIALS_RULE.purpose),
        "actions": institution_actions(application, prefix="construction", noun="筹建申请"),
        "transitions": transitions_of(application),
    }
    return render(request, "centers/construction_detail.html", context)


construction_submit = action_view(
    get=selectors.construction_application_get,
    act=lambda application, by: services.construction_submit(application=application, by=by),
    message=SUBMITTED,
)
construction_withdraw = action_view(
    get=selectors.construction_application_get,
    act=lambda application, by: services.construction_withdraw(application=application, by=by),
    message="筹建申请已撤回。",
)
