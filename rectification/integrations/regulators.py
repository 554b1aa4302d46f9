"""Module 03 for regulators: they record inspections (findings, penalties) and issue and decide
rectification orders in admin; submitted answers wait in their review queue (整改审核)."""

from sujt.core.registries import register_regulator_permissions, register_review_queue

from ..choices import OrderStatus
from ..models import REGION_FIELD, RectificationOrder

register_regulator_permissions(
    "rectification.view_inspection",
    "rectification.add_inspection",
    "rectification.change_inspection",
    "rectification.view_finding",
    "rectification.add_finding",
    "rectification.change_finding",
    "rectification.delete_finding",
    "rectification.view_penalty",
    "rectification.add_penalty",
    "rectification.change_penalty",
    "rectification.delete_penalty",
    "rectification.view_rectificationorder",
    "rectification.add_rectificationorder",
    "rectification.change_rectificationorder",
)

register_review_queue(
    "rectification.orders",
    model=RectificationOrder,
    label="整改审核",
    region_field=REGION_FIELD,
    pending={"status__exact": OrderStatus.SUBMITTED},
)
