"""django-axes' records in admin, in Chinese (AXES_ENABLE_ADMIN is off: axes' own admin is English).

axes has no Chinese translation, so every column and field here is a method with a Chinese title, and
the models are registered as proxies with Chinese names (`LoginLockout` …). The records are raw: any
username that was ever typed, with addresses. So only superusers and province regulators see them; a
city or district regulator uses the user list's 已锁定 column and filter, scoped to their region.
Nothing is added or edited here, and nothing deleted: unlocking goes through the audited service.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from sujt.core.admin import ViewOnlyMixin
from sujt.core.dates import format_datetime
from sujt.core.regions import PROVINCE_CODE

from . import services
from .models import LoginAccessLog, LoginFailureLog, LoginLockout, User


class AxesRecordAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Read-only, province-wide records of django-axes."""

    list_per_page = 50
    date_hierarchy = "attempt_time"
    search_fields = ("username", "ip_address")

    def _province_wide(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_staff and getattr(user, "region_scope", None) == PROVINCE_CODE

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._province_wide(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._province_wide(request)

    @admin.display(description="时间", ordering="attempt_time")
    def time(self, obj: Any) -> str:
        return format_datetime(obj.attempt_time)

    @admin.display(description="登录账号", ordering="username")
    def account(self, obj: Any) -> str:
        return obj.username or "—"

    @admin.display(description="IP 地址")
    def address(self, obj: Any) -> str:
        return obj.ip_address or "—"

    @admin.display(description="浏览器")
    def browser(self, obj: Any) -> str:
        agent = obj.user_agent or "—"
        return agent if len(agent) <= 40 else f"{agent[:40]}…"

    @admin.display(description="浏览器（完整）")
    def browser_full(self, obj: Any) -> str:
        return obj.user_agent or "—"

    @admin.display(description="请求路径")
    def path(self, obj: Any) -> str:
        return obj.path_info or "—"


class LockedOutAttemptFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "已锁定"), ("no", "未锁定")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        limit = settings.AXES_FAILURE_LIMIT
        if self.value() == "yes":
            return queryset.filter(failures_since_start__gte=limit)
        if self.value() == "no":
            return queryset.filter(failures_since_start__lt=limit)
        return queryset


@admin.register(LoginLockout)
class LoginLockoutAdmin(AxesRecordAdmin):
    """The failure counts axes locks accounts by (one row per account, cleared when it expires)."""

    list_display = ("time", "account", "failures", "status", "address", "browser")
    list_filter = (LockedOutAttemptFilter,)
    fields = ("account", "failures", "status", "time", "address", "path", "browser_full")
    readonly_fields = fields
    actions = ["unlock"]

    @admin.display(description="失败次数", ordering="failures_since_start")
    def failures(self, obj: LoginLockout) -> int:
        return obj.failures_since_start

    @admin.display(description="状态")
    def status(self, obj: LoginLockout) -> str:
        limit = settings.AXES_FAILURE_LIMIT
        if obj.failures_since_start >= limit:
            return "已锁定"
        return f"未锁定（还可尝试{limit - obj.failures_since_start}次）"

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return self._province_wide(request)

    @admin.action(description="解除所选账号的锁定", permissions=["unlock"])
    def unlock(self, request: HttpRequest, queryset: QuerySet) -> None:
        phones = set(queryset.values_list("username", flat=True))
        done, skipped = [], 0
        for user in User.objects.filter(phone__in=phones):
            try:
                services.account_unlock(user=user, by=request.user)
            except PermissionDenied:
                skipped += 1
            else:
                done.append(user.get_full_name())
        if done:
            self.message_user(request, f"已解除锁定：{'、'.join(done)}。", messages.SUCCESS)
        if skipped or len(done) < len(phones):
            self.message_user(
                request,
                "部分记录未处理：监管人员、平台账号或不存在的账号请由系统管理员处理，未处理的记录到期后自动失效。",
                messages.WARNING,
            )


@admin.register(LoginAccessLog)
class LoginAccessLogAdmin(AxesRecordAdmin):
    """axes' record of successful logins and their logouts (the login log 登录日志 is the full audit)."""

    list_display = ("time", "account", "logout", "address", "browser")
    fields = ("account", "time", "logout", "address", "path", "browser_full")
    readonly_fields = fields

    @admin.display(description="退出时间", ordering="logout_time")
    def logout(self, obj: LoginAccessLog) -> str:
        return format_datetime(obj.logout_time) if obj.logout_time else "—"


if settings.AXES_ENABLE_ACCESS_FAILURE_LOG:
    # Only when axes keeps it: an always-empty page would suggest failures go unrecorded (they are in
    # the login log 登录日志).

    @admin.register(LoginFailureLog)
    class LoginFailureLogAdmin(AxesRecordAdmin):
        list_display = ("time", "account", "caused_lockout", "address", "browser")
        fields = ("account", "time", "caused_lockout", "address", "path", "browser_full")
        readonly_fields = fields

        @admin.display(description="导致锁定", boolean=True)
        def caused_lockout(self, obj: LoginFailureLog) -> bool:
            return obj.locked_out
