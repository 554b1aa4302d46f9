from django.db import models
from django.urls import reverse

from sujt.accounts.permissions import has_module_perm
from sujt.core.audit import history
from sujt.core.models import Reviewable
from sujt.core.richtext import RichTextField
from sujt.core.scoping import regulator_lists


class Submission(Reviewable):
    """A stand-in for any module's submission (news, bonus application, rectification report…)."""

    institution = models.ForeignKey(
        "institutions.Institution", verbose_name="机构", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("标题", max_length=100)
    note = RichTextField("说明", blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = "测试申报"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("admin:workflow_app_submission_change", args=[self.pk])

    def attachments_visible_to(self, user) -> bool:
        """As a module's submission would: its module's permission (here 信用管理, as for a commitment
        letter) or the review queue, which lists it to the regulators over its region once submitted."""
        if has_module_perm(user=user, institution_id=self.institution_id, perm="manage_credit"):
            return True
        return regulator_lists(self, user=user, region_field="institution__region_code", reviewed=True)
