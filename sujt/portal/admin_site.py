"""The regulators' admin: Django's admin site with the platform's home page and navigation.

The site replaces django.contrib.admin's default site (`RegulatorAdminConfig.default_site`), so every
`admin.register` and `admin.site` of the apps lands here unchanged. It lives in the portal, the top of
the dependency order, because its home page gathers what every module declares for regulators.

Beyond Django's site: the sidebar and the home page list the models grouped by the manual's modules
with a badge of pending reviews (admin_nav), an app's page is titled by the module's name, and signing
in and out go through the platform's own pages (one login: lockout, audit and the first-login flow
apply to regulators too).
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from .admin_nav import app_with_queues, grouped_app_list


class RegulatorAdminSite(admin.AdminSite):
    site_header = "江苏省检验检测服务平台 · 监管端"
    site_title = "苏检通 · 监管端"
    index_title = "监管工作台"

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        from .admin_dashboard import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        # The server's UTC offset for Django's date widgets (the project allows named date formats only,
        # so the template cannot write it with {% now "Z" %}).
        offset = timezone.localtime().utcoffset()
        return {
            **super().each_context(request),
            "admin_utc_offset": int(offset.total_seconds()) if offset else 0,
        }

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        """One app (an app's page): its models in registration order. Every app: the module groups."""
        app_dict = self._build_app_dict(request, app_label)
        if app_label:
            return [app_with_queues(app, request=request) for app in app_dict.values()]
        return grouped_app_list(app_dict, request=request)

    def app_index(
        self, request: HttpRequest, app_label: str, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        # Django titles it "<app> 管理", which doubles up with names like 机构风采管理.
        app_list = self.get_app_list(request, app_label)
        title = app_list[0]["name"] if app_list else ""
        return super().app_index(request, app_label, {"title": title, **(extra_context or {})})

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The platform's login page. A signed-in user without admin access is sent there without `next`
        (its own redirect takes them home): with next=/admin/ they would bounce between the two pages."""
        login_url = reverse("accounts:login")
        next_url = request.GET.get(REDIRECT_FIELD_NAME)
        if not next_url or (request.user.is_authenticated and not self.has_permission(request)):
            return HttpResponseRedirect(login_url)
        return HttpResponseRedirect(f"{login_url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")

    def logout(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        from sujt.accounts.views import LogoutView

        return LogoutView.as_view()(request)


class RegulatorAdminConfig(AdminConfig):
    default_site = "sujt.portal.admin_site.RegulatorAdminSite"
