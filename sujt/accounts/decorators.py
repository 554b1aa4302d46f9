from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .permissions import has_module_perm
from .selectors import current_membership


def institution_required(perm: str | None = None) -> Callable:
    """Workspace views: a logged-in member of an institution, holding `perm` there when given.

    Sets `request.membership` and `request.institution`. A user with no institution gets a 404 (the
    workspace does not exist for them); a member without the module permission gets a 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = current_membership(request=request)
            if membership is None:
                raise Http404("no institution")
            if perm is not None and not has_module_perm(
                user=request.user, institution_id=membership.institution_id, perm=perm
            ):
                raise PermissionDenied("missing module permission")
            request.membership = membership
            request.institution = membership.institution
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
