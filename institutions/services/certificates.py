"""Certificate expiry (资质认定证书到期): renewal to-dos, reminders before expiry, the daily expiry job.

A CMA certificate is valid 6 years; renewal (复查换证) must be applied for at least 3 months before it
expires (DESIGN §7). So:

- a to-do appears for every valid certificate expiring within 6 months; its due date is the renewal
  deadline (3 months before expiry), which makes it 临近 / 逾期 when the deadline comes close or passes
  while the certificate itself is still valid;
- the institution's admins get an in-site message and an SMS once per threshold: 6 months, 3 months (the
  renewal deadline, 续期申请截止) and 1 month before expiry. A CertificateReminder row per (certificate,
  threshold, expiry date) makes this idempotent; a renewed certificate with a new expiry date gets a
  fresh set. A certificate first seen late gets only the most urgent threshold reached, not a burst;
- a daily job turns valid certificates past their expiry date into 过期 with a conditional UPDATE,
  writes their history rows as the system user and recomputes the completeness of their institutions.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sujt.accounts.parties import institution_admins
from sujt.core.audit import system_user
from sujt.core.dates import format_date
from sujt.core.notifications import notify

from ..choices import CertificateStatus
from ..models import Certificate, CertificateReminder
from ..selectors.qualification import RENEWAL_MONTHS, add_months
from .completeness import completeness_recalculate

# Months before expiry at which the admins are reminded, most distant first.
REMINDER_MONTHS: tuple[int, ...] = (6, 3, 1)
# Certificates expiring within this many months are shown as to-dos.
TO_DO_HORIZON_MONTHS = 6
# How many certificates the expiry job changes per UPDATE.
EXPIRE_BATCH_SIZE = 500

EXPIRED_REASON = "有效期届满，系统自动将状态变更为过期"


def renewal_deadline(expires_on: date) -> date:
    """The last day to apply for renewal: 3 months before expiry."""
    return add_months(expires_on, -RENEWAL_MONTHS)


def reminder_due(*, expires_on: date, today: date) -> int | None:
    """The most urgent reminder threshold reached on `today` (1, 3 or 6), None before 6 months or once
    the certificate has expired."""
    if expires_on < today:
        return None
    for months in sorted(REMINDER_MONTHS):
        if today >= add_months(expires_on, -months):
            return months
    return None


def _certificate_url() -> str:
    # The certificate list (built beside this module); the confirmation page also lists certificates.
    for name in ("institutions:certificate_list", "institutions:confirm"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


# --- To-dos ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringCertificate:
    certificate: Certificate
    renewal_deadline: date
    url: str

    @property
    def title(self) -> str:
        cert = self.certificate
        return (
            f"资质认定证书 {cert.number} 将于 {format_date(cert.expires_on)} 到期，"
            f"请在 {format_date(self.renewal_deadline)}（续期申请截止）前申请复查换证"
        )


def certificates_expiring(*, institution_ids, today: date | None = None) -> QuerySet[Certificate]:
    """Valid, unexpired certificates of the institutions expiring within TO_DO_HORIZON_MONTHS months."""
    today = today or timezone.localdate()
    return (
        Certificate.objects.filter(
            institution_id__in=institution_ids,
            status=CertificateStatus.VALID,
            expires_on__gte=today,
            expires_on__lte=add_months(today, TO_DO_HORIZON_MONTHS),
        )
        .select_related("institution")
        .order_by("expires_on", "number")
    )


def expiring_certificates_for(*, institution_ids, today: date | None = None) -> list[ExpiringCertificate]:
    """The renewal to-dos: each expiring certificate with its renewal deadline (the to-do's due date)."""
    url = _certificate_url()
    return [
        ExpiringCertificate(certificate=cert, renewal_deadline=renewal_deadline(cert.expires_on), url=url)
        for cert in certificates_expiring(institution_ids=institution_ids, today=today)
    ]


# --- Reminders ---------------------------------------------------------------------------------------


def reminder_message(*, certificate: Certificate, months: int) -> tuple[str, str]:
    """(title, body) of the reminder at `months` before expiry."""
    deadline = format_date(renewal_deadline(certificate.expires_on))
    who = certificate.institution.name
    expires = format_date(certificate.expires_on)
    if months == RENEWAL_MONTHS:
        title = f"资质认定证书续期申请截止提醒：{certificate.number}"
        body = (
            f"{who}的资质认定证书（编号 {certificate.number}）将于 {expires} 到期，"
            f"{deadline} 为复查换证（续期）申请截止日期，请立即向发证机关提交申请。"
        )
    elif months < RENEWAL_MONTHS:
        title = f"资质认定证书即将到期：{certificate.number}"
        body = (
            f"{who}的资质认定证书（编号 {certificate.number}）将于 {expires} 到期，"
            f"续期申请截止日期（{deadline}）已过。如尚未申请复查换证，请尽快联系发证机关；"
            "证书到期后将不能继续使用资质认定标志出具报告。"
        )
    else:
        title = f"资质认定证书到期提醒：{certificate.number}"
        body = (
            f"{who}的资质认定证书（编号 {certificate.number}）将于 {expires} 到期。"
            f"请在 {deadline}（有效期届满前{RENEWAL_MONTHS}个月）前向发证机关提出复查换证申请。"
        )
    return title, body


def certificate_reminder_send(*, certificate: Certificate, months: int) -> bool:
    """Sends the `months`-before-expiry reminder of the certificate's current expiry date, once.

    Returns False when it had already been sent.
    """
    with transaction.atomic():
        _reminder, created = CertificateReminder.objects.get_or_create(
            certificate=certificate, months_before=months, expires_on=certificate.expires_on
        )
        if not created:
            return False
        title, body = reminder_message(certificate=certificate, months=months)
        notify(
            recipients=institution_admins(institution_id=certificate.institution_id),
            title=title,
            body=body,
            url=_certificate_url(),
            sms=True,
        )
    return True


def certificate_reminders_send(*, today: date | None = None) -> int:
    """Sends every reminder due on `today` that has not been sent; returns how many were sent."""
    today = today or timezone.localdate()
    candidates = (
        Certificate.objects.filter(
            status=CertificateStatus.VALID,
            expires_on__gte=today,
            expires_on__lte=add_months(today, max(REMINDER_MONTHS)),
        )
        .select_related("institution")
        .order_by("expires_on", "pk")
    )
    sent = 0
    for certificate in candidates.iterator(chunk_size=500):
        months = reminder_due(expires_on=certificate.expires_on, today=today)
        if months is not None and certificate_reminder_send(certificate=certificate, months=months):
            sent += 1
    return sent


# --- The expiry job ----------------------------------------------------------------------------------


def _expire_batch(*, today: date, actor) -> tuple[int, set[int]]:
    with transaction.atomic():
        ids = list(
            Certificate.objects.select_for_update()
            .filter(status=CertificateStatus.VALID, expires_on__lt=today)
            .order_by("pk")
            .values_list("pk", flat=True)[:EXPIRE_BATCH_SIZE]
        )
        if not ids:
            return 0, set()
        changed = Certificate.objects.filter(
            pk__in=ids, status=CertificateStatus.VALID, expires_on__lt=today
        ).update(status=CertificateStatus.EXPIRED, updated_at=timezone.now())
        expired = list(Certificate.objects.filter(pk__in=ids, status=CertificateStatus.EXPIRED))
        # A queryset UPDATE bypasses simple-history's signals: the history rows are written here.
        Certificate.history.bulk_history_create(
            expired, update=True, default_user=actor, default_change_reason=EXPIRED_REASON
        )
    return changed, {cert.institution_id for cert in expired}


def certificates_expire(*, today: date | None = None) -> int:
    """Sets 过期 on valid certificates whose expiry date is before `today`; returns how many changed.

    Each change is a conditional UPDATE on the valid state (a certificate a regulator suspended meanwhile
    is left alone); history rows name the system user; the completeness of each affected institution is
    recomputed afterwards (a valid certificate is one of its items).
    """
    today = today or timezone.localdate()
    actor = system_user()
    total = 0
    institution_ids: set[int] = set()
    while True:
        changed, affected = _expire_batch(today=today, actor=actor)
        if not changed:
            break
        total += changed
        institution_ids |= affected
    for institution_id in sorted(institution_ids):
        completeness_recalculate(institution_id=institution_id)
    return total
