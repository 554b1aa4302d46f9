"""Choices of 05 信用管理 (DESIGN §7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    DEDUCTION = "deduction", _("扣分")
    BONUS = "bonus", _("加分")


class Dimension(models.TextChoices):
    BASIC = "basic", _("基础信息")
    OPERATION = "operation", _("经营状况")
    SUPERVISION = "supervision", _("监管执法")
    CAPABILITY = "capability", _("能力水平")
    INNOVATION = "innovation", _("技术创新")


class Level(models.TextChoices):
    A = "A", _("A 级")
    B = "B", _("B 级")
    C = "C", _("C 级")
    D = "D", _("D 级")


class EventState(models.TextChoices):
    COUNTING = "counting", _("计分中")
    OBJECTED = "objected", _("异议中")
    VOIDED = "voided", _("已撤销")
    REPAIRED = "repaired", _("已修复待返还")
    RETURNED = "returned", _("已返还")
    EXPIRED = "expired", _("已过期")


class EventSource(models.TextChoices):
    FINDING = "finding", _("监督检查发现问题")
    PENALTY = "penalty", _("行政处罚")
    ORDER = "order", _("责令限期整改")
    ORDER_OVERDUE = "order_overdue", _("逾期未完成整改")
    COMMITMENT_MISSING = "commitment_missing", _("未按期上传信用承诺书")
    REPORT_OVERDUE = "report_overdue", _("未按期填报运营数据")
    BONUS_APPLICATION = "bonus_application", _("加分申请")
    CENTER = "center", _("中心建设")
    MANUAL = "manual", _("监管人员录入")
