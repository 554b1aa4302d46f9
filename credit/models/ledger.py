"""05 信用管理 (DESIGN §7, 苏市监规〔2020〕6号): the rules as data, the ledger of credit events, and the
current score with its dated snapshots.

The official point table is not in our hands: every item (points, validity, yearly cap, veto) and the
policy (base score, bonus cap, level thresholds) are rows provincial regulators edit in admin, seeded
with DESIGN §7's defaults by migration. An event copies its item's points and validity when it is
recorded (the rule in force when the act happened); the policy and an item's veto flag apply at every
recalculation. Events are never deleted: they change state (credit.services), every change audited.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.core.audit import history

from ..choices import Dimension, Direction, EventSource, EventState, Level

POINTS = {"max_digits": 5, "decimal_places": 1, "validators": [MinValueValidator(Decimal("0"))]}
SCORE = {"max_digits": 6, "decimal_places": 1}


class CreditItem(models.Model):
    """A line of the point table: K01 未按期上传信用承诺书 5 points for 12 months, J01 能力验证满意 …"""

    code = models.CharField(_("编号"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    direction = models.CharField(_("类型"), max_length=10, choices=Direction.choices)
    points = models.DecimalField(_("分值"), **POINTS)
    months_valid = models.PositiveSmallIntegerField(_("有效期（月）"), validators=[MinValueValidator(1)])
    yearly_cap = models.PositiveSmallIntegerField(
        _("每年最多计入次数"), null=True, blank=True, help_text=_("留空为不限。")
    )
    veto = models.BooleanField(_("一票否决"), default=False, help_text=_("计分期间信用等级直接评为 D 级。"))
    dimension = models.CharField(_("维度"), max_length=12, choices=Dimension.choices)
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用后不再产生新的计分记录。"))
    description = models.TextField(_("说明"), blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("信用评价项目")
        ordering = ["direction", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.veto and self.direction == Direction.BONUS:
            raise ValidationError({"veto": _("加分项目不能设为一票否决。")})


class CreditPolicy(models.Model):
    """The one row of scoring constants: score = base + min(bonuses, bonus cap) − deductions."""

    base_score = models.DecimalField(_("基础分"), default=Decimal("100"), **POINTS)
    bonus_cap = models.DecimalField(_("加分上限"), default=Decimal("10"), **POINTS)
    level_a_min = models.DecimalField(_("A 级最低分"), default=Decimal("90"), **POINTS)
    level_b_min = models.DecimalField(_("B 级最低分"), default=Decimal("75"), **POINTS)
    level_c_min = models.DecimalField(_("C 级最低分"), default=Decimal("60"), **POINTS)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("信用评价规则")

    def __str__(self) -> str:
        return str(_("信用评价规则"))

    def clean(self) -> None:
        if not self.level_a_min > self.level_b_min > self.level_c_min:
            raise ValidationError(_("等级分数线须满足 A 级 > B 级 > C 级。"))

    @classmethod
    def current(cls) -> "CreditPolicy":
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls()


class CreditEvent(models.Model):
    """One entry of an institution's credit ledger: a deduction or a bonus, from its source."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="credit_events"
    )
    item = models.ForeignKey(
        CreditItem, verbose_name=_("评价项目"), on_delete=models.PROTECT, related_name="+"
    )
    direction = models.CharField(_("类型"), max_length=10, choices=Direction.choices, editable=False)
    points = models.DecimalField(_("分值"), **POINTS)
    occurred_on = models.DateField(_("发生日期"))
    valid_until = models.DateField(_("有效期至"))
    state = models.CharField(
        _("状态"), max_length=10, choices=EventState.choices, default=EventState.COUNTING, editable=False
    )
    source = models.CharField(_("来源"), max_length=20, choices=EventSource.choices, editable=False)
    # What caused it, once: a record of another module (its domain event's key without the verb) or,
    # for a regulator's manual entry, a key of its own. Recording the same key again changes nothing.
    source_key = models.CharField(_("来源标识"), max_length=120, unique=True, editable=False)
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    source_object = GenericForeignKey("source_type", "source_id")
    details = models.JSONField(_("来源信息"), default=dict, blank=True, editable=False)
    reason = models.TextField(_("事由"), blank=True)
    # The rectification of what caused the deduction was accepted: from then on it may be repaired.
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    state_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("信用记录")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-occurred_on"]),
            models.Index(fields=["state", "valid_until"]),
            models.Index(fields=["item", "-occurred_on"]),
            models.Index(fields=["-occurred_on", "-id"]),
        ]

    def __str__(self) -> str:
        sign = "−" if self.direction == Direction.DEDUCTION else "+"
        return f"{self.item.code} {sign}{self.points}（{self.occurred_on:%Y-%m-%d}）"


class CreditScore(models.Model):
    """The current score and level of an institution (kept by credit.services.scores_recalculate)."""

    institution = models.OneToOneField(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="credit_score"
    )
    score = models.DecimalField(_("信用分"), **SCORE)
    level = models.CharField(_("信用等级"), max_length=1, choices=Level.choices)
    bonus = models.DecimalField(_("加分"), **SCORE)
    deduction = models.DecimalField(_("扣分"), **SCORE)
    veto = models.BooleanField(_("一票否决"), default=False)
    calculated_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("信用评价结果")
        indexes = [models.Index(fields=["level", "-score"])]

    def __str__(self) -> str:
        return f"{self.score} {self.level}"


class CreditSnapshot(models.Model):
    """The score of one institution on one day (the last recalculation of that day), for trends."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="credit_snapshots"
    )
    day = models.DateField(_("日期"))
    score = models.DecimalField(_("信用分"), **SCORE)
    level = models.CharField(_("信用等级"), max_length=1, choices=Level.choices)
    dimensions = models.JSONField(_("各维度得分"), default=dict)

    class Meta:
        verbose_name = verbose_name_plural = _("信用分快照")
        constraints = [
            models.UniqueConstraint(fields=["institution", "day"], name="credit_snapshot_one_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.score} {self.level}"
