from django.db import models


class TestingField(models.TextChoices):
    """检验检测领域 (CMA certificate number digits 5–6)."""

    FOOD = "00", "食品"
    CONSTRUCTION = "01", "建筑工程"
    BUILDING_MATERIALS = "02", "建材"
    HEALTH = "03", "卫生计生"
    AGRICULTURE = "04", "农林牧渔"
    MOTOR_VEHICLE = "05", "机动车安检"
    FORENSIC_POLICE = "06", "公安刑事技术"
    FORENSIC_JUDICIAL = "07", "司法鉴定"
    MACHINERY = "08", "机械"
    ELECTRONICS = "09", "电子信息"
    LIGHT_INDUSTRY = "10", "轻工"
    TEXTILES = "11", "纺织服装"
    ENVIRONMENT = "12", "环境与环保"
    WATER = "13", "水质"
    CHEMICALS = "14", "化工"
    MEDICAL_DEVICES = "15", "医疗器械"
    MINING = "16", "采矿冶金"
    ENERGY = "17", "能源"
    MEDICINE = "18", "医学"
    BIOSAFETY = "19", "生物安全"
    GENERAL = "20", "综合"
    OTHER = "21", "其他"


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    DISTRICT = "district", "县区"


class ReviewStatus(models.TextChoices):
    """The review workflow every submission goes through (DESIGN §6)."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class AttachmentKind(models.TextChoices):
    """File kinds an upload may be, each checked by content rather than by name."""

    IMAGE = "image", "图片"
    PDF = "pdf", "PDF 文件"
    XLSX = "xlsx", "Excel 工作簿（.xlsx）"
    DOCX = "docx", "Word 文档（.docx）"


class TodoUrgency(models.TextChoices):
    OVERDUE = "overdue", "逾期"
    SOON = "soon", "临近"
    NORMAL = "normal", "一般"


class EventDeliveryStatus(models.TextChoices):
    """Where one handler stands with one domain event."""

    PENDING = "pending", "待处理"
    DONE = "done", "已处理"
    FAILED = "failed", "失败（不再重试）"


class ReviewNoticeMode(models.TextChoices):
    """How a regulator hears of submissions waiting for their review."""

    IMMEDIATE = "immediate", "逐条即时通知"
    DIGEST = "digest", "每日汇总一次"
