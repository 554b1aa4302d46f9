"""Choices of 03 机构整改 (manual §四.3)."""

from django.db import models


class InspectionKind(models.TextChoices):
    RANDOM = "random", "双随机抽查"
    SPECIAL = "special", "专项检查"
    RISK = "risk", "风险核查"
    COMPLAINT = "complaint", "投诉举报核查"


class FindingCategory(models.TextChoices):
    BASIC = "basic", "机构基本情况"
    CHANGE = "change", "机构变更"
    CERTIFICATE = "certificate", "证书信息"
    SCHEDULE = "schedule", "能力附表/标准"
    PERSONNEL = "personnel", "人员/授权签字人"
    EQUIPMENT = "equipment", "仪器设备"
    REPORT_UNTRUE = "report_untrue", "检验检测报告—不实"
    REPORT_FALSE = "report_false", "检验检测报告—虚假"
    MANAGEMENT = "management", "管理体系"
    OTHER = "other", "其他"


class Severity(models.TextChoices):
    GENERAL = "general", "一般"
    SERIOUS = "serious", "严重"


class PenaltyKind(models.TextChoices):
    CORRECTION = "correction", "责令限期改正"
    WARNING = "warning", "警告"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得"
    REVOCATION = "revocation", "撤销资质认定"


# Penalties that come with a sum of money (元).
PENALTIES_WITH_AMOUNT = frozenset({PenaltyKind.FINE, PenaltyKind.CONFISCATION})


class OrderStatus(models.TextChoices):
    """The rectification order's lifecycle (rectification.workflows.ORDER_WORKFLOW)."""

    OPEN = "open", "待整改"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    OVERDUE = "overdue", "逾期"
    ACCEPTED = "accepted", "整改完成"


class RoundDecision(models.TextChoices):
    """What the regulator decided on one submitted answer (an answering round)."""

    ACCEPTED = "accepted", "整改完成"
    RETURNED = "returned", "退回"
