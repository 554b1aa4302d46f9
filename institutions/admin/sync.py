"""资质认定同步记录: the sync runs, and 立即同步 for the province."""

import contextlib
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from sujt.core.admin import ViewOnlyMixin
from sujt.core.regions import PROVINCE_CODE

from ..choices import SyncMode
from ..models import SyncRun, SyncState


def sync_queue(*, mode: str, user_id: int) -> None:
    """Queues one sync run for the user (on commit). Run eagerly (no broker), the run is over when the
    page reloads; a failed attempt is already recorded as a failed run, which the list shows, so nothing
    is raised into the request (and an eager retry is not chained inside it)."""
    from celery.exceptions import Retry

    from ..sync.client import SyncError
    from ..tasks import sync_qualifications_task

    with contextlib.suppress(SyncError, Retry):
        sync_qualifications_task.delay(mode, user_id)


@admin.register(SyncRun)
class SyncRunAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """资质认定同步记录, read-only, for every regulator. 立即同步 (incremental or full) is for the province
    and superusers: the data is province-wide; city regulators only watch the runs."""

    change_list_template = "admin/institutions/syncrun/change_list.html"
    sync_modes_labels = ((SyncMode.INCREMENTAL, "立即同步（增量）"), (SyncMode.FULL, "立即同步（全量）"))
    list_display = (
        "started_at",
        "mode",
        "status",
        "pages",
        "created",
        "updated",
        "unchanged",
        "withdrawn",
        "failed",
        "accounts_created",
        "finished_at",
        "triggered_by",
    )
    list_filter = ("status", "mode", "started_at")
    date_hierarchy = "started_at"
    search_fields = ("source",)
    list_select_related = ("triggered_by",)
    fields = (
        ("mode", "status"),
        "source",
        ("started_at", "finished_at"),
        "triggered_by",
        ("updated_since", "watermark"),
        ("pages", "created", "updated", "unchanged"),
        ("withdrawn", "failed", "accounts_created"),
        "errors_display",
    )
    readonly_fields = (
        "mode",
        "status",
        "source",
        "started_at",
        "finished_at",
        "triggered_by",
        "updated_since",
        "watermark",
        "pages",
        "created",
        "updated",
        "unchanged",
        "withdrawn",
        "failed",
        "accounts_created",
        "errors_display",
    )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if getattr(request.user, "region_scope", None) is None:
            return False
        return super().has_view_permission(request, obj)

    def has_sync_permission(self, request: HttpRequest) -> bool:
        return getattr(request.user, "region_scope", None) == PROVINCE_CODE and self.has_view_permission(
            request
        )

    @admin.display(description="错误")
    def errors_display(self, obj: SyncRun) -> str:
        if not obj.errors:
            return "—"
        rows = []
        for error in obj.errors:
            where = error.get("record") or (f"第 {error['page']} 页" if error.get("page") else "")
            rows.append((where or "—", error.get("message", "")))
        return format_html(
            '<table class="sync-errors"><thead><tr><th>记录</th><th>原因</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows),
        )

    def get_urls(self) -> list:
        urls = super().get_urls()
        sync = path("sync/", self.admin_site.admin_view(self.sync_view), name="institutions_syncrun_sync")
        return [sync, *urls]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        state = SyncState.objects.filter(key="qualification").first()
        extra_context = {
            **(extra_context or {}),
            "can_sync": self.has_sync_permission(request),
            "sync_modes": self.sync_modes_labels,
            "sync_watermark": state.watermark if state else None,
        }
        return super().changelist_view(request, extra_context)

    def sync_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_sync_permission(request):
            raise PermissionDenied
        mode = request.POST.get("mode", SyncMode.INCREMENTAL)
        if mode not in (SyncMode.INCREMENTAL, SyncMode.FULL):
            mode = SyncMode.INCREMENTAL
        user_id = request.user.pk
        transaction.on_commit(lambda: sync_queue(mode=mode, user_id=user_id))
        changelist = reverse("admin:institutions_syncrun_changelist")
        self.message_user(
            request,
            format_html(
                '已提交{}，完成后结果见<a href="{}">资质认定同步记录</a>（刷新本页查看）。',
                dict(self.sync_modes_labels).get(mode, ""),
                changelist,
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(changelist)
