"""The institution's report of an error in its synced data (确认机构信息 › 报告错误)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sujt.accounts.permissions import has_module_perm
from sujt.core.audit import history
from sujt.core.models import Reviewable, TimeStampedModel
from sujt.core.scoping import regulator_lists

from ..choices import ErrorItemType
from .institution import PROFILE_PERMISSION, Institution


class ErrorReport(Reviewable, TimeStampedModel):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="error_reports"
    )
    item_type = models.CharField(_("信息类别"), max_length=12, choices=ErrorItemType.choices)
    item_id = models.PositiveBigIntegerField(_("信息条目编号"), null=True, blank=True)
    item_label = models.CharField(_("有误的信息"), max_length=255)
    description = models.TextField(_("错误说明"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("机构信息纠错报告")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["institution", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_type_display()}：{self.item_label}"

    def get_absolute_url(self) -> str:
        return reverse("institutions:error_report_detail", args=[self.pk])

    def attachments_visible_to(self, user) -> bool:
        """The evidence follows the report's pages (确认机构信息, under 机构风采管理) and the review queue,
        which lists a report to the regulators over its region once it was submitted."""
        if has_module_perm(user=user, institution_id=self.institution_id, perm=PROFILE_PERMISSION):
            return True
        return regulator_lists(self, user=user, region_field="institution__region_code", reviewed=True)
