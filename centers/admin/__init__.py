"""The regulators' admin of module 04 (centers.admin.centers: the centers; centers.admin.applications: the
review queues)."""

from .applications import (
    AcceptanceApplicationAdmin,
    CenterRegistrationAdmin,
    ConstructionApplicationAdmin,
    ProgressReportAdmin,
    TaskBookAdmin,
)
from .centers import CenterAdmin

__all__ = [
    "AcceptanceApplicationAdmin",
    "CenterAdmin",
    "CenterRegistrationAdmin",
    "ConstructionApplicationAdmin",
    "ProgressReportAdmin",
    "TaskBookAdmin",
]
