"""机构整改 (manual §四.3) in the workspace: the institution reads its rectification orders, answers each
finding with the measures taken and evidence, saves drafts, submits, and follows the regulator's
decisions round by round. Every order comes through `selectors.order_get` with the current institution,
so another institution's order does not exist here (404); the module needs `handle_rectification`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sujt.accounts.decorators import institution_required
from sujt.core.forms import service_errors_add
from sujt.core.list_views import list_urls
from sujt.core.workflow import InvalidTransition

from . import selectors, services
from .forms import AnswerForm
from .lists import ORDERS
from .models import PERMISSION

SUBMITTED_MESSAGE = "整改材料已提交，请等待监管部门审核；审核结果会以站内消息通知。"
DRAFT_MESSAGE = "整改答复已保存为草稿，确认无误后请点击“提交整改”。"


@require_safe
@institution_required(PERMISSION)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(institution_id=request.institution.pk, pk=pk)
    rounds = selectors.order_rounds(order=order)
    days_left = (order.due_on - timezone.localdate()).days
    return render(
        request,
        "rectification/workspace/detail.html",
        {
            "order": order,
            "findings": list(order.findings.all()),
            "rounds": rounds,
            "can_answer": order.status in services.ANSWERABLE,
            "has_draft": any(answer.is_draft for answer in rounds),
            "days_left": days_left,
            "days_overdue": -days_left,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@institution_required(PERMISSION)
def order_answer(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(institution_id=request.institution.pk, pk=pk)
    if order.status not in services.ANSWERABLE:
        messages.error(request, f"该整改通知当前状态为「{order.get_status_display()}」，不需要填写整改答复。")
        return redirect(order.get_absolute_url())
    measures = selectors.answer_draft_measures(order=order)
    form = AnswerForm(request.POST or None, request.FILES or None, measures=measures)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.answer_save(order=order, by=request.user, submit=submit, **form.save_kwargs())
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(order.get_absolute_url())
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, SUBMITTED_MESSAGE if submit else DRAFT_MESSAGE)
            return redirect(order.get_absolute_url())
    last = selectors.last_decided_round(order=order)
    comments = (
        {measure.finding_id: measure.regulator_comment for measure in last.measures.all()} if last else {}
    )
    groups = form.bound_groups()
    for group in groups:
        group["last_comment"] = comments.get(group["finding"].pk, "")
    return render(
        request,
        "rectification/workspace/answer.html",
        {
            "order": order,
            "form": form,
            "groups": groups,
            "last_round": last,
            "max_files": services.EVIDENCE_RULE.max_files,
        },
    )


app_name = "rectification"
urlpatterns = [
    *list_urls(ORDERS, path_prefix="", name="order_list", export_name="order_export"),
    path("<int:pk>/", order_detail, name="order_detail"),
    path("<int:pk>/answer/", order_answer, name="order_answer"),
]
