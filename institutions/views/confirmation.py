"""确认机构信息 (manual §三.3): check the synced information, confirm it, or report an error in one item.

Error reports go through the review workflow: submitted to the regulators over the institution's region,
decided in admin; the institution follows them here (list, detail with the review log), changes and
resubmits a returned one, or withdraws one not yet decided.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from sujt.accounts.decorators import institution_required
from sujt.core.attachments import attachments_of
from sujt.core.choices import ReviewStatus
from sujt.core.forms import service_errors_add
from sujt.core.list_views import list_urls
from sujt.core.review_views import review_action_view
from sujt.core.workflow import InvalidTransition, transitions_of

from ..choices import ErrorItemType
from ..forms.confirmation import ErrorReportForm
from ..lists import ERROR_REPORTS
from ..models import ErrorReport
from ..sections import SECTIONS
from ..selectors import confirmation as selectors
from ..selectors.workspace import profile_counts
from ..services import confirmation as services
from .tabs import profile_tabs

# The synced data the institution checks, below the certificates (which have a card of their own).
SYNCED_SECTIONS = [section for section in SECTIONS if section.synced and section.key != "certificates"]


def _url_or_empty(name: str) -> str:
    """A list page's URL, or "" while that page does not exist (the page is then named, not linked)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _report_url(item_type: str = "") -> str:
    url = reverse("institutions:error_report_add")
    return f"{url}?{urlencode({'type': item_type})}" if item_type else url


@institution_required("manage_profile")
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    institution = selectors.confirmation_institution_get(institution_id=request.institution.pk)
    motor_vehicle = selectors.is_motor_vehicle_institution(institution=institution)
    if request.method == "POST":
        try:
            services.institution_info_confirm(institution=institution, by=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, "机构信息已确认。如之后发现信息有误，仍可在本页报告错误。")
        return redirect("institutions:confirm")
    counts = profile_counts(institution_id=institution.pk)
    sections = [
        {
            "title": section.title,
            "count": counts.get(section.key, 0),
            "url": _url_or_empty(section.url_name),
            "report_url": _report_url(section.item_type),
        }
        for section in SYNCED_SECTIONS
    ]
    return render(
        request,
        "institutions/confirm/confirm.html",
        {
            "tabs": profile_tabs("confirm"),
            "institution": institution,
            "certificates": selectors.confirmation_certificates(institution=institution),
            "certificate_list_url": _url_or_empty("institutions:certificate_list"),
            "sections": sections,
            "motor_vehicle": motor_vehicle,
            "motor_vehicle_message": selectors.MOTOR_VEHICLE_MESSAGE,
            "report_counts": selectors.error_report_counts(institution=institution),
            "basic_report_url": _report_url(ErrorItemType.BASIC),
            "certificate_report_url": _report_url(ErrorItemType.CERTIFICATE),
        },
    )


def _chosen_type(request: HttpRequest, default: str = "") -> str:
    value = request.POST.get("item_type") or request.GET.get("type") or default
    return value if value in ErrorItemType.values else ""


def _report_form_page(
    request: HttpRequest, *, form: ErrorReportForm, report: ErrorReport | None, q: str
) -> HttpResponse:
    item_type = form.chosen_type
    return render(
        request,
        "institutions/confirm/report_form.html",
        {
            "tabs": profile_tabs("confirm"),
            "form": form,
            "report": report,
            "item_type": item_type,
            "item_type_label": ErrorItemType(item_type).label if item_type else "",
            "type_choices": ErrorItemType.choices,
            "searched": item_type in selectors.SEARCHED_ITEM_TYPES,
            "item_total": selectors.error_item_count(institution=request.institution, item_type=item_type),
            "q": q,
            "action_url": request.get_full_path(),
        },
    )


@institution_required("manage_profile")
@require_http_methods(["GET", "HEAD", "POST"])
def error_report_add(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    item_type = _chosen_type(request)
    form = ErrorReportForm(
        request.POST or None,
        request.FILES or None,
        institution=request.institution,
        item_type=item_type,
        q=q,
        initial={"item_id": request.GET.get("item")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.error_report_submit(
                institution=request.institution,
                by=request.user,
                item_type=data["item_type"],
                item_id=data["item_id"],
                item_label=data["item_label"],
                description=data["description"],
                evidence=data["evidence"],
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, "错误报告已提交，监管部门审核后会通知您。")
            return redirect(report.get_absolute_url())
    return _report_form_page(request, form=form, report=None, q=q)


@institution_required("manage_profile")
def error_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.error_report_get(institution=request.institution, pk=pk)
    return render(
        request,
        "institutions/confirm/report_detail.html",
        {
            "tabs": profile_tabs("confirm"),
            "report": report,
            "evidence": attachments_of(report, purpose=services.EVIDENCE_PURPOSE),
            "transitions": transitions_of(report),
            "can_edit": report.status == ReviewStatus.RETURNED,
            "can_withdraw": report.status == ReviewStatus.SUBMITTED,
        },
    )


@institution_required("manage_profile")
@require_http_methods(["GET", "HEAD", "POST"])
def error_report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.error_report_get(institution=request.institution, pk=pk)
    if report.status != ReviewStatus.RETURNED:
        messages.error(
            request, f"该报告当前状态为「{report.get_status_display()}」，只有被退回的报告可以修改。"
        )
        return redirect(report.get_absolute_url())
    q = request.GET.get("q", "").strip()[:100]
    evidence = attachments_of(report, purpose=services.EVIDENCE_PURPOSE)
    form = ErrorReportForm(
        request.POST or None,
        request.FILES or None,
        institution=request.institution,
        item_type=_chosen_type(request, default=report.item_type),
        q=q,
        report=report,
        existing_evidence=evidence,
    )
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            services.error_report_resubmit(
                report=report,
                by=request.user,
                item_type=data["item_type"],
                item_id=data["item_id"],
                item_label=data["item_label"],
                description=data["description"],
                evidence=data["evidence"],
                remove_attachment_ids=data.get("remove_evidence") or [],
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(report.get_absolute_url())
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, "已按退回意见修改并重新提交，等待监管部门审核。")
            return redirect(report.get_absolute_url())
    return _report_form_page(request, form=form, report=report, q=q)


error_report_withdraw = institution_required("manage_profile")(
    review_action_view(
        get_object=lambda request, pk: selectors.error_report_get(institution=request.institution, pk=pk),
        act=lambda report, by: services.error_report_withdraw(report=report, by=by),
        success_message="错误报告已撤回。",
    )
)


urlpatterns = [
    path("profile/confirm/", confirm, name="confirm"),
    path("profile/confirm/report/", error_report_add, name="error_report_add"),
    *list_urls(ERROR_REPORTS, path_prefix="profile/confirm/reports/", name="error_report_list"),
    path("profile/confirm/reports/<int:pk>/", error_report_detail, name="error_report_detail"),
    path("profile/confirm/reports/<int:pk>/edit/", error_report_edit, name="error_report_edit"),
    path("profile/confirm/reports/<int:pk>/withdraw/", error_report_withdraw, name="error_report_withdraw"),
]
