"""The one shape of a review action in the workspace: a POST that moves an object through its workflow.

    error_report_withdraw = institution_required("manage_profile")(
        review_action_view(
            get_object=lambda request, pk: selectors.error_report_get(institution=request.institution, pk=pk),
            act=lambda report, by: services.error_report_withdraw(report=report, by=by),
            success_message="错误报告已撤回。",
        )
    )

`get_object` is the app's selector, so another institution's object is a 404 before anything happens.
The action runs the app's service; a refusal (the object moved on meanwhile, or a rule of the service)
becomes an error message instead of a 500, and the user lands back on the object either way. Access
decorators stay with the app (core knows no institutions).
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .workflow import InvalidTransition

ObjectGetter = Callable[[HttpRequest, int], Any]
Action = Callable[[Any, Any], Any]


def refusal_text(error: ValidationError) -> str:
    """A service's ValidationError as one line for a message."""
    return "；".join(str(message) for message in error.messages)


def review_action_view(
    *,
    get_object: ObjectGetter,
    act: Action,
    success_message: str | Callable[[Any], str],
    redirect_to: Callable[[Any], str] | None = None,
) -> Callable[..., HttpResponse]:
    """A POST-only view: fetch the object through `get_object(request, pk)`, run `act(obj, request.user)`,
    say `success_message` (or why it was refused), and redirect to `redirect_to(obj)` (the object's page
    by default)."""

    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object(request, pk)
        try:
            act(obj, request.user)
        except InvalidTransition as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, refusal_text(error))
        else:
            text = success_message(obj) if callable(success_message) else success_message
            messages.success(request, text)
        return redirect(redirect_to(obj) if redirect_to else obj.get_absolute_url())

    return view
