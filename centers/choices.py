"""The choices of module 04 中心建设 (manual §四.4)."""

from django.db import models


class CenterLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"


class CenterKind(models.TextChoices):
    QUALITY = "quality", "质检中心"
    METROLOGY = "metrology", "计量中心"
    MEASUREMENT = "measurement", "计量测试中心"


class CenterStatus(models.TextChoices):
    """A center's lifecycle (centers.workflows.CENTER_WORKFLOW)."""

    APPLYING = "applying", "筹建申请中"
    BUILDING = "building", "筹建中"
    ACCEPTANCE = "acceptance", "验收申请中"
    RUNNING = "running", "运行中"
    # A failed acceptance: construction goes on (progress, changes, a new acceptance application) with
    # the regulator's comments; the construction deadline still runs.
    FAILED = "failed", "验收未通过"
    OVERDUE = "overdue", "筹建超期"
    REVOKED = "revoked", "已撤销"


class CenterOrigin(models.TextChoices):
    APPLIED = "applied", "系统内筹建申请"
    REGISTERED = "registered", "系统外批准登记"


class TwoStepStatus(models.TextChoices):
    """筹建申请: the city bureau reviews first, then the province decides."""

    DRAFT = "draft", "草稿"
    CITY_REVIEW = "city_review", "待市局审核"
    PROVINCE_REVIEW = "province_review", "待省局审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "不予批准"
    WITHDRAWN = "withdrawn", "已撤回"


class AcceptanceStatus(models.TextChoices):
    """验收申请: the city bureau reviews first, then the province accepts (with a grade) or not."""

    DRAFT = "draft", "草稿"
    CITY_REVIEW = "city_review", "待市局审核"
    PROVINCE_REVIEW = "province_review", "待省局审核"
    RETURNED = "returned", "已退回"
    PASSED = "passed", "验收通过"
    FAILED = "failed", "验收未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class AcceptanceGrade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"


class TaskBookKind(models.TextChoices):
    INITIAL = "initial", "任务书"
    CHANGE = "change", "任务书变更"


class RegisteredStage(models.TextChoices):
    """Where a center approved outside the system stands when it is registered."""

    BUILDING = "building", "筹建中"
    RUNNING = "running", "运行中（已通过验收）"
