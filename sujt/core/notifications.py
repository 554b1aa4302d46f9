"""In-site notifications and the SMS/email senders behind them.

`notify()` writes the in-site messages (the bell and the notification centre) and, when asked, queues an
SMS and/or an email per recipient once the transaction commits. Every SMS goes through `sms_queue`, which
holds the per-phone and per-sender limits. SMS goes through the backend named by
settings.SMS_BACKEND: ConsoleSmsBackend (default), LogSmsBackend, LocmemSmsBackend (tests).
"""

import logging
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.module_loading import import_string

from .choices import ReviewNoticeMode
from .models import DigestItem, Notification, NotificationPreference
from .ratelimit import limit_take
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


def sms_queue(*, phone: str, message: str, by: Any = None, strict: bool = True) -> bool:
    """Queues one SMS to `phone`, sent once the surrounding transaction commits, within settings.SMS_LIMITS
    per target phone and per acting user (`by`; None for the system).

    Over a limit nothing is queued: with `strict` (an action a person asked for) a Chinese ValidationError
    says which limit and when to retry, so the service's transaction rolls back and the action is refused
    whole; otherwise (reminders, notices) the SMS is skipped, logged, and False returned.
    """
    refusal = limit_take(scope="sms-phone", key=phone, limits=settings.SMS_LIMITS["phone"])
    if refusal is not None:
        reason = (
            f"发送到{mask_phone(phone)}的短信已达上限（{refusal.period_label}最多{refusal.count}条），"
            f"请{refusal.retry_label}后再试。"
        )
    elif getattr(by, "pk", None):
        refusal = limit_take(scope="sms-sender", key=str(by.pk), limits=settings.SMS_LIMITS["sender"])
        reason = (
            f"您触发短信的操作过于频繁（{refusal.period_label}最多{refusal.count}条），请{refusal.retry_label}后再试。"
            if refusal is not None
            else ""
        )
    if refusal is not None:
        if strict:
            raise ValidationError(reason, code="sms_limit")
        logger.warning("短信未发送（超过频率限制）→ %s: %s", mask_phone(phone), reason)
        return False
    from .tasks import send_sms_task

    transaction.on_commit(lambda: send_sms_task.delay(phone, message))
    return True


def send_email(*, subject: str, message: str, recipient_list: list[str]) -> int:
    return send_mail(subject, message, None, recipient_list, fail_silently=False)


def sms_text(*, title: str, body: str = "") -> str:
    text = f"【{settings.SITE_SHORT_NAME}】{title}"
    return f"{text}：{body}" if body else text


# --- In-site notifications ---------------------------------------------------------------------------


def _active_unique(recipients: Iterable[Any]) -> dict[int, Any]:
    """The active users among `recipients`, each once, by primary key."""
    unique: dict[int, Any] = {}
    for user in recipients:
        if user is not None and user.is_active and user.pk not in unique:
            unique[user.pk] = user
    return unique


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
    unique = _active_unique(recipients)
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
            text = sms_text(title=title, body=body)
            for phone in sorted({user.phone for user in unique.values() if getattr(user, "phone", "")}):
                sms_queue(phone=phone, message=text, strict=False)
        if email:
            from .tasks import send_email_task

            addresses = sorted({user.email for user in unique.values() if getattr(user, "email", "")})
            if addresses:
                message = f"{body}\n\n{url}".strip() if url else body
                transaction.on_commit(lambda: send_email_task.delay(title, message or title, addresses))
    return created


# --- Review work: at once, or in a daily digest --------------------------------------------------------

DIGEST_TITLE = "待审核事项汇总（%(count)d 项）"
DIGEST_INTRO = "以下事项等待您审核（按提交时间排列）："


def review_notify(*, recipients: Iterable[Any], title: str, body: str = "", url: str = "") -> int:
    """Tells regulators of review work waiting for them: one in-site message each now, except for those
    who chose the daily digest (NotificationPreference.review_mode), whose entry waits as a DigestItem for
    `review_digest_send`. Returns how many people were told either way. Institutions' messages never go
    through here: they are always immediate (`notify`)."""
    unique = _active_unique(recipients)
    if not unique:
        return 0
    digest = set(
        NotificationPreference.objects.filter(
            user_id__in=list(unique), review_mode=ReviewNoticeMode.DIGEST
        ).values_list("user_id", flat=True)
    )
    now = timezone.now()
    with transaction.atomic():
        DigestItem.objects.bulk_create(
            [
                DigestItem(recipient=user, title=title[:200], body=body, url=url[:500], created_at=now)
                for pk, user in unique.items()
                if pk in digest
            ]
        )
        immediate = [user for pk, user in unique.items() if pk not in digest]
        sent = notify(recipients=immediate, title=title, body=body, url=url)
    return len(sent) + len(digest)


def review_digest_send(*, now: Any = None) -> int:
    """Sends each regulator one in-site message listing their digest entries up to `now` (title and link
    of each) and marks them sent. Safe to run any number of times: an entry goes out once, and a run
    that finds nothing pending sends nothing. Returns the number of digest messages sent."""
    now = now or timezone.now()
    pending = DigestItem.objects.filter(sent_at__isnull=True, created_at__lte=now)
    recipient_ids = sorted(set(pending.order_by().values_list("recipient_id", flat=True)))
    sent = 0
    for recipient_id in recipient_ids:
        with transaction.atomic():
            # The row locks make a concurrent run wait, then find these entries already sent.
            mine = pending.filter(recipient_id=recipient_id).select_for_update()
            items = list(mine.order_by("created_at", "id"))
            if not items:
                continue
            DigestItem.objects.filter(pk__in=[item.pk for item in items]).update(sent_at=now)
            lines = [DIGEST_INTRO]
            for number, item in enumerate(items, start=1):
                lines.append(f"{number}. {item.title}" + (f"（{item.url}）" if item.url else ""))
            if notify(
                recipients=[items[0].recipient],
                title=DIGEST_TITLE % {"count": len(items)},
                body="\n".join(lines),
            ):
                sent += 1
    return sent


def review_mode_of(*, user: Any) -> str:
    """How review work reaches `user` (ReviewNoticeMode); immediate unless they chose otherwise."""
    mode = NotificationPreference.objects.filter(user=user).values_list("review_mode", flat=True).first()
    return mode or ReviewNoticeMode.IMMEDIATE


def notification_preference_set(*, user: Any, review_mode: str) -> NotificationPreference:
    """Stores how review work reaches `user`. Entries already held for a digest still go out with the
    next digest after a switch to immediate messages."""
    if review_mode not in ReviewNoticeMode.values:
        raise ValidationError({"review_mode": "请选择通知方式。"}, code="invalid_choice")
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"review_mode": review_mode}
    )
    return preference


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
