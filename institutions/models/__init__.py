from .institution import Institution, InstitutionField
from .ip import Patent, SoftwareCopyright, Trademark
from .qualification import Capability, Certificate, Equipment, Personnel, Signatory, Site
from .review import ErrorReport
from .search import CapabilitySearch, InstitutionSearchTerm
from .sync import SyncRun, SyncState

__all__ = [
    "Capability",
    "CapabilitySearch",
    "Certificate",
    "Equipment",
    "ErrorReport",
    "Institution",
    "InstitutionField",
    "InstitutionSearchTerm",
    "Patent",
    "Personnel",
    "Signatory",
    "Site",
    "SoftwareCopyright",
    "SyncRun",
    "SyncState",
    "Trademark",
]
