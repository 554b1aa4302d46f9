from django.db import models


class InstitutionStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    SUSPENDED = "suspended", "暂停"
    REVOKED = "revoked", "撤销"
    CANCELLED = "cancelled", "注销"


class LegalPersonType(models.TextChoices):
    """法人类型 (the manual's 完善信息 form)."""

    SOCIAL_ORGANISATION = "social", "社团法人"
    PUBLIC_INSTITUTION = "public", "事业法人"
    ENTERPRISE = "enterprise", "企业法人"
    GOVERNMENT = "government", "机关法人"
    OTHER = "other", "其他"


class UnitType(models.TextChoices):
    """单位类型."""

    THIRD_PARTY = "third_party", "第三方检验检测机构"
    GOVERNMENT_AFFILIATED = "government", "政府部门所属检验检测机构"
    ENTERPRISE_LAB = "enterprise_lab", "企业内设实验室"
    RESEARCH = "research", "高校及科研院所实验室"
    OTHER = "other", "其他"


class SupervisingDepartment(models.TextChoices):
    """所属厅局: the supervising-department codes of CMA certificate numbers (digits 7–8)."""

    MARKET_REGULATION = "01", "市场监督管理"
    AGRICULTURE = "02", "农业农村"
    HOUSING = "03", "住房和城乡建设"
    TRANSPORT = "04", "交通运输"
    WATER_RESOURCES = "05", "水利"
    ECOLOGY = "06", "生态环境"
    HEALTH = "07", "卫生健康"
    PUBLIC_SECURITY = "08", "公安"
    JUSTICE = "09", "司法行政"
    NATURAL_RESOURCES = "10", "自然资源"
    INDUSTRY = "11", "工业和信息化"
    FORESTRY = "12", "林业和草原"
    MEDICAL_PRODUCTS = "13", "药品监督管理"
    EDUCATION = "14", "教育"
    SCIENCE = "15", "科学技术"
    EMERGENCY = "16", "应急管理"
    METEOROLOGY = "17", "气象"
    EARTHQUAKE = "18", "地震"
    OTHER = "99", "其他"


class OwnershipStructure(models.TextChoices):
    """所有制结构."""

    STATE = "state", "国有"
    COLLECTIVE = "collective", "集体"
    PRIVATE = "private", "私营"
    FOREIGN = "foreign", "外商投资"
    HK_MACAO_TAIWAN = "hmt", "港澳台投资"
    MIXED = "mixed", "混合所有制"
    OTHER = "other", "其他"


class ListedMarket(models.TextChoices):
    """所属市场 of a listed company."""

    SSE_MAIN = "sse_main", "上交所主板"
    STAR = "star", "科创板"
    SZSE_MAIN = "szse_main", "深交所主板"
    CHINEXT = "chinext", "创业板"
    BSE = "bse", "北交所"
    NEEQ = "neeq", "新三板"
    HKEX = "hkex", "港交所"
    OVERSEAS = "overseas", "境外其他市场"


class InvestorType(models.TextChoices):
    """出资人类型."""

    STATE = "state", "国有"
    PRIVATE = "private", "民营"
    FOREIGN = "foreign", "外资"
    JOINT = "joint", "合资"
    OTHER = "other", "其他"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂停"
    REVOKED = "revoked", "撤销"
    CANCELLED = "cancelled", "注销"
    EXPIRED = "expired", "过期"


class SiteType(models.TextChoices):
    FIXED = "fixed", "固定"
    TEMPORARY = "temporary", "临时"
    MOBILE = "mobile", "可移动"
    MULTIPLE = "multiple", "多场所"


class SiteTenure(models.TextChoices):
    OWNED = "owned", "自有"
    LEASED = "leased", "租用"


class Traceability(models.TextChoices):
    VERIFICATION = "verification", "检定"
    CALIBRATION = "calibration", "校准"
    INTERNAL = "internal", "内部校准"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Education(models.TextChoices):
    DOCTORATE = "doctorate", "博士研究生"
    MASTER = "master", "硕士研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专及以下"


class PatentType(models.TextChoices):
    INVENTION = "invention", "发明"
    UTILITY = "utility", "实用新型"
    DESIGN = "design", "外观设计"


class ErrorItemType(models.TextChoices):
    """Which part of the synced data an error report is about."""

    BASIC = "basic", "基础信息"
    CERTIFICATE = "certificate", "资质证书"
    SITE = "site", "检验检测场所"
    CAPABILITY = "capability", "检验检测能力"
    EQUIPMENT = "equipment", "仪器设备"
    SIGNATORY = "signatory", "授权签字人"
    PERSONNEL = "personnel", "检验检测人员"


class SyncMode(models.TextChoices):
    INCREMENTAL = "incremental", "增量"
    FULL = "full", "全量"
    FILE = "file", "文件导入"


class SyncStatus(models.TextChoices):
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "成功"
    PARTIAL = "partial", "部分成功"
    FAILED = "failed", "失败"
