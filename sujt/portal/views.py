"""The portal home page, the workspace dashboard (01), the notification centre, help and health."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from credit.selectors import credit_summary
from credit.services import credit_applies
from news.choices import Channel
from news.selectors import channel_url, home_blocks, latest_policy_notices
from sujt.accounts.decorators import institution_required
from sujt.accounts.permissions import MODULE_PERMISSIONS, has_module_perm
from sujt.accounts.selectors import current_membership
from sujt.core.charts import bar_chart_svg
from sujt.core.choices import TestingField
from sujt.core.modules import MODULES, is_open
from sujt.core.notifications import (
    notification_mark_read,
    notification_preference_set,
    notifications_for,
    notifications_mark_all_read,
    review_mode_of,
)
from sujt.core.regions import CITY_CHOICES, region_name
from sujt.core.todos import checklist_for, todos_for

from . import selectors
from .accessibility import A11Y_COOKIE, A11Y_COOKIE_MAX_AGE, a11y_from_cookie
from .forms import ReviewNoticeForm
from .health import health

NOTIFICATIONS_PAGE_SIZE = 20
DASHBOARD_NOTIFICATIONS = 5
MANUAL_FILENAME = "苏检通机构管理系统用户操作手册.html"


def _safe_local_url(url: str) -> bool:
    """Only a path on this site: no scheme, no host (so no open redirect)."""
    return bool(url) and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


# --- Portal ------------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """The portal's first page, like the original: institution search, the 成果展 carousel, the three
    channel boxes, live figures with charts whose bars open the directory filtered by that bar."""
    stats = selectors.home_stats()
    city_chart = bar_chart_svg(
        [(name, count) for _code, name, count, _url in stats["by_city"]],
        title="各设区市检验检测机构数量",
        id_prefix="city-chart",
        links=[url for *_row, url in stats["by_city"]],
        link_text="查看该市机构",
    )
    field_chart = (
        bar_chart_svg(
            [(name, count) for _code, name, count, _url in stats["by_field"]],
            title="各检验检测领域机构数量",
            id_prefix="field-chart",
            label_width=112,
            links=[url for *_row, url in stats["by_field"]],
            link_text="查看该领域机构",
        )
        if stats["by_field"]
        else ""
    )
    blocks = home_blocks()
    return render(
        request,
        "portal/home.html",
        {
            "stats": stats,
            "city_chart": city_chart,
            "field_chart": field_chart,
            "showcase": blocks["showcase"],
            "channels": blocks["channels"],
            "city_choices": CITY_CHOICES,
            "field_choices": TestingField.choices,
        },
    )


@require_POST
def a11y_toggle(request: HttpRequest) -> HttpResponse:
    """Without JavaScript the 适老化 buttons post here; the browser script does the same in place."""
    preference = a11y_from_cookie(request).toggled(request.POST.get("toggle", ""))
    next_url = request.POST.get("next", "")
    response = redirect(next_url if _safe_local_url(next_url) else "portal:home")
    response.set_cookie(
        A11Y_COOKIE,
        preference.cookie_value,
        max_age=A11Y_COOKIE_MAX_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help.html", {"modules": _module_status(), "security": _security_facts()})


def _module_status() -> list[dict]:
    return [{"code": m.code, "title": m.title, "open": is_open(m.code)} for m in MODULES]


def _security_facts() -> dict:
    """The login-security figures the help texts quote, from the settings that enforce them."""
    return {
        "lockout_attempts": settings.AXES_FAILURE_LIMIT,
        "address_lockout_attempts": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "password_max_age_days": settings.PASSWORD_MAX_AGE_DAYS,
    }


@require_GET
def manual_download(request: HttpRequest) -> HttpResponse:
    """The user manual as one self-contained HTML file (its stylesheet embedded)."""
    css_path = finders.find("css/manual.css")
    with open(css_path, encoding="utf-8") as css_file:
        css = css_file.read()
    html = render_to_string(
        "portal/manual.html",
        {
            "css": css,
            "modules": _module_status(),
            "security": _security_facts(),
            "module_permissions": MODULE_PERMISSIONS,
            "SITE_NAME": settings.SITE_NAME,
            "SITE_SHORT_NAME": settings.SITE_SHORT_NAME,
            "SUPPORT_CONTACT": settings.SUPPORT_CONTACT,
        },
    )
    return HttpResponse(
        html,
        content_type="text/html; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, MANUAL_FILENAME)},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health(details=request.user.is_staff)
    return JsonResponse(report, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})


# --- Workspace ---------------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # Regulators and other users without an institution have no workspace: admin for staff, else 404.
    if current_membership(request=request) is None:
        if request.user.is_staff:
            return redirect("admin:index")
        raise Http404("no institution")
    return _dashboard(request)


def _credit_block(request: HttpRequest) -> object | None:
    """The 机构自身信用画像 block, for members who may manage credit of an institution it applies to."""
    institution = request.institution
    if not credit_applies(institution) or not has_module_perm(
        user=request.user, institution_id=institution.pk, perm="manage_credit"
    ):
        return None
    return credit_summary(institution_id=institution.pk)


@institution_required()
def _dashboard(request: HttpRequest) -> HttpResponse:
    institution = request.institution
    return render(
        request,
        "portal/dashboard.html",
        {
            "institution": institution,
            "region_display": region_name(institution.region_code) or institution.city_name,
            "membership": request.membership,
            "checklist": checklist_for(request.user, institution),
            "todos": todos_for(request.user),
            "notifications": list(notifications_for(user=request.user)[:DASHBOARD_NOTIFICATIONS]),
            "policy_notices": latest_policy_notices(),
            "laws_url": channel_url(Channel.LAWS),
            "notices_url": channel_url(Channel.NOTICES),
            "credit": _credit_block(request),
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    show = "unread" if request.GET.get("show") == "unread" else "all"
    queryset = notifications_for(user=request.user)
    if show == "unread":
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    notice_form = None
    if _reviews_submissions(request.user):
        notice_form = ReviewNoticeForm(initial={"review_mode": review_mode_of(user=request.user)})
    context = {"page": page, "show": show, "notice_form": notice_form}
    return render(request, "portal/notifications.html", context)


def _reviews_submissions(user) -> bool:
    """Regulators (and superusers) are told of submissions waiting for review; institutions are not."""
    return getattr(user, "region_scope", None) is not None


@login_required
@require_POST
def notification_preference(request: HttpRequest) -> HttpResponse:
    """A regulator chooses immediate messages or a daily digest for the submissions awaiting review."""
    if not _reviews_submissions(request.user):
        raise Http404("not a regulator")
    form = ReviewNoticeForm(request.POST)
    if form.is_valid():
        notification_preference_set(user=request.user, review_mode=form.cleaned_data["review_mode"])
        messages.success(request, "已保存待审核事项的通知方式。")
    else:
        messages.error(request, "请选择通知方式。")
    return redirect("portal:notifications")


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks the message read, then follows its link when it points inside this site, else shows it."""
    notification = notification_mark_read(user=request.user, pk=pk)
    if _safe_local_url(notification.url):
        return redirect(notification.url)
    return render(request, "portal/notification_detail.html", {"notification": notification})


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, f"已将 {count} 条消息标为已读。" if count else "没有未读消息。")
    return redirect("portal:notifications")
