"""03 机构整改 (manual §四.3): inspections with their findings and penalties, recorded by regulators;
rectification orders for the findings that need it; the institution's answers, one round per
submission, kept with the regulator's decision.

An order's state changes only through the kit's engine (rectification.workflows.ORDER_WORKFLOW, called
by rectification.services); evidence files are core Attachments owned by a measure (purpose
"evidence"), never public.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.accounts.permissions import has_module_perm
from sujt.core.audit import history
from sujt.core.models import Reviewable, TimeStampedModel
from sujt.core.scoping import regulator_lists

from .choices import (
    PENALTIES_WITH_AMOUNT,
    FindingCategory,
    InspectionKind,
    OrderStatus,
    PenaltyKind,
    RoundDecision,
    Severity,
)
from .workflows import ORDER_WORKFLOW

PERMISSION = "handle_rectification"
REGION_FIELD = "institution__region_code"


class Inspection(TimeStampedModel):
    """监督检查: one visit or check of one institution by regulators."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField(_("检查类型"), max_length=12, choices=InspectionKind.choices)
    inspected_on = models.DateField(_("检查日期"))
    inspectors = models.CharField(_("检查人员"), max_length=200, help_text=_("多人用顿号或逗号分隔。"))
    summary = models.TextField(_("检查情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    disclosed_at = models.DateTimeField(_("结果公开时间"), null=True, blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("监督检查")
        ordering = ["-inspected_on", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-inspected_on"]),
            models.Index(fields=["-inspected_on", "-id"]),
            models.Index(fields=["kind", "-inspected_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on:%Y-%m-%d} {self.get_kind_display()}"


class Finding(TimeStampedModel):
    """检查发现的问题."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("监督检查"), on_delete=models.CASCADE, related_name="findings"
    )
    category = models.CharField(_("问题类别"), max_length=16, choices=FindingCategory.choices)
    severity = models.CharField(
        _("严重程度"), max_length=8, choices=Severity.choices, default=Severity.GENERAL
    )
    description = models.TextField(_("问题描述"))
    clause = models.CharField(_("依据条款"), max_length=200, blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("检查发现问题")
        ordering = ["inspection_id", "pk"]
        indexes = [models.Index(fields=["category", "severity"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()}（{self.get_severity_display()}）"


class Penalty(TimeStampedModel):
    """行政处罚 decided after an inspection."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("监督检查"), on_delete=models.CASCADE, related_name="penalties"
    )
    kind = models.CharField(_("处罚种类"), max_length=14, choices=PenaltyKind.choices)
    amount = models.DecimalField(
        _("金额（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("罚款、没收违法所得时填写。"),
    )
    decision_number = models.CharField(_("处罚决定书文号"), max_length=100)
    decided_on = models.DateField(_("处罚日期"))
    description = models.TextField(_("处罚事由"), blank=True)
    disclosed_at = models.DateTimeField(_("公开时间"), null=True, blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("行政处罚")
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["kind", "-decided_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decision_number}"

    def clean(self) -> None:
        super().clean()
        if self.kind == PenaltyKind.FINE and not self.amount:
            raise ValidationError({"amount": _("罚款须填写金额。")})
        if self.kind and self.kind not in PENALTIES_WITH_AMOUNT and self.amount is not None:
            raise ValidationError({"amount": _("只有罚款和没收违法所得需要填写金额。")})


class RectificationOrder(Reviewable, TimeStampedModel):
    """整改通知: the findings of an inspection the institution must rectify, by a date."""

    workflow = ORDER_WORKFLOW
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN, db_index=True
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("监督检查"), on_delete=models.PROTECT, related_name="orders"
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="rectification_orders"
    )
    findings = models.ManyToManyField(Finding, verbose_name=_("需整改的问题"), related_name="orders")
    requirement = models.TextField(_("整改要求"), blank=True)
    due_on = models.DateField(_("整改期限"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下达人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("下达时间"), auto_now_add=True)
    overdue_at = models.DateTimeField(_("逾期时间"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("整改通知")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["-issued_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"整改通知（{self.inspection}）"

    def get_absolute_url(self) -> str:
        return reverse("rectification:order_detail", args=[self.pk])

    @property
    def was_overdue(self) -> bool:
        """逾期整改: the deadline passed before the order was accepted (kept after acceptance)."""
        return self.overdue_at is not None


class RectificationRound(TimeStampedModel):
    """One answer of the institution (a draft until submitted) and the regulator's decision on it."""

    order = models.ForeignKey(
        RectificationOrder, verbose_name=_("整改通知"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("轮次"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    decision = models.CharField(_("审核结论"), max_length=10, choices=RoundDecision.choices, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    comment = models.TextField(_("审核意见"), blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("整改答复")
        ordering = ["order_id", "number"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="rectification_round_number")]

    def __str__(self) -> str:
        return f"第{self.number}次答复"

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class RectificationMeasure(TimeStampedModel):
    """What the institution did about one finding in one round, with its evidence (private files)."""

    round = models.ForeignKey(
        RectificationRound, verbose_name=_("整改答复"), on_delete=models.CASCADE, related_name="measures"
    )
    finding = models.ForeignKey(
        Finding, verbose_name=_("检查发现问题"), on_delete=models.PROTECT, related_name="measures"
    )
    measures = models.TextField(_("整改措施及结果"), blank=True)
    regulator_comment = models.TextField(_("逐项审核意见"), blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("整改措施")
        ordering = ["round_id", "finding_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "finding"], name="rectification_measure_per_finding")
        ]

    def __str__(self) -> str:
        return f"{self.round}：{self.finding}"

    def attachments_visible_to(self, user) -> bool:
        """Evidence follows the order's pages: the institution's members who handle rectification, and the
        regulators admin lists the order to."""
        order = self.round.order
        if has_module_perm(user=user, institution_id=order.institution_id, perm=PERMISSION):
            return True
        return regulator_lists(order, user=user, region_field=REGION_FIELD)
