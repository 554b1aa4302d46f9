from django.db import models
from django.utils.translation import gettext_lazy as _

from sujt.accounts.permissions import MODULE_PERMISSIONS
from sujt.core.audit import history
from sujt.core.models import TimeStampedModel
from sujt.core.regions import city_code_of, city_name
from sujt.core.validators import validate_uscc

from .choices import InstitutionStatus


class Institution(TimeStampedModel):
    """An inspection and testing institution (检验检测机构). The 02 profile issue completes it."""

    name = models.CharField(_("机构名称"), max_length=200, db_index=True)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        error_messages={"unique": _("已有机构使用该统一社会信用代码。")},
    )
    region_code = models.CharField(_("所在地区"), max_length=6, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=InstitutionStatus.choices, default=InstitutionStatus.NORMAL
    )
    centers_enabled = models.BooleanField(
        _("开通中心建设"), default=False, help_text=_("由监管部门为有中心建设需求的机构开通。")
    )
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("检验检测机构")
        ordering = ["name"]
        permissions = MODULE_PERMISSIONS
        indexes = [models.Index(fields=["status", "region_code"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.uscc:
            self.uscc = self.uscc.strip().upper()

    @property
    def city_code(self) -> str:
        return city_code_of(self.region_code)

    @property
    def city_name(self) -> str:
        return city_name(self.region_code)

    def attachments_visible_to(self, user) -> bool:
        """Its files are for its active members, the regulators over its region and superusers."""
        from sujt.accounts.parties import may_see_institution_files

        return may_see_institution_files(user=user, institution=self)
