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
from django.utils.functional import classproperty
from django.utils.translation import gettext_lazy as _

from .choices import AttachmentKind, EventDeliveryStatus, ReviewNoticeMode, ReviewStatus


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


# --- Review workflow ---------------------------------------------------------------------------------


class Reviewable(models.Model):
    """A submission that goes through a declared workflow: by default the common review (draft →
    submitted → approved | returned | rejected, REVIEW_WORKFLOW).

    Change the status only through `sujt.core.workflow.transition` or its review wrappers (conditional
    updates, logged, notified). A concrete subclass has an `institution` foreign key and a `__str__`; it
    may override `review_institution` when the institution is reached another way. A model with its own
    lifecycle sets `workflow = <its Workflow>` and redeclares `status` with that workflow's choices.
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

    @classproperty
    def workflow(cls) -> Any:
        """The declared workflow (sujt.core.workflow.Workflow); a subclass assigns its own."""
        from .workflow import REVIEW_WORKFLOW

        return REVIEW_WORKFLOW

    @property
    def review_institution(self) -> Any:
        """The institution on whose behalf this was submitted (the "institution side")."""
        return self.institution

    @property
    def is_editable_by_institution(self) -> bool:
        """The workflow's editable states (for the common review: drafts and returned submissions)."""
        return self.workflow.is_editable(self.status)


class ReviewTransition(models.Model):
    """The transition log: one row per status change of any reviewable object."""

    content_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    content_object = GenericForeignKey("content_type", "object_id")
    # Any declared workflow's states, so no choices here: the workflow of the object's model labels them.
    from_status = models.CharField(_("原状态"), max_length=20)
    to_status = models.CharField(_("新状态"), max_length=20)
    action = models.CharField(_("操作"), max_length=30, blank=True)
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

    def _workflow(self) -> Any:
        """The declared workflow of the logged object's model (None when its model is gone)."""
        from .workflow import workflow_of

        model = ContentType.objects.get_for_id(self.content_type_id).model_class()  # cached: no query
        return workflow_of(model) if model is not None and hasattr(model, "workflow") else None

    def _state_label(self, state: str) -> str:
        workflow = self._workflow()
        return workflow.label(state) if workflow is not None else state

    def get_from_status_display(self) -> str:
        return self._state_label(self.from_status)

    def get_to_status_display(self) -> str:
        return self._state_label(self.to_status)

    def _declared(self) -> Any:
        workflow = self._workflow()
        if workflow is None:
            return None
        return workflow.find(source=self.from_status, target=self.to_status, action=self.action)

    def get_action_display(self) -> str:
        declared = self._declared()
        return declared.label if declared is not None else self.action

    @property
    def side(self) -> str:
        """Who took it (a workflow Side value: institution, city, province, system); "" if undeclared."""
        declared = self._declared()
        return declared.side if declared is not None else ""


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


class NotificationPreference(models.Model):
    """A user's choice of how review work reaches them; no row means immediate messages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    review_mode = models.CharField(
        _("待审核事项通知方式"),
        max_length=10,
        choices=ReviewNoticeMode.choices,
        default=ReviewNoticeMode.IMMEDIATE,
    )

    class Meta:
        verbose_name = verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_review_mode_display()}"


class DigestItem(models.Model):
    """A message held for a user's daily digest instead of being sent on its own."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("产生时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("汇总发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("待汇总消息")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "recipient", "created_at"])]

    def __str__(self) -> str:
        return self.title


# --- Deadlines ---------------------------------------------------------------------------------------


class DeadlineNotice(models.Model):
    """One thing a deadline did for one object and one due date: a reminder step or the overdue action.

    The unique key is what makes the scheduled job idempotent: a step is done once per due date, and a
    moved due date starts its reminders afresh.
    """

    deadline = models.CharField(_("期限类型"), max_length=80)
    content_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    due_on = models.DateField(_("到期日"))
    step = models.CharField(_("环节"), max_length=20, help_text=_("如 remind-7d、remind-3m、overdue。"))
    done_at = models.DateTimeField(_("执行时间"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("期限提醒记录")
        ordering = ["-done_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "content_type", "object_id", "due_on", "step"], name="deadline_step_once"
            )
        ]
        indexes = [
            models.Index(fields=["deadline", "-done_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.deadline} #{self.object_id} {self.step}"


# --- Domain events (outbox) --------------------------------------------------------------------------


class DomainEvent(models.Model):
    """Something a module did that others may react to, recorded in the transaction that did it."""

    kind = models.CharField(_("事件类型"), max_length=80, db_index=True)
    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    # A plain id: core knows no institution model.
    institution_id = models.PositiveBigIntegerField(_("机构编号"), null=True, blank=True, db_index=True)
    source_type = models.ForeignKey(
        ContentType,
        verbose_name=_("来源对象类型"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source_id = models.PositiveBigIntegerField(_("来源对象编号"), null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("发生时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("领域事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at"]), models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return f"{self.kind} · {self.key}"


class EventDelivery(models.Model):
    """One subscribed handler's run of one event: done once, retried until it succeeds or gives up."""

    event = models.ForeignKey(
        DomainEvent, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="deliveries"
    )
    handler = models.CharField(_("处理程序"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=EventDeliveryStatus.choices, default=EventDeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("事件处理")
        ordering = ["event_id", "handler"]
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="event_handler_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.handler}"


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
