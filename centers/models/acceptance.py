from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.core.audit import history
from sujt.core.models import Reviewable, TimeStampedModel

from ..choices import AcceptanceGrade, AcceptanceStatus
from ..workflows import ACCEPTANCE_WORKFLOW
from .center import Center
from .construction import _applicant
from .taskbook import TaskBook, TaskIndicator

ACCEPTANCE_PURPOSE = "acceptance"


class AcceptanceApplication(Reviewable, TimeStampedModel):
    """验收申请: the construction summary and a self-evaluation per indicator; reviewed by the city bureau,
    then accepted with a grade (or not) by the province (ACCEPTANCE_WORKFLOW)."""

    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AcceptanceStatus.choices,
        default=AcceptanceStatus.DRAFT,
        db_index=True,
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("依托机构"), on_delete=models.PROTECT, related_name="+"
    )
    center = models.ForeignKey(
        Center, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="acceptance_applications"
    )
    task_book = models.ForeignKey(
        TaskBook,
        verbose_name=_("依据任务书"),
        on_delete=models.PROTECT,
        related_name="acceptance_applications",
    )
    summary = models.TextField(_("建设总结"), max_length=8000)
    grade = models.CharField(
        _("验收等级"), max_length=10, choices=AcceptanceGrade.choices, blank=True, editable=False
    )
    applicant = _applicant()
    history = history()
    workflow = ACCEPTANCE_WORKFLOW

    class Meta:
        verbose_name = verbose_name_plural = _("中心验收申请")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["center", "-created_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return str(self.center)

    def get_absolute_url(self) -> str:
        return reverse("centers:acceptance_detail", args=[self.pk])


class AcceptanceEvaluation(models.Model):
    """The institution's self-evaluation of one indicator in an acceptance application."""

    application = models.ForeignKey(
        AcceptanceApplication,
        verbose_name=_("验收申请"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    indicator = models.ForeignKey(
        TaskIndicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="evaluations"
    )
    achieved_value = models.DecimalField(_("实际完成值"), max_digits=14, decimal_places=2)
    met = models.BooleanField(_("是否达标"))
    remark = models.CharField(_("自评说明"), max_length=500, blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("指标自评")
        ordering = ["indicator__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "indicator"], name="centers_evaluation_unique_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}：{'达标' if self.met else '未达标'}"
