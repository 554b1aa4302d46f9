"""Bookkeeping of the sync with the qualification-approval system (docs/qualification-sync.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sujt.core.dates import format_datetime

from ..choices import SyncMode, SyncStatus


class SyncRun(models.Model):
    """One run of the sync: what it asked for, what it changed, what it could not apply."""

    mode = models.CharField(_("方式"), max_length=12, choices=SyncMode.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=SyncStatus.choices, default=SyncStatus.RUNNING
    )
    source = models.CharField(
        _("数据来源"), max_length=255, blank=True, help_text=_("接口地址或导入文件名。")
    )
    updated_since = models.DateTimeField(_("增量起点"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    triggered_by = models.ForeignKey(
        "accounts.User", verbose_name=_("发起人"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    pages = models.PositiveIntegerField(_("页数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    withdrawn = models.PositiveIntegerField(_("撤回"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    accounts_created = models.PositiveIntegerField(_("新建账号"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    watermark = models.DateTimeField(
        _("本次水位"), null=True, blank=True, help_text=_("成功后作为下次增量起点。")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("资质认定同步记录")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["status", "-started_at"]),
            models.Index(fields=["mode", "-started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {format_datetime(self.started_at)} {self.get_status_display()}"


class SyncState(models.Model):
    """The incremental watermark; a single row, advanced only when a run succeeds."""

    key = models.CharField(_("键"), max_length=32, unique=True, default="qualification")
    watermark = models.DateTimeField(_("增量水位"), null=True, blank=True)
    last_success = models.ForeignKey(
        SyncRun, verbose_name=_("最近成功的同步"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    # One run at a time: the run holding the lock, until when (renewed after every page, so a run that
    # died without releasing it blocks the next ones for SYNC_LOCK_SECONDS at most).
    locked_by = models.ForeignKey(
        SyncRun, verbose_name=_("正在进行的同步"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("资质认定同步水位")

    def __str__(self) -> str:
        return f"{self.key}: {self.watermark}"
