from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sujt.accounts.permissions import MODULE_PERMISSIONS, has_module_perm
from sujt.core.audit import history
from sujt.core.choices import TestingField
from sujt.core.models import TimeStampedModel
from sujt.core.regions import city_code_of, city_name, region_name, validate_region_code
from sujt.core.richtext import RichTextField
from sujt.core.scoping import regulator_lists
from sujt.core.validators import validate_uscc

from ..choices import (
    InstitutionStatus,
    InvestorType,
    LegalPersonType,
    ListedMarket,
    OwnershipStructure,
    SupervisingDepartment,
    UnitType,
)

# The module permission of the 机构风采管理 pages, which show the institution's own files.
PROFILE_PERMISSION = "manage_profile"

validate_postcode = RegexValidator(r"^\d{6}$", _("邮政编码应为6位数字。"))
validate_phone_number = RegexValidator(
    r"^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|1[3-9]\d{9}|400-?\d{3}-?\d{4})$",
    _("请输入固定电话（如 025-83456789）、400 电话或11位手机号码。"),
)
validate_stock_code = RegexValidator(r"^[0-9A-Z]{4,8}$", _("股票代码应为4–8位数字或大写字母。"))


class Institution(TimeStampedModel):
    """An inspection and testing institution (检验检测机构): basic info, 完善信息, completeness.

    The basic info and qualification data come from the qualification-approval system; 完善信息 and
    intellectual property are maintained by the institution itself.
    """

    # --- basic info (synced) ---
    name = models.CharField(_("机构名称"), max_length=200, db_index=True)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        error_messages={"unique": _("已有机构使用该统一社会信用代码。")},
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True, validators=[validate_postcode])
    region_code = models.CharField(
        _("所在地区"), max_length=6, db_index=True, validators=[validate_region_code]
    )
    phone = models.CharField(_("机构电话"), max_length=20, blank=True, validators=[validate_phone_number])
    email = models.EmailField(_("机构邮箱"), blank=True)
    website = models.URLField(_("网站"), blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("联系人电话"), max_length=20, blank=True, validators=[validate_phone_number]
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_independent_legal_person = models.BooleanField(_("独立法人"), default=True)
    introduction = models.TextField(_("机构简介"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=InstitutionStatus.choices, default=InstitutionStatus.NORMAL
    )
    centers_enabled = models.BooleanField(
        _("开通中心建设"), default=False, help_text=_("由监管部门为有中心建设需求的机构开通。")
    )
    source_id = models.CharField(
        _("审批系统编号"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)

    # --- 完善信息 (maintained by the institution) ---
    is_high_tech = models.BooleanField(_("是否高新技术企业"), null=True, blank=True)
    high_tech_obtained_on = models.DateField(_("高新技术企业获得时间"), null=True, blank=True)
    high_tech_certificate = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("高新技术企业证书扫描件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    logo = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("机构Logo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    legal_person_type = models.CharField(
        _("法人类型"), max_length=12, choices=LegalPersonType.choices, blank=True
    )
    unit_type = models.CharField(_("单位类型"), max_length=16, choices=UnitType.choices, blank=True)
    supervising_department = models.CharField(
        _("所属厅局"), max_length=2, choices=SupervisingDepartment.choices, blank=True
    )
    ownership = models.CharField(
        _("所有制结构"), max_length=12, choices=OwnershipStructure.choices, blank=True
    )
    is_listed = models.BooleanField(_("是否上市公司"), null=True, blank=True)
    listed_market = models.CharField(_("所属市场"), max_length=12, choices=ListedMarket.choices, blank=True)
    stock_code = models.CharField(_("股票代码"), max_length=8, blank=True, validators=[validate_stock_code])
    investor_type = models.CharField(_("出资人类型"), max_length=10, choices=InvestorType.choices, blank=True)
    business_scope = RichTextField(_("业务范围"), blank=True)

    # --- confirmation and completeness ---
    info_confirmed_at = models.DateTimeField(_("信息确认时间"), null=True, blank=True, editable=False)
    info_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("信息确认人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    completeness = models.PositiveSmallIntegerField(
        _("信息完整度"), default=0, editable=False, help_text=_("0–100，按加权检查项计算。")
    )

    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("检验检测机构")
        ordering = ["name"]
        permissions = MODULE_PERMISSIONS
        indexes = [
            models.Index(fields=["status", "region_code"]),
            models.Index(fields=["-completeness", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.uscc:
            self.uscc = self.uscc.strip().upper()
        errors: dict[str, str] = {}
        if self.is_high_tech:
            if not self.high_tech_obtained_on:
                errors["high_tech_obtained_on"] = _("选择“是”高新技术企业时，必须填写获得时间。")
            if not self.high_tech_certificate_id:
                errors["high_tech_certificate"] = _(
                    "选择“是”高新技术企业时，必须上传高新技术企业证书扫描件。"
                )
        if self.is_listed:
            if not self.listed_market:
                errors["listed_market"] = _("上市公司必须选择所属市场。")
            if not self.stock_code:
                errors["stock_code"] = _("上市公司必须填写股票代码。")
        if errors:
            raise ValidationError(errors)

    @property
    def city_code(self) -> str:
        return city_code_of(self.region_code)

    @property
    def city_name(self) -> str:
        return city_name(self.region_code)

    @property
    def region_name(self) -> str:
        return region_name(self.region_code)

    def attachments_visible_to(self, user) -> bool:
        """Its own files (logo, high-tech certificate scan, certificate scans) follow the pages showing
        them: the 机构风采管理 pages, for members holding manage_profile, and its admin page, for the
        regulators admin lists it to. (A public logo is served by the public logo view.)"""
        if has_module_perm(user=user, institution_id=self.pk, perm=PROFILE_PERMISSION):
            return True
        return regulator_lists(self, user=user, region_field="region_code")


class InstitutionField(models.Model):
    """One 检验检测领域 an institution declares (multi-select on the 完善信息 form)."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="fields"
    )
    code = models.CharField(_("检验检测领域"), max_length=2, choices=TestingField.choices)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("机构检验检测领域")
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="institution_field_unique")
        ]
        indexes = [models.Index(fields=["code", "institution"])]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()
