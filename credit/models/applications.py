"""The institution's applications in module 05, each reviewed by regulators through the kit's common
review (草稿 → 待审核 → 已通过 | 已退回 | 未通过; sujt.core.workflow.REVIEW_WORKFLOW):

- 加分申请 (BonusApplication): a bonus item and when it was achieved, with evidence; approval records
  the bonus event (credit.services);
- 申疑 (CreditObjection): a deduction disputed with reasons and evidence; while under review the
  deduction is 异议中 and still counts; approval voids it (points restored at once), rejection puts it
  back to 计分中;
- 修复 (CreditRepair): a deduction whose rectification was accepted, with what was done; approval makes it
  已修复待返还, and the points return when its validity period ends. Veto items cannot be repaired while
  valid.

Evidence files are core Attachments owned by the application (purpose "evidence"), never public.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.core.audit import history
from sujt.core.models import Reviewable, TimeStampedModel

from .ledger import CreditEvent, CreditItem

EVIDENCE_PURPOSE = "evidence"


class CreditApplication(Reviewable, TimeStampedModel):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("申请理由"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True


class BonusApplication(CreditApplication):
    item = models.ForeignKey(
        CreditItem,
        verbose_name=_("加分项目"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"direction": "bonus"},
    )
    achieved_on = models.DateField(
        _("取得日期"), help_text=_("如证书、文件或奖励的日期，加分有效期自此起算。")
    )
    event = models.OneToOneField(
        CreditEvent,
        verbose_name=_("加分记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="bonus_application",
    )
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("加分申请")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-created_at"]),
            models.Index(fields=["status", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"加分申请：{self.item.code} {self.item.name}"

    def get_absolute_url(self) -> str:
        return reverse("credit:bonus_detail", args=[self.pk])


class CreditObjection(CreditApplication):
    event = models.ForeignKey(
        CreditEvent, verbose_name=_("扣分记录"), on_delete=models.PROTECT, related_name="objections"
    )
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("信用申疑")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-created_at"]),
            models.Index(fields=["status", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"申疑：{self.event}"

    def get_absolute_url(self) -> str:
        return reverse("credit:objection_detail", args=[self.pk])


class CreditRepair(CreditApplication):
    event = models.ForeignKey(
        CreditEvent, verbose_name=_("扣分记录"), on_delete=models.PROTECT, related_name="repairs"
    )
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("信用修复")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-created_at"]),
            models.Index(fields=["status", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"信用修复：{self.event}"

    def get_absolute_url(self) -> str:
        return reverse("credit:repair_detail", args=[self.pk])
