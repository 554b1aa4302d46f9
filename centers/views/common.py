"""What the workspace views of module 04 share: the actions an application offers its institution, the
POST-only submit and withdraw views, and how a service's refusal reaches a form."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.urls import reverse

from sujt.core.forms import service_errors_add
from sujt.core.review_views import review_action_view
from sujt.core.workflow import InvalidTransition, Side

from ..access import centers_member_required


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    post: bool = False
    primary: bool = False
    confirm: str = ""


def institution_actions(obj: Any, *, prefix: str, noun: str) -> list[Action]:
    """修改 / 提交 / 撤回 as the object's workflow allows the institution now; `prefix` names its URLs
    (centers:<prefix>_edit, _submit, _withdraw)."""
    names = {step.name for step in obj.workflow.available(obj.status, side=Side.INSTITUTION)}
    actions = []
    if obj.is_editable_by_institution:
        label = "修改并重新提交" if obj.status == "returned" else "修改"
        actions.append(Action(label, reverse(f"centers:{prefix}_edit", args=[obj.pk]), primary=True))
    if names & {"submit", "resubmit"}:
        label = "重新提交" if obj.status == "returned" else "提交"
        actions.append(Action(label, reverse(f"centers:{prefix}_submit", args=[obj.pk]), post=True))
    if "withdraw" in names:
        actions.append(
            Action(
                "撤回",
                reverse(f"centers:{prefix}_withdraw", args=[obj.pk]),
                post=True,
                confirm=f"确定撤回这份{noun}？撤回后不能再提交，如需申请请重新填写。",
            )
        )
    return actions


def action_view(*, get: Callable[..., Any], act: Callable[[Any, Any], Any], message: str) -> Callable:
    """A POST-only action on one of the institution's applications (another's is a 404)."""
    return centers_member_required(
        review_action_view(
            get_object=lambda request, pk: get(institution_id=request.institution.pk, pk=pk),
            act=act,
            success_message=message,
        )
    )


def refusal_onto(form: BaseForm, error: Exception) -> None:
    """A service's refusal onto the form, so the page comes back with everything typed."""
    if isinstance(error, InvalidTransition):
        form.add_error(None, error.message)
    elif isinstance(error, ValidationError):
        service_errors_add(form, error)


def row_errors_onto(form: BaseForm, formset: Any, error: ValidationError, field: str) -> None:
    """A service's error about a row table (`field`) shown with the table, the rest on the form."""
    if hasattr(error, "error_dict") and field in error.error_dict:
        formset.service_errors = [str(m) for e in error.error_dict.pop(field) for m in e.messages]
    if not hasattr(error, "error_dict") or error.error_dict:
        service_errors_add(form, error)


def submitting(request: Any) -> bool:
    return request.method == "POST" and request.POST.get("action") == "submit"
