"""证书核验: the public check of one CMA certificate by its number (no login, no personal data).

Anyone holding a report may check the certificate number printed on it: the page says whether the
certificate is in force, for which institution, who issued it, its field and its dates. A certificate of an
institution that is no longer public (撤销, 注销) is still found, because that is exactly what the reader
needs to know; only the link to the institution's public profile is left out. A row withdrawn in the
approval system (`withdrawn_at`, marked by the sync) is hidden here as everywhere else: not found.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..choices import CertificateStatus
from ..models import Certificate
from .public import _public
from .qualification import certificate_expiry_state

# The longest text looked at before stripping separators: a 12-digit number with a separator between every
# digit and spaces around it; anything longer is not a certificate number.
MAX_INPUT_LENGTH = 40
_SEPARATORS = re.compile(r"[\s\-]+")
_NUMBER = re.compile(r"[0-9]{12}")

# The columns the page reads: the certificate's own public data and the institution's name and status.
_COLUMNS = (
    "id",
    "number",
    "authority_code",
    "field_code",
    "issued_on",
    "expires_on",
    "status",
    "institution",
    "institution__name",
)


@dataclass(frozen=True)
class Verdict:
    code: str  # "valid", "suspended", "revoked", "cancelled" or "expired"
    label: str
    css: str  # the badge class


_VERDICTS = {
    CertificateStatus.VALID: Verdict("valid", "有效", "badge-success"),
    CertificateStatus.SUSPENDED: Verdict("suspended", "暂停", "badge-warning"),
    CertificateStatus.REVOKED: Verdict("revoked", "撤销", "badge-danger"),
    CertificateStatus.CANCELLED: Verdict("cancelled", "注销", "badge-muted"),
}
_EXPIRED = Verdict("expired", "已过期", "badge-danger")


def normalize_certificate_number(raw: str | None) -> str | None:
    """The 12 ASCII digits of a typed number, or None when it is not one. Full-width digits and hyphens
    are read as their ASCII forms; spaces and hyphens anywhere are dropped."""
    if not raw or len(raw) > MAX_INPUT_LENGTH:
        return None
    number = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    return number if _NUMBER.fullmatch(number) else None


def certificate_verdict(certificate: Certificate, *, today: datetime.date | None = None) -> Verdict:
    """What the page answers. 撤销 and 注销 end a certificate whatever its dates, so they are said first;
    otherwise a certificate the expiry rule (certificate_expiry_state) calls expired is 已过期, even if it
    was still marked valid or suspended; else its status."""
    if certificate.status in (CertificateStatus.REVOKED, CertificateStatus.CANCELLED):
        return _VERDICTS[certificate.status]
    if certificate_expiry_state(certificate, today=today) == "expired":
        return _EXPIRED
    return _VERDICTS.get(certificate.status, _EXPIRED)


def certificate_for_verification(*, number: str) -> Certificate | None:
    """The certificate numbered `number` (12 digits, already normalised), or None: unknown, withdrawn in
    the approval system, or not a number at all. The row carries `institution_is_public` (its
    institution has a public profile) and `verdict` (certificate_verdict as of today)."""
    if not _NUMBER.fullmatch(number or ""):
        return None
    certificate = (
        Certificate.objects.filter(number=number, withdrawn_at__isnull=True)
        .select_related("institution")
        .only(*_COLUMNS)
        .annotate(institution_is_public=Exists(_public().filter(pk=OuterRef("institution_id"))))
        .first()
    )
    if certificate is not None:
        certificate.verdict = certificate_verdict(certificate, today=timezone.localdate())
    return certificate
