"""机构信息纠错报告: the regulators' review queue of the institutions' error reports."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from sujt.core.admin import ReadOnlyChangeFormMixin, RegionScopedAdmin, ReviewAdminMixin
from sujt.core.admin_tools import HistoryAdmin
from sujt.core.attachments import attachments_of

from ..models import ErrorReport
from ..selectors.confirmation import ITEM_MODELS
from ..services.confirmation import EVIDENCE_PURPOSE
from .filters import InstitutionCityFilter


@admin.register(ErrorReport)
class ErrorReportAdmin(ReadOnlyChangeFormMixin, ReviewAdminMixin, RegionScopedAdmin, HistoryAdmin):
    """机构信息纠错报告: regulators approve, return (with a comment) or reject them with the list actions;
    the workflow notifies the institution, which sees the outcome on the report's page."""

    region_field = "institution__region_code"
    list_display = ("__str__", "institution", "item_type", "status", "submitted_at", "status_changed_at")
    list_filter = ("status", InstitutionCityFilter, "item_type")
    list_select_related = ("institution",)
    search_fields = ("institution__name", "item_label", "description")
    fields = (
        "institution",
        "item_type",
        "item_label",
        "item_link",
        "description",
        "evidence_links",
        "created_by",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="证明材料")
    def evidence_links(self, obj: ErrorReport) -> str:
        files = attachments_of(obj, purpose=EVIDENCE_PURPOSE)
        if not files:
            return "—"
        return format_html_join(
            "",
            '<p><a href="{}">{}</a>（{}）</p>',
            (
                (reverse("core:attachment_download", args=[f.pk]), f.original_name, f.get_kind_display())
                for f in files
            ),
        )

    @admin.display(description="所指条目")
    def item_link(self, obj: ErrorReport) -> str:
        model = ITEM_MODELS.get(obj.item_type)
        if model is None or obj.item_id is None:
            return "—"
        if not model.objects.filter(pk=obj.item_id, institution_id=obj.institution_id).exists():
            return "该条目已不存在"
        try:
            url = reverse(f"admin:institutions_{model._meta.model_name}_change", args=[obj.item_id])
        except NoReverseMatch:
            return "—"
        return format_html('<a href="{}">在管理端打开并更正该{}</a>', url, model._meta.verbose_name)
