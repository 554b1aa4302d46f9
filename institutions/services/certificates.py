"""Certificate expiry (资质认定证书到期): renewal deadline, reminder texts, the daily expiry job.

A CMA certificate is valid 6 years; renewal (复查换证) must be applied for at least 3 months before it
expires (DESIGN §7). The deadline itself (reminders 6, 3 and 1 months before expiry, in-site and by SMS,
each once per expiry date; the renewal to-do due at the renewal deadline) is declared with the core
deadlines in institutions/integrations/certificates.py. Here:

- the renewal deadline and the reminder texts the declaration uses;
- the daily job that turns valid certificates past their expiry date into 过期 with a conditional UPDATE,
  writes their history rows as the system user and recomputes the completeness of their institutions.
  It stays a job of its own rather than the deadline's overdue action: it runs just after midnight, in
  batches of UPDATEs, and recomputes each institution once per run.
"""

from datetime import date

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sujt.core.audit import system_user
from sujt.core.dates import add_months, format_date

from ..choices import CertificateStatus
from ..models import Certificate
from ..selectors.qualification import RENEWAL_MONTHS
from .completeness import completeness_recalculate

# Months before expiry at which the admins are reminded, most distant first.
REMINDER_MONTHS: tuple[int, ...] = (6, 3, 1)
# Certificates expiring within this many months are shown as to-dos (from the first reminder on).
TO_DO_HORIZON_MONTHS = max(REMINDER_MONTHS)
# How many certificates the expiry job changes per UPDATE.
EXPIRE_BATCH_SIZE = 500

EXPIRED_REASON = "有效期届满，系统自动将状态变更为过期"


def renewal_deadline(expires_on: date) -> date:
    """The last day to apply for renewal: 3 months before expiry."""
    return add_months(expires_on, -RENEWAL_MONTHS)


def certificate_url() -> str:
    # The certificate list; the confirmation page also lists certificates.
    for name in ("institutions:certificate_list", "institutions:confirm"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def renewal_todo_title(certificate: Certificate) -> str:
    """The renewal to-do's text. The dashboard adds the renewal deadline (还剩 N 天（截止 …）, or 已逾期 N 天
    once it has passed), so the text names no date to apply before."""
    return (
        f"资质认定证书 {certificate.number} 将于 {format_date(certificate.expires_on)} 到期，"
        "请在续期申请截止日前申请复查换证"
    )


# --- Reminder texts ----------------------------------------------------------------------------------


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
