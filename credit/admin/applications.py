"""加分审核, 申疑审核 and 修复审核: the regulators' review queues of the institutions' credit applications.

Read-only pages (what the institution wrote, the deduction concerned, the evidence to download) with the
common review's decisions — 审核通过 / 退回修改 / 不予通过, with comments — scoped to the regulator's region.
Decisions that move the ledger run credit.applications' services, which change the deduction in the same
transaction as the review transition."""

from typing import Any

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from institutions.admin import InstitutionCityFilter
from sujt.core.admin import ReadOnlyChangeFormMixin, RegionScopedAdmin, ReviewAdminMixin
from sujt.core.admin_tools import HistoryAdmin, PrivateFilesAdminMixin, district_filter
from sujt.core.attachments import human_size
from sujt.core.choices import ReviewStatus
from sujt.core.regions import region_name
from sujt.core.workflow import regulator_side

from .. import applications as services
from ..models import BonusApplication, CreditObjection, CreditRepair

REGION_FIELD = "institution__region_code"
# 待审核 first, oldest first (a queue), then the decided ones.
PENDING_FIRST = Case(
    When(status=ReviewStatus.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
).asc()


# The admin calls a queue's services with (obj=, by=, comment=); these pass the regulator's side, which
# the engine checks as it does for the decisions without a service of their own.
def _bonus_approve(*, obj: BonusApplication, by: Any, comment: str = "", **_: Any) -> None:
    services.bonus_application_approve(application=obj, by=by, comment=comment, side=regulator_side(by))


def _objection_approve(*, obj: CreditObjection, by: Any, comment: str = "", **_: Any) -> None:
    services.objection_approve(objection=obj, by=by, comment=comment, side=regulator_side(by))


def _objection_return(*, obj: CreditObjection, by: Any, comment: str = "", **_: Any) -> None:
    services.objection_return(objection=obj, by=by, comment=comment, side=regulator_side(by))


def _objection_reject(*, obj: CreditObjection, by: Any, comment: str = "", **_: Any) -> None:
    services.objection_reject(objection=obj, by=by, comment=comment, side=regulator_side(by))


def _repair_approve(*, obj: CreditRepair, by: Any, comment: str = "", **_: Any) -> None:
    services.repair_approve(repair=obj, by=by, comment=comment, side=regulator_side(by))


class CreditApplicationAdmin(
    PrivateFilesAdminMixin, ReadOnlyChangeFormMixin, ReviewAdminMixin, RegionScopedAdmin, HistoryAdmin
):
    """What the three queues share: region scope, pending first, the evidence served by the queue itself
    (to whom it lists the application; another region's is a 404)."""

    region_field = REGION_FIELD
    list_filter = ["status", InstitutionCityFilter, district_filter(REGION_FIELD)]
    search_fields = ["institution__name", "institution__uscc", "reason"]
    ordering = [PENDING_FIRST, "submitted_at", "pk"]
    # get_absolute_url does not exist: the workspace pages are the institution's.
    view_on_site = False
    # The evidence, served by the queue itself: admin:<app>_<model>_evidence, <pk>/evidence/<file>/.
    files_url_segment = files_url_name = "evidence"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("所在地区"))
    def region(self, obj: Any) -> str:
        return region_name(obj.institution.region_code)

    @admin.display(description=_("证明材料"))
    def evidence_links(self, obj: Any) -> str:
        files = services.evidence_of(obj)
        if not files:
            return "—"
        return format_html_join(
            "",
            '<p><a href="{}">{}</a>（{}，{}）</p>',
            (
                (
                    self.file_url(obj, f),
                    f.original_name,
                    f.get_kind_display(),
                    human_size(f.size),
                )
                for f in files
            ),
        )

    def files_of(self, obj: Any) -> Any:
        return services.evidence_of(obj)


class DeductionMixin:
    """The deduction an objection or a repair is about, shown on the queue and the page."""

    @admin.display(description=_("扣分记录"), ordering="event__occurred_on")
    def deduction(self, obj: Any) -> str:
        event = obj.event
        points = f"{event.points.normalize():f}"
        return f"{event.item.code} {event.item.name} −{points}（{event.occurred_on:%Y-%m-%d}）"

    @admin.display(description=_("扣分详情"))
    def deduction_details(self, obj: Any) -> str:
        event = obj.event
        rectified = f"{event.rectified_on:%Y-%m-%d} 整改通过验收" if event.rectified_on else "无整改验收记录"
        return format_html(
            '<a href="{}">{} {}</a>{}<br>扣 {} 分，发生于 {}，有效期至 {}；当前状态：{}；来源：{}；{}',
            reverse("admin:credit_creditevent_change", args=[event.pk]),
            event.item.code,
            event.item.name,
            "（一票否决）" if event.item.veto else "",
            f"{event.points.normalize():f}",
            f"{event.occurred_on:%Y-%m-%d}",
            f"{event.valid_until:%Y-%m-%d}",
            event.get_state_display(),
            event.get_source_display(),
            rectified,
        )


@admin.register(BonusApplication)
class BonusApplicationAdmin(CreditApplicationAdmin):
    """加分审核: approval records the bonus event (once)."""

    review_services = {"review_approve_selected": _bonus_approve}
    list_display = [
        "institution",
        "region",
        "item",
        "achieved_on",
        "status",
        "submitted_at",
        "status_changed_at",
    ]
    list_select_related = ["institution", "item"]
    fields = [
        "institution",
        "item",
        "achieved_on",
        "reason",
        "evidence_links",
        "applicant",
        "event",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(CreditObjection)
class CreditObjectionAdmin(DeductionMixin, CreditApplicationAdmin):
    """申疑审核: approval voids the deduction (points restored at once); 退回 or 不予通过 puts it back to
    计分中."""

    review_services = {
        "review_approve_selected": _objection_approve,
        "review_return_selected": _objection_return,
        "review_reject_selected": _objection_reject,
    }
    list_display = ["institution", "region", "deduction", "status", "submitted_at", "status_changed_at"]
    list_select_related = ["institution", "event__item"]
    fields = ["institution", "deduction_details", "reason", "evidence_links", "applicant", "created_at"]
    readonly_fields = fields


@admin.register(CreditRepair)
class CreditRepairAdmin(DeductionMixin, CreditApplicationAdmin):
    """修复审核: approval makes the deduction 已修复待返还 (returned when its validity period ends); a veto
    item still valid is refused."""

    review_services = {"review_approve_selected": _repair_approve}
    list_display = ["institution", "region", "deduction", "status", "submitted_at", "status_changed_at"]
    list_select_related = ["institution", "event__item"]
    fields = ["institution", "deduction_details", "reason", "evidence_links", "applicant", "created_at"]
    readonly_fields = fields


__all__ = ["BonusApplicationAdmin", "CreditObjectionAdmin", "CreditRepairAdmin"]
