from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.core.audit import history
from sujt.core.models import Reviewable, TimeStampedModel

from ..choices import TaskBookKind
from .center import Center
from .construction import _applicant

PROGRESS_PURPOSE = "progress"


class TaskBook(Reviewable, TimeStampedModel):
    """One version of a center's 任务书 (construction task book), or a proposed one.

    The institution fills the first (kind 任务书); a regulator approves it (the common review) and it
    becomes version 1. A 任务书变更申请 (kind 任务书变更) proposes the next version with a reason and may
    move the construction deadline; its approval makes it the current version. Earlier versions stay as
    they were. An indicator keeps its number across versions, so progress follows it."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("依托机构"), on_delete=models.PROTECT, related_name="+"
    )
    center = models.ForeignKey(
        Center, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="task_books"
    )
    kind = models.CharField(
        _("类别"), max_length=10, choices=TaskBookKind.choices, default=TaskBookKind.INITIAL
    )
    version = models.PositiveSmallIntegerField(_("版本"), null=True, blank=True, editable=False)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("变更前版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reason = models.TextField(_("变更理由"), max_length=3000, blank=True)
    construction_due_on = models.DateField(
        _("变更后的筹建及验收期限"), null=True, blank=True, help_text=_("不变更期限的留空。")
    )
    applicant = _applicant()
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("任务书")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["center", "-created_at"]),
            models.Index(fields=["status", "kind", "submitted_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["center", "version"], name="centers_taskbook_unique_version")
        ]

    def __str__(self) -> str:
        # Messages say 任务书「中心（第 2 版）」; a change not yet approved is 「中心（变更申请）」.
        if self.version:
            return f"{self.center}（第 {self.version} 版）"
        return f"{self.center}（变更申请）" if self.kind == TaskBookKind.CHANGE else str(self.center)

    def get_absolute_url(self) -> str:
        return reverse("centers:taskbook_detail", args=[self.pk])

    def clean(self) -> None:
        if self.kind == TaskBookKind.CHANGE and not (self.reason or "").strip():
            raise ValidationError({"reason": _("请填写变更理由。")})


class TaskIndicator(models.Model):
    """An indicator of a task book: what the center must reach, by when."""

    task_book = models.ForeignKey(
        TaskBook, verbose_name=_("任务书"), on_delete=models.CASCADE, related_name="indicators"
    )
    number = models.PositiveSmallIntegerField(_("指标序号"))
    name = models.CharField(_("指标名称"), max_length=100)
    target_value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20)
    due_on = models.DateField(_("完成期限"))
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("任务书指标")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["task_book", "number"], name="centers_indicator_unique_number")
        ]

    def __str__(self) -> str:
        return self.name


class ProgressReport(Reviewable, TimeStampedModel):
    """筹建进展报告: where the center stands against the indicators of its current task book."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("依托机构"), on_delete=models.PROTECT, related_name="+"
    )
    center = models.ForeignKey(
        Center, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="progress_reports"
    )
    task_book = models.ForeignKey(
        TaskBook, verbose_name=_("依据任务书"), on_delete=models.PROTECT, related_name="progress_reports"
    )
    narrative = models.TextField(_("进展情况"), max_length=5000)
    applicant = _applicant()
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("筹建进展报告")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["center", "-created_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        day = timezone.localtime(self.created_at).date() if self.created_at else timezone.localdate()
        return f"{self.center}（{day:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("centers:progress_detail", args=[self.pk])


class ProgressEntry(models.Model):
    """One indicator's figure in a progress report."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("进展报告"), on_delete=models.CASCADE, related_name="entries"
    )
    indicator = models.ForeignKey(
        TaskIndicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="progress_entries"
    )
    actual_value = models.DecimalField(_("当前完成值"), max_digits=14, decimal_places=2)
    percent = models.PositiveSmallIntegerField(
        _("完成比例（%）"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("指标进展")
        ordering = ["indicator__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="centers_progress_unique_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}：{self.percent}%"
