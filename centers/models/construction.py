from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.core.audit import history
from sujt.core.models import Reviewable, TimeStampedModel

from ..choices import AcceptanceGrade, CenterKind, CenterLevel, RegisteredStage, TwoStepStatus
from ..workflows import CONSTRUCTION_WORKFLOW
from .center import Center

FEASIBILITY_PURPOSE = "feasibility"
MATERIALS_PURPOSE = "materials"
APPROVAL_PURPOSE = "approval"


def _applicant() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )


class CenterFacts(models.Model):
    """What an application says the center is."""

    name = models.CharField(_("中心名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=12, choices=CenterLevel.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=CenterKind.choices)
    product_scope = models.TextField(_("产品范围"), max_length=1000)
    industry = models.CharField(_("所属行业"), max_length=50)

    class Meta:
        abstract = True


class ConstructionApplication(CenterFacts, Reviewable, TimeStampedModel):
    """筹建申请: reviewed by the city bureau, then decided by the province (CONSTRUCTION_WORKFLOW)."""

    status = models.CharField(
        _("状态"), max_length=20, choices=TwoStepStatus.choices, default=TwoStepStatus.DRAFT, db_index=True
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("依托机构"), on_delete=models.PROTECT, related_name="+"
    )
    center = models.ForeignKey(
        Center,
        verbose_name=_("中心"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="construction_applications",
    )
    content_and_goals = models.TextField(_("建设内容与目标"), max_length=5000)
    planned_investment = models.DecimalField(
        _("计划投资（万元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    funding_source = models.CharField(_("资金来源"), max_length=200)
    construction_months = models.PositiveSmallIntegerField(
        _("预计建设周期（月）"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    staffing_plan = models.TextField(_("人员配备计划"), max_length=3000)
    applicant = _applicant()
    history = history()
    workflow = CONSTRUCTION_WORKFLOW

    class Meta:
        verbose_name = verbose_name_plural = _("中心筹建申请")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-created_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        # Messages say 中心筹建申请「name」 (the verbose name and this).
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("centers:construction_detail", args=[self.pk])


class PlannedEquipment(models.Model):
    """A line of a 筹建申请's key equipment list."""

    application = models.ForeignKey(
        ConstructionApplication,
        verbose_name=_("筹建申请"),
        on_delete=models.CASCADE,
        related_name="equipment",
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("设备名称"), max_length=100)
    specification = models.CharField(_("规格型号"), max_length=100)
    unit_price = models.DecimalField(
        _("单价（万元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("主要仪器设备")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def total(self) -> Decimal:
        """总价（万元）."""
        return self.unit_price * self.quantity


class CenterRegistration(CenterFacts, Reviewable, TimeStampedModel):
    """新增系统外中心: a center approved outside the system, with its approval documents; a regulator
    verifies it (the common review) and approval creates the center at the stage the institution gave."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("依托机构"), on_delete=models.PROTECT, related_name="+"
    )
    approval_number = models.CharField(_("批准文号"), max_length=60)
    approved_on = models.DateField(_("批准日期"))
    stage = models.CharField(_("当前阶段"), max_length=10, choices=RegisteredStage.choices)
    construction_due_on = models.DateField(
        _("筹建及验收期限"), null=True, blank=True, help_text=_("筹建中的中心必填。")
    )
    accepted_on = models.DateField(
        _("验收日期"), null=True, blank=True, help_text=_("已通过验收的中心必填。")
    )
    acceptance_grade = models.CharField(
        _("验收等级"), max_length=10, choices=AcceptanceGrade.choices, blank=True
    )
    center = models.OneToOneField(
        Center,
        verbose_name=_("中心"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="registration",
    )
    applicant = _applicant()
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("系统外中心登记")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-created_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("centers:registration_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.stage == RegisteredStage.BUILDING and not self.construction_due_on:
            errors["construction_due_on"] = _("筹建中的中心请填写筹建及验收期限。")
        if self.stage == RegisteredStage.RUNNING:
            if not self.accepted_on:
                errors["accepted_on"] = _("已通过验收的中心请填写验收日期。")
            if not self.acceptance_grade:
                errors["acceptance_grade"] = _("已通过验收的中心请选择验收等级。")
        if self.approved_on and self.accepted_on and self.accepted_on < self.approved_on:
            errors["accepted_on"] = _("验收日期不能早于批准日期。")
        if self.approved_on and self.construction_due_on and self.construction_due_on <= self.approved_on:
            errors["construction_due_on"] = _("筹建及验收期限应晚于批准日期。")
        if errors:
            raise ValidationError(errors)
