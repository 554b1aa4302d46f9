from .institution import Institution, InstitutionField
from .ip import Patent, SoftwareCopyright, Trademark
from .qualification import Capability, Certificate, CertificateReminder, Equipment, Personnel, Signatory, Site
from .review import ErrorReport
from .sync import SyncRun, SyncState

__all__ = [
    "Capability",
    "Certificate",
    "CertificateReminder",
    "Equipment",
    "ErrorReport",
    "Institution",
    "InstitutionField",
    "Patent",
    "Personnel",
    "Signatory",
    "Site",
    "SoftwareCopyright",
    "SyncRun",
    "SyncState",
    "Trademark",
]
