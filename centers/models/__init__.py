"""04 中心建设 (manual §四.4): national and provincial centers hosted by an institution, and the
institution's applications about them — 筹建申请, 任务书 (versioned; changes by 任务书变更申请), 进展报告,
验收申请 and the registration of a center approved outside the system.

Every state changes through the kit's engine (centers.workflows), called by centers.services; files are
core Attachments owned by the application, never public.
"""

from .acceptance import AcceptanceApplication, AcceptanceEvaluation
from .center import PERMISSION, REGION_FIELD, Center
from .construction import CenterRegistration, ConstructionApplication, PlannedEquipment
from .taskbook import ProgressEntry, ProgressReport, TaskBook, TaskIndicator

__all__ = [
    "PERMISSION",
    "REGION_FIELD",
    "AcceptanceApplication",
    "AcceptanceEvaluation",
    "Center",
    "CenterRegistration",
    "ConstructionApplication",
    "PlannedEquipment",
    "ProgressEntry",
    "ProgressReport",
    "TaskBook",
    "TaskIndicator",
]
