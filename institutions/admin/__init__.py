"""Regulators' admin for module 02: institutions, their qualification data, IP, the error-report queue
and the sync runs, one module per area.

Every list is scoped to the regulator's region (RegionScopedAdmin; the province sees all) and keeps an
audit trail (HistoryAdmin). Importing the package registers every ModelAdmin; the names other code and
tests use are re-exported here.
"""

from .filters import (
    EXPIRY_CHOICES,
    EXPIRY_MONTHS,
    CalibrationFilter,
    CertificateExpiryFilter,
    CompletenessFilter,
    ConfirmedFilter,
    InstitutionCertificateExpiryFilter,
    InstitutionCityFilter,
    InstitutionFilter,
    InstitutionInJurisdictionMixin,
    TestingFieldFilter,
    attachment_link,
    certificate_expiry_q,
    changelist_url,
)
from .institution import (
    CertificateInline,
    EquipmentInline,
    InstitutionAdmin,
    InstitutionAdminForm,
    ListingFormSet,
    ListingInline,
    PersonnelInline,
    SignatoryInline,
    SiteInline,
)
from .qualification import (
    CapabilityAdmin,
    CertificateAdmin,
    EquipmentAdmin,
    InstitutionDataAdmin,
    InstitutionDataForm,
    PatentAdmin,
    PersonnelAdmin,
    SignatoryAdmin,
    SiteAdmin,
    SoftwareCopyrightAdmin,
    TrademarkAdmin,
)
from .reviews import ErrorReportAdmin
from .sync import SyncRunAdmin, sync_queue

__all__ = [
    "EXPIRY_CHOICES",
    "EXPIRY_MONTHS",
    "CalibrationFilter",
    "CapabilityAdmin",
    "CertificateAdmin",
    "CertificateExpiryFilter",
    "CertificateInline",
    "CompletenessFilter",
    "ConfirmedFilter",
    "EquipmentAdmin",
    "EquipmentInline",
    "ErrorReportAdmin",
    "InstitutionAdmin",
    "InstitutionAdminForm",
    "InstitutionCertificateExpiryFilter",
    "InstitutionCityFilter",
    "InstitutionDataAdmin",
    "InstitutionDataForm",
    "InstitutionFilter",
    "InstitutionInJurisdictionMixin",
    "ListingFormSet",
    "ListingInline",
    "PatentAdmin",
    "PersonnelAdmin",
    "PersonnelInline",
    "SignatoryAdmin",
    "SignatoryInline",
    "SiteAdmin",
    "SiteInline",
    "SoftwareCopyrightAdmin",
    "SyncRunAdmin",
    "TestingFieldFilter",
    "TrademarkAdmin",
    "attachment_link",
    "certificate_expiry_q",
    "changelist_url",
    "sync_queue",
]
