from django.db import models


class MembershipRole(models.TextChoices):
    ADMIN = "admin", "机构管理员"
    STAFF = "staff", "经办人"


class LoginEventKind(models.TextChoices):
    LOGIN = "login", "登录成功"
    LOGOUT = "logout", "退出登录"
    FAILED = "failed", "登录失败"
    LOCKED = "locked", "账号锁定"
    # Written when a regulator helps an account back in (LoginEvent.by names them).
    UNLOCKED = "unlocked", "解除锁定"
    PASSWORD_RESET = "password_reset", "重置密码"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "待接受"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已拒绝"
    REVOKED = "revoked", "已撤回"
    EXPIRED = "expired", "已过期"
