from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .permissions import has_module_perm
from .selectors import current_membership


def institution_required(
    perm: str | None = None, *, available: Callable[[Any], bool] | None = None
) -> Callable:
    """Workspace views: a logged-in member of an institution, holding `perm` there when given.

    Sets `request.membership` and `request.institution`. A user with no institution gets a 404 (the
    workspace does not exist for them); a member without the module permission gets a 403. When the
    module applies only to some institutions, `available(institution)` (as given to register_module)
    false is a 404 too: the module does not exist for that institution.
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
            if available is not None and not available(membership.institution):
                raise Http404("module not available to this institution")
            request.membership = membership
            request.institution = membership.institution
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
