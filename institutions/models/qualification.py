"""Qualification data as filed in the approval system (资质认定审批系统).

Read-only for institution users: the sync maintains it, regulators correct it in admin.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sujt.accounts.permissions import has_module_perm
from sujt.core.audit import history
from sujt.core.choices import TestingField
from sujt.core.models import TimeStampedModel
from sujt.core.scoping import regulator_lists
from sujt.core.validators import parse_cma_number, validate_cma_number

from ..choices import (
    CertificateStatus,
    Education,
    Gender,
    SiteTenure,
    SiteType,
    SupervisingDepartment,
    Traceability,
)
from .institution import PROFILE_PERMISSION, Institution


class Certificate(TimeStampedModel):
    """资质认定证书 (CMA). Authority, field and department are derived from the number."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="certificates"
    )
    source_id = models.CharField(
        _("审批系统编号"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    number = models.CharField(
        _("证书编号"),
        max_length=12,
        unique=True,
        validators=[validate_cma_number],
        error_messages={"unique": _("已有证书使用该编号。")},
    )
    authority_code = models.CharField(_("发证机关代码"), max_length=2, editable=False)
    field_code = models.CharField(
        _("检验检测领域"), max_length=2, choices=TestingField.choices, editable=False
    )
    department_code = models.CharField(_("行业主管部门代码"), max_length=2, editable=False)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    scan = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("证书扫描件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("资质认定证书")
        ordering = ["institution_id", "-issued_on"]
        indexes = [
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["authority_code", "status"]),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        super().clean()
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": _("有效期至应晚于发证日期。")})

    def save(self, *args, **kwargs) -> None:
        self.derive_from_number()
        super().save(*args, **kwargs)

    def derive_from_number(self) -> None:
        try:
            parsed = parse_cma_number(self.number)
        except ValidationError:
            return
        self.authority_code = parsed.authority_code
        self.field_code = parsed.field_code
        self.department_code = parsed.department_code

    @property
    def parsed(self):
        return parse_cma_number(self.number)

    def attachments_visible_to(self, user) -> bool:
        """A scan stored as the certificate's own attachment: the certificate pages of 机构风采管理, and
        the certificate's admin pages."""
        if has_module_perm(user=user, institution_id=self.institution_id, perm=PROFILE_PERMISSION):
            return True
        return regulator_lists(self, user=user, region_field="institution__region_code")

    @property
    def authority_name(self) -> str:
        """发证机关 as the number says; "—" for a number that cannot be read (a malformed value posted on
        an admin form, shown back with the validator's error, or one stored before validation)."""
        try:
            return self.parsed.authority_name
        except ValidationError:
            return "—"

    @property
    def department_name(self) -> str:
        try:
            return SupervisingDepartment(self.department_code).label
        except ValueError:
            return _("代码 %(code)s") % {"code": self.department_code}


class Site(TimeStampedModel):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="sites"
    )
    source_id = models.CharField(
        _("审批系统编号"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    name = models.CharField(_("场所名称"), max_length=200)
    address = models.CharField(_("场所地址"), max_length=255)
    site_type = models.CharField(
        _("场所类型"), max_length=10, choices=SiteType.choices, default=SiteType.FIXED
    )
    area = models.DecimalField(
        _("面积（平方米）"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    tenure = models.CharField(_("产权"), max_length=8, choices=SiteTenure.choices, default=SiteTenure.OWNED)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("检验检测场所")
        ordering = ["institution_id", "name"]
        indexes = [models.Index(fields=["institution", "name"])]

    def __str__(self) -> str:
        return self.name


class Capability(TimeStampedModel):
    """One row of the capability schedule (能力附表). An institution may have 20,000 of them."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="capabilities"
    )
    source_id = models.CharField(
        _("审批系统编号"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.CASCADE, related_name="capabilities"
    )
    seq = models.PositiveIntegerField(_("序号"))
    category = models.CharField(_("类别"), max_length=100, blank=True)
    item = models.CharField(_("产品/项目/参数"), max_length=255)
    standard = models.CharField(_("依据的标准（方法）名称及编号（含年号）"), max_length=500)
    limitation = models.CharField(_("限制范围"), max_length=500, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    site = models.ForeignKey(
        Site, verbose_name=_("检验检测场所"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="capabilities",
    )  # fmt: skip
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("检验检测能力")
        ordering = ["institution_id", "certificate_id", "seq"]
        indexes = [
            models.Index(fields=["institution", "certificate", "seq"]),
            models.Index(fields=["certificate", "seq"]),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.item}"


class Equipment(TimeStampedModel):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="equipment"
    )
    source_id = models.CharField(
        _("审批系统编号"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    name = models.CharField(_("设备名称"), max_length=200)
    model_spec = models.CharField(_("型号/规格"), max_length=200, blank=True)
    measuring_range = models.CharField(_("测量范围"), max_length=200, blank=True)
    traceability = models.CharField(
        _("溯源方式"), max_length=12, choices=Traceability.choices, default=Traceability.CALIBRATION
    )
    valid_until = models.DateField(_("检定/校准有效期至"), null=True, blank=True)
    site = models.ForeignKey(
        Site, verbose_name=_("检验检测场所"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="equipment",
    )  # fmt: skip
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("仪器设备")
        ordering = ["institution_id", "name"]
        indexes = [
            models.Index(fields=["institution", "valid_until"]),
            models.Index(fields=["institution", "name"]),
        ]

    def __str__(self) -> str:
        return self.name


class Signatory(TimeStampedModel):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="signatories"
    )
    source_id = models.CharField(
        _("审批系统编号"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    authorised_fields = models.TextField(_("授权签字领域"))
    site = models.ForeignKey(
        Site, verbose_name=_("检验检测场所"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="signatories",
    )  # fmt: skip
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("授权签字人")
        ordering = ["institution_id", "name"]
        indexes = [models.Index(fields=["institution", "name"])]

    def __str__(self) -> str:
        return self.name


class Personnel(TimeStampedModel):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="personnel"
    )
    source_id = models.CharField(
        _("审批系统编号"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份"), null=True, blank=True, validators=[MinValueValidator(1930), MaxValueValidator(2015)]
    )
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices, blank=True)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    position = models.CharField(_("岗位"), max_length=50, blank=True)
    major = models.CharField(_("所学专业"), max_length=100, blank=True)
    years_in_field = models.PositiveSmallIntegerField(_("从事本领域年限"), null=True, blank=True)
    department = models.CharField(_("所在部门"), max_length=100, blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("检验检测人员")
        ordering = ["institution_id", "department", "name"]
        indexes = [models.Index(fields=["institution", "name"])]

    def __str__(self) -> str:
        return self.name
