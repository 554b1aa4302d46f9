"""Writes of the institution profile (完善信息): fields, testing fields, logo and certificate scan."""

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from sujt.core.attachments import AttachmentRule, attachment_replace, attachments_remove
from sujt.core.audit import acting_as
from sujt.core.choices import AttachmentKind, TestingField

from ..models import Institution, InstitutionField
from ..selectors.public import LOGO_PURPOSE
from .completeness import completeness_recalculate

# The 完善信息 fields an institution may change; everything else comes from the approval system.
PROFILE_FIELDS = (
    "is_high_tech",
    "high_tech_obtained_on",
    "legal_person_type",
    "unit_type",
    "supervising_department",
    "ownership",
    "is_listed",
    "listed_market",
    "stock_code",
    "investor_type",
    "business_scope",
)
HIGH_TECH_CERTIFICATE_PURPOSE = "high_tech_certificate"
# Re-encoded: the logo is shown to anyone on the institution's public page.
LOGO = AttachmentRule(
    purpose=LOGO_PURPOSE, kinds=(AttachmentKind.IMAGE,), max_bytes=2 * 1024 * 1024, reencode=True
)
HIGH_TECH_CERTIFICATE = AttachmentRule(
    purpose=HIGH_TECH_CERTIFICATE_PURPOSE, kinds=(AttachmentKind.IMAGE, AttachmentKind.PDF)
)

# Validated when saving: the profile's own fields (and the upload links); synced basic info is not the
# institution's to correct here, so an odd synced value never blocks saving 完善信息.
_VALIDATED = {*PROFILE_FIELDS, "logo", "high_tech_certificate"}


def _fields_sync(*, institution: Institution, codes: list[str]) -> None:
    wanted = {code for code in codes if code in TestingField.values}
    existing = {field.code: field for field in InstitutionField.objects.filter(institution=institution)}
    for code, field in existing.items():
        if code not in wanted:
            field.delete()  # one by one: each removal gets its history row
    for code in sorted(wanted - existing.keys()):
        InstitutionField.objects.create(institution=institution, code=code)


def profile_update(
    *,
    institution: Institution,
    by: Any,
    data: dict[str, Any],
    logo: UploadedFile | None = None,
    high_tech_certificate: UploadedFile | None = None,
) -> Institution:
    """Saves 完善信息 of `institution` as `by`, in one transaction, and recalculates its completeness.

    `data` holds values of PROFILE_FIELDS (missing keys are left unchanged) and optionally "fields", the
    testing-field codes the institution declares (replacing the previous set). A new `logo` or
    `high_tech_certificate` upload becomes an attachment of the institution and replaces the previous one;
    answering 否 to 高新技术企业 removes the scan and the date, 否 to 上市公司 the market and stock code.
    Raises ValidationError (nothing saved) when a rule of `Institution.clean()` is broken.
    """
    with transaction.atomic(), acting_as(by):
        current = Institution.objects.select_for_update().get(pk=institution.pk)
        for name in PROFILE_FIELDS:
            if name in data:
                setattr(current, name, data[name])
        if logo is not None:
            current.logo = attachment_replace(owner=current, rule=LOGO, file=logo, by=by)
        if current.is_high_tech is False:
            current.high_tech_obtained_on = None
            current.high_tech_certificate = None
            attachments_remove(owner=current, purpose=HIGH_TECH_CERTIFICATE_PURPOSE)
        elif high_tech_certificate is not None:
            current.high_tech_certificate = attachment_replace(
                owner=current, rule=HIGH_TECH_CERTIFICATE, file=high_tech_certificate, by=by
            )
        if current.is_listed is False:
            current.listed_market = ""
            current.stock_code = ""
        exclude = [field.name for field in Institution._meta.fields if field.name not in _VALIDATED]
        current.full_clean(exclude=exclude, validate_unique=False)
        current.save()
        if "fields" in data:
            _fields_sync(institution=current, codes=list(data["fields"]))
        completeness_recalculate(institution_id=current.pk)
    current.refresh_from_db()
    return current
