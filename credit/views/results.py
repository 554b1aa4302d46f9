"""机构信用评价结果 and 信用画像: the institution's current score and level, explained event by event,
and its trend and dimensions."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from .. import selectors
from ..access import credit_member_required


@require_safe
@credit_member_required
def home(request: HttpRequest) -> HttpResponse:
    result = selectors.credit_result(institution_id=request.institution.pk)
    return render(request, "credit/workspace/result.html", {"result": result})


@require_safe
@credit_member_required
def portrait(request: HttpRequest) -> HttpResponse:
    portrait = selectors.credit_portrait(institution_id=request.institution.pk)
    return render(request, "credit/workspace/portrait.html", {"portrait": portrait})


urlpatterns = [path("", home, name="home"), path("portrait/", portrait, name="portrait")]
