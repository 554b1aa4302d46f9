"""The regulators' admin: Django's admin site with the platform's home page and navigation.

The site replaces django.contrib.admin's default site (`RegulatorAdminConfig.default_site`), so every
`admin.register` and `admin.site` of the apps lands here unchanged. It lives in the portal, the top of
the dependency order, because its home page gathers what every module declares for regulators.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.template.response import TemplateResponse


class RegulatorAdminSite(admin.AdminSite):
    site_header = "江苏省检验检测服务平台 · 监管端"
    site_title = "苏检通 · 监管端"
    index_title = "监管工作台"

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        from .admin_dashboard import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})


class RegulatorAdminConfig(AdminConfig):
    default_site = "sujt.portal.admin_site.RegulatorAdminSite"
