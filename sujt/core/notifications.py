"""In-site notifications and the SMS/email senders behind them.

`notify()` writes the in-site messages (the bell and the notification centre) and, when asked, queues an
SMS and/or an email per recipient once the transaction commits. SMS goes through the backend named by
settings.SMS_BACKEND: ConsoleSmsBackend (default), LogSmsBackend, LocmemSmsBackend (tests).
"""

import logging
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification
from .validators import mask_phone

logger = logging.getLogger(__name__)


# --- SMS senders -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    message: str


class BaseSmsBackend(ABC):
    """An SMS gateway. A production backend subclasses this and implements `send`."""

    @abstractmethod
    def send(self, *, phone: str, message: str) -> None:
        """Delivers one message; raises on failure so the task can retry."""


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints each message to standard output (development)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, *, phone: str, message: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"[短信] {phone}: {message}\n")
        stream.flush()


class LogSmsBackend(BaseSmsBackend):
    """Writes each message to the log, with the number masked."""

    def send(self, *, phone: str, message: str) -> None:
        logger.info("短信 → %s: %s", mask_phone(phone), message)


# The outbox LocmemSmsBackend appends to; tests read and clear it.
sms_outbox: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in the module-level `sms_outbox` list (tests)."""

    def send(self, *, phone: str, message: str) -> None:
        sms_outbox.append(SmsMessage(phone=phone, message=message))


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, message: str) -> None:
    """Sends one SMS now, through settings.SMS_BACKEND. Call it from a task, not from a request."""
    get_sms_backend().send(phone=phone, message=message)


def send_email(*, subject: str, message: str, recipient_list: list[str]) -> int:
    return send_mail(subject, message, None, recipient_list, fail_silently=False)


def sms_text(*, title: str, body: str = "") -> str:
    text = f"【{settings.SITE_SHORT_NAME}】{title}"
    return f"{text}：{body}" if body else text


# --- In-site notifications ---------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[Any],
    title: str,
    body: str = "",
    url: str = "",
    sms: bool = False,
    email: bool = False,
) -> list[Notification]:
    """Sends one in-site message to each active recipient (duplicates collapse), in bulk.

    With `sms`/`email`, also queues an SMS to each recipient's phone / an email to each address, after
    the surrounding transaction commits.
    """
    unique: dict[int, Any] = {}
    for user in recipients:
        if user is not None and user.is_active and user.pk not in unique:
            unique[user.pk] = user
    if not unique:
        return []
    now = timezone.now()
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            [
                Notification(recipient=user, title=title[:200], body=body, url=url[:500], created_at=now)
                for user in unique.values()
            ]
        )
        if sms:
            from .tasks import send_sms_task

            text = sms_text(title=title, body=body)
            for phone in sorted({user.phone for user in unique.values() if getattr(user, "phone", "")}):
                transaction.on_commit(lambda phone=phone: send_sms_task.delay(phone, text))
        if email:
            from .tasks import send_email_task

            addresses = sorted({user.email for user in unique.values() if getattr(user, "email", "")})
            if addresses:
                message = f"{body}\n\n{url}".strip() if url else body
                transaction.on_commit(lambda: send_email_task.delay(title, message or title, addresses))
    return created


def notifications_for(*, user: Any) -> QuerySet[Notification]:
    """The user's messages, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_mark_read(*, user: Any, pk: int) -> Notification:
    """Marks one of the user's messages read; another user's message is a 404."""
    notification = get_object_or_404(Notification, pk=pk, recipient=user)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    """Marks all the user's unread messages read; returns how many there were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
