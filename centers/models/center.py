from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.core.audit import history
from sujt.core.models import TimeStampedModel

from ..choices import AcceptanceGrade, CenterKind, CenterLevel, CenterOrigin, CenterStatus
from ..workflows import CENTER_WORKFLOW, CONSTRUCTION_STATES

PERMISSION = "manage_centers"
REGION_FIELD = "institution__region_code"


class Center(TimeStampedModel):
    """A national or provincial center (质检中心, 计量中心, 计量测试中心) hosted by an institution.

    Created when its 筹建申请 is first submitted (筹建申请中), or when a regulator verifies the
    registration of a center approved outside the system. Its deadlines are set when construction is
    approved; the current task book is the latest approved version."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("依托机构"), on_delete=models.PROTECT, related_name="centers"
    )
    name = models.CharField(_("中心名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=12, choices=CenterLevel.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=CenterKind.choices)
    product_scope = models.TextField(_("产品范围"), max_length=1000)
    industry = models.CharField(_("所属行业"), max_length=50, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CenterStatus.choices, default=CenterStatus.APPLYING
    )
    origin = models.CharField(
        _("来源"), max_length=12, choices=CenterOrigin.choices, default=CenterOrigin.APPLIED
    )
    approval_number = models.CharField(_("批准文号"), max_length=60, blank=True)
    approved_on = models.DateField(_("批准筹建日期"), null=True, blank=True)
    task_book_due_on = models.DateField(_("任务书提交期限"), null=True, blank=True)
    construction_due_on = models.DateField(_("筹建及验收期限"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    acceptance_grade = models.CharField(
        _("验收等级"), max_length=10, choices=AcceptanceGrade.choices, blank=True
    )
    task_book = models.ForeignKey(
        "TaskBook",
        verbose_name=_("现行任务书"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    overdue_at = models.DateTimeField(_("标记超期时间"), null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("状态变更人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    review_comment = models.TextField(_("监管意见"), blank=True, editable=False)
    history = history()
    workflow = CENTER_WORKFLOW

    class Meta:
        verbose_name = verbose_name_plural = _("中心")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["status", "construction_due_on"]),
            models.Index(fields=["status", "task_book_due_on"]),
            models.Index(fields=["-created_at", "-id"]),
        ]
        constraints = [
            # One live center of a name per institution; a revoked one frees the name.
            models.UniqueConstraint(
                fields=["institution", "name"],
                condition=~Q(status=CenterStatus.REVOKED),
                name="centers_center_unique_live_name",
                violation_error_message=_("本机构已有同名中心。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("centers:center_detail", args=[self.pk])

    @property
    def review_institution(self) -> Institution:
        return self.institution

    @property
    def under_construction(self) -> bool:
        """Progress reports, task-book changes and an acceptance application are possible."""
        return self.status in CONSTRUCTION_STATES
