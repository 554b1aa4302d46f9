"""Intellectual property the institution maintains itself: software copyrights, patents, trademarks."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sujt.core.audit import history
from sujt.core.models import TimeStampedModel

from ..choices import PatentType
from .institution import Institution

# 软著登记号: e.g. 2023SR0123456
validate_copyright_number = RegexValidator(
    r"^(19|20)\d{2}SR\d{5,7}$", _("软件著作权登记号格式应如 2023SR0123456。")
)
# 专利号: ZL + application year + type digit + serial + "." + check digit, e.g. ZL202310123456.7
validate_patent_number = RegexValidator(
    r"^ZL(19|20)\d{2}[123]\d{7}\.[\dX]$", _("专利号格式应如 ZL202310123456.7（ZL+12位申请号+.校验位）。")
)
validate_trademark_number = RegexValidator(r"^\d{6,10}$", _("商标注册号应为6–10位数字。"))

PATENT_TYPE_DIGIT = {"1": PatentType.INVENTION, "2": PatentType.UTILITY, "3": PatentType.DESIGN}


class IntellectualProperty(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class SoftwareCopyright(IntellectualProperty):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="software_copyrights"
    )
    name = models.CharField(_("软件名称"), max_length=200)
    registration_number = models.CharField(_("登记号"), max_length=14, validators=[validate_copyright_number])
    version = models.CharField(_("版本号"), max_length=20, blank=True)
    registered_on = models.DateField(_("登记日期"))
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("软件著作权")
        ordering = ["institution_id", "-registered_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "registration_number"], name="software_copyright_unique_number"
            )
        ]
        indexes = [models.Index(fields=["institution", "-registered_on"])]


class Patent(IntellectualProperty):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="patents"
    )
    name = models.CharField(_("专利名称"), max_length=200)
    patent_type = models.CharField(_("专利类型"), max_length=10, choices=PatentType.choices)
    patent_number = models.CharField(_("专利号"), max_length=20, validators=[validate_patent_number])
    applied_on = models.DateField(_("申请日"))
    granted_on = models.DateField(_("授权公告日"), null=True, blank=True)
    inventors = models.CharField(_("发明人"), max_length=200, blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("专利")
        ordering = ["institution_id", "-applied_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "patent_number"], name="patent_unique_number")
        ]
        indexes = [models.Index(fields=["institution", "patent_type"])]

    def clean(self) -> None:
        super().clean()
        errors = {}
        number = (self.patent_number or "").strip().upper()
        self.patent_number = number
        if len(number) >= 7 and self.patent_type:
            expected = PATENT_TYPE_DIGIT.get(number[6])
            if expected and expected != self.patent_type:
                errors["patent_type"] = _("专利号第7位表明该专利为“%(type)s”，与所选专利类型不一致。") % {
                    "type": expected.label
                }
        if self.applied_on and self.granted_on and self.granted_on < self.applied_on:
            errors["granted_on"] = _("授权公告日不能早于申请日。")
        if errors:
            raise ValidationError(errors)


class Trademark(IntellectualProperty):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="trademarks"
    )
    name = models.CharField(_("商标名称"), max_length=200)
    registration_number = models.CharField(_("注册号"), max_length=10, validators=[validate_trademark_number])
    nice_class = models.PositiveSmallIntegerField(
        _("国际分类"), validators=[MinValueValidator(1), MaxValueValidator(45)], help_text=_("第1–45类。")
    )
    valid_from = models.DateField(_("专用权期限起"))
    valid_until = models.DateField(_("专用权期限止"))
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("商标")
        ordering = ["institution_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "registration_number", "nice_class"], name="trademark_unique_number"
            )
        ]
        indexes = [models.Index(fields=["institution", "valid_until"])]

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("专用权期限止应晚于期限起。")})
