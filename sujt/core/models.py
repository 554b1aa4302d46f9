import os
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .choices import AttachmentKind, ReviewStatus


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


# --- Review workflow ---------------------------------------------------------------------------------


class Reviewable(models.Model):
    """A submission that goes through review: draft → submitted → approved | returned | rejected.

    Change the status only through the services in `sujt.core.workflow` (conditional updates, logged,
    notified). A concrete subclass has an `institution` foreign key and a `__str__`; it may override
    `review_institution` when the institution is reached another way.
    """

    status = models.CharField(
        _("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("状态变更人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    review_comment = models.TextField(_("审核意见"), blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def review_institution(self) -> Any:
        """The institution on whose behalf this was submitted (the "institution side")."""
        return self.institution

    @property
    def is_editable_by_institution(self) -> bool:
        """Drafts and returned submissions may still be changed by the institution."""
        return self.status in {ReviewStatus.DRAFT, ReviewStatus.RETURNED}


class ReviewTransition(models.Model):
    """The transition log: one row per status change of any reviewable object."""

    content_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    content_object = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("原状态"), max_length=10, choices=ReviewStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ReviewStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("审核流转记录")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"]),
            models.Index(fields=["to_status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


# --- Notifications -----------------------------------------------------------------------------------


class Notification(models.Model):
    """An in-site message (站内消息) shown in the notification centre and counted by the bell."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


# --- Attachments -------------------------------------------------------------------------------------


@deconstructible(path="sujt.core.models.PrivateMediaStorage")
class PrivateMediaStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, read on every access (tests move it); never a URL.

    Private files are served only by the permission-checked download view.
    """

    def __init__(self) -> None:
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None


def private_storage() -> PrivateMediaStorage:
    return PrivateMediaStorage()


_KIND_EXTENSIONS = {AttachmentKind.PDF: ".pdf", AttachmentKind.XLSX: ".xlsx", AttachmentKind.DOCX: ".docx"}


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    """A random stored name; nothing the uploader chose reaches the file system."""
    extension = _KIND_EXTENSIONS.get(instance.kind, os.path.splitext(filename)[1].lower()[:10])
    if not extension[1:].isalnum():
        extension = ""
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Attachment(models.Model):
    """A privately stored upload belonging to any object (its "owner")."""

    content_type = models.ForeignKey(ContentType, verbose_name=_("所属对象类型"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("所属对象编号"))
    owner = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(_("用途"), max_length=40, blank=True, help_text=_("如 commitment、evidence。"))
    file = models.FileField(
        _("文件"), storage=private_storage, upload_to=attachment_upload_to, max_length=200
    )
    original_name = models.CharField(_("原文件名"), max_length=200)
    mime_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    kind = models.CharField(_("类别"), max_length=10, choices=AttachmentKind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "purpose"])]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:attachment_download", args=[self.pk])
