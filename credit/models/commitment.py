"""信用承诺书: one signed letter per institution and year (a PDF or an image, a core Attachment owned by
the row, purpose "letter", never public). Uploading again the same year replaces the file. An
institution module 05 applies to without a letter after the year's deadline gets K01 (credit.services)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.core.audit import history
from sujt.core.models import TimeStampedModel

LETTER_PURPOSE = "letter"


class CommitmentLetter(TimeStampedModel):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="commitment_letters"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("信用承诺书")
        ordering = ["-year", "institution_id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="credit_commitment_one_a_year")
        ]
        indexes = [models.Index(fields=["year", "institution"])]

    def __str__(self) -> str:
        return f"{self.year} 年度信用承诺书"
