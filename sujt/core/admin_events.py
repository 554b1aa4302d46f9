"""The domain-event outbox in admin: 领域事件 (with their deliveries) and 事件处理 (with 立即重试).

Who sees them: superusers and province regulators only, whatever their model permissions. An event
belongs to no region core could scope by (it stores a bare institution id, and its payload may name
institutions of any city), and it is the platform's plumbing rather than a region's data, so a city
regulator would see other cities' business; the regulator group is one for every level, so a model
permission could not tell the province apart. Nothing is added, changed or deleted by hand: events are
recorded by services, and deliveries change only by running or by 立即重试 (event_delivery_retry).
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .admin import KeyCheckedRelatedFieldsMixin, ViewOnlyMixin
from .choices import EventDeliveryStatus
from .events import event_delivery_retry
from .models import DomainEvent, EventDelivery
from .scoping import is_province_regulator


def _province(request: HttpRequest) -> bool:
    return is_province_regulator(request.user)


class ProvinceReadOnlyAdmin(ViewOnlyMixin, KeyCheckedRelatedFieldsMixin, admin.ModelAdmin):
    """Visible to the province (and superusers) only; read-only for everyone."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _province(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _province(request)


class DeliveryStateFilter(admin.SimpleListFilter):
    """Events having at least one delivery in the chosen state."""

    title = _("处理状态")
    parameter_name = "delivery"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(EventDeliveryStatus.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in EventDeliveryStatus.values:
            return queryset
        return queryset.filter(pk__in=EventDelivery.objects.filter(status=self.value()).values("event_id"))


class EventDeliveryInline(admin.TabularInline):
    model = EventDelivery
    fields = ("handler", "status", "attempts", "next_attempt_at", "done_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _province(request)


STATE_COUNTS = {status: f"n_{status}" for status in EventDeliveryStatus.values}
# Short words for the list column (the choice label of FAILED explains itself at more length).
STATE_WORDS = {
    EventDeliveryStatus.PENDING: _("待处理"),
    EventDeliveryStatus.DONE: _("已处理"),
    EventDeliveryStatus.FAILED: _("失败"),
}


@admin.register(DomainEvent)
class DomainEventAdmin(ProvinceReadOnlyAdmin):
    list_display = ("kind", "key", "institution_id", "created_at", "delivery_states")
    list_filter = ("kind", DeliveryStateFilter)
    search_fields = ("key",)
    date_hierarchy = "created_at"
    list_per_page = 50
    fields = ("kind", "key", "institution_id", "source_type", "source_id", "payload", "created_at")
    readonly_fields = fields
    inlines = [EventDeliveryInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        counts = {
            name: Count("deliveries", filter=Q(deliveries__status=status))
            for status, name in STATE_COUNTS.items()
        }
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description=_("处理情况"))
    def delivery_states(self, obj: DomainEvent) -> str:
        counts = [(STATE_WORDS[status], getattr(obj, name, 0)) for status, name in STATE_COUNTS.items()]
        shown = [(word, count) for word, count in counts if count]
        if not shown:
            return "—"
        return format_html_join("，", "{} {}", shown)


@admin.register(EventDelivery)
class EventDeliveryAdmin(ProvinceReadOnlyAdmin):
    list_display = ("event", "handler", "status", "attempts", "next_attempt_at", "done_at", "error_brief")
    list_filter = ("status", "handler")
    search_fields = ("event__key", "handler")
    list_select_related = ("event",)
    list_per_page = 50
    fields = ("event", "handler", "status", "attempts", "next_attempt_at", "done_at", "last_error")
    readonly_fields = fields
    actions = ["retry_selected"]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return _province(request)

    @admin.display(description=_("最近错误"))
    def error_brief(self, obj: EventDelivery) -> str:
        # The last line of the traceback names the exception; the change page shows all of it.
        lines = obj.last_error.strip().splitlines()
        return lines[-1][:120] if lines else "—"

    @admin.action(description=_("立即重试"), permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = event_delivery_retry(delivery_ids=queryset.values_list("pk", flat=True), by=request.user)
        if count:
            self.message_user(request, _("已重新排队 %(count)d 项。") % {"count": count}, messages.SUCCESS)
        skipped = queryset.count() - count
        if skipped:
            self.message_user(
                request, _("%(count)d 项不是失败状态，未作处理。") % {"count": skipped}, messages.WARNING
            )
