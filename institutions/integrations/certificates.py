"""Registrations for the certificates area of module 02 (imported by InstitutionsConfig.ready).

The certificate-expiry deadline (core deadlines, sujt/core/deadlines.py): every valid certificate's
expiry date, with reminders 6, 3 (the renewal deadline) and 1 month before it to the institution's
admins, in-site and by SMS, each once per expiry date (a renewed certificate with a new date gets a fresh
set; one first seen late gets only the most urgent). The daily job that marks certificates 过期 stays in
institutions.services.certificates, so the deadline has no overdue action.

Its to-do: every valid certificate expiring within 6 months, for members who manage the profile of its
institution, due at the renewal deadline (3 months before expiry), so its urgency says how close the last
day to apply for renewal is, not the expiry itself.

For regulators (their dashboard): the valid certificates in their region expiring within 3 months (the
renewal deadline), each opening its admin page, and 查看全部 the certificate list filtered the same way.
A certificate past its date stays "overdue" only until the nightly job marks it 过期.
"""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from sujt.accounts.parties import institution_admins
from sujt.core.deadlines import DeadlineOversight, DeadlineTodo, Offset, register_deadline

from ..choices import CertificateStatus
from ..models import Certificate
from ..selectors.confirmation import institutions_managed_by
from ..selectors.qualification import RENEWAL_MONTHS
from ..services.certificates import (
    REMINDER_MONTHS,
    certificate_url,
    reminder_message,
    renewal_deadline,
    renewal_todo_title,
)

MODULE_LABEL = "02 机构风采管理"
CERTIFICATE_DEADLINE = "institutions.certificate_expiry"


def expiring_certificates_admin_url() -> str:
    # ?expiry=3m is the certificate admin's 3个月内到期 filter: the same rows as the horizon below.
    return f"{reverse('admin:institutions_certificate_changelist')}?expiry={RENEWAL_MONTHS}m"


def valid_certificates() -> QuerySet[Certificate]:
    return Certificate.objects.filter(status=CertificateStatus.VALID).select_related("institution")


def certificates_to_renew_for(user) -> QuerySet[Certificate]:
    """The valid, unexpired certificates of the institutions whose profile `user` manages."""
    return valid_certificates().filter(
        institution_id__in=institutions_managed_by(user=user), expires_on__gte=timezone.localdate()
    )


register_deadline(
    CERTIFICATE_DEADLINE,
    label="资质认定证书到期",
    model=Certificate,
    due="expires_on",
    queryset=valid_certificates,
    reminders=[Offset(months=months) for months in REMINDER_MONTHS],
    recipients=lambda certificate: institution_admins(institution_id=certificate.institution_id),
    message=lambda certificate, offset, _due: reminder_message(certificate=certificate, months=offset.months),
    url=lambda _certificate: certificate_url(),
    sms=True,
    todo=DeadlineTodo(
        objects=certificates_to_renew_for,
        title=renewal_todo_title,
        module=MODULE_LABEL,
        due=lambda certificate: renewal_deadline(certificate.expires_on),
        owner=lambda certificate: certificate.institution.name,
    ),
    oversight=DeadlineOversight(
        region_field="institution__region_code",
        horizon=Offset(months=RENEWAL_MONTHS),
        title=lambda certificate: f"证书 {certificate.number}",
        owner=lambda certificate: certificate.institution.name,
        list_url=expiring_certificates_admin_url,
    ),
)
