from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    MONEY = "money", _("金额（万元）")
    PERCENT = "percent", _("百分比")
    TEXT = "text", _("单行文本")
    LONG_TEXT = "long_text", _("多行文本")
    DATE = "date", _("日期")
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    BOOLEAN = "boolean", _("是/否")


NUMERIC_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY, FieldType.PERCENT})
CHOICE_TYPES = frozenset({FieldType.SINGLE, FieldType.MULTIPLE})


class TargetKind(models.TextChoices):
    INSTITUTION = "institution", _("检验检测机构")
    CENTER = "center", _("中心")


class TaskStatus(models.TextChoices):
    DRAFT = "draft", _("未发布")
    PUBLISHED = "published", _("已发布")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已通过")
    OVERDUE = "overdue", _("逾期未报")


class CreditScope(models.TextChoices):
    IN = "in", _("纳入信用评价")
    OUT = "out", _("未纳入信用评价")
