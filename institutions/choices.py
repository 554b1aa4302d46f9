from django.db import models


class InstitutionStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    SUSPENDED = "suspended", "暂停"
    REVOKED = "revoked", "撤销"
    CANCELLED = "cancelled", "注销"
