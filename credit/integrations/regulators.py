"""Module 05 for regulators: they read the point table and the policy (the province edits them), the
ledger and the scores of their region, and add manual entries with a reason; they review the
institutions' 加分申请, 申疑 and 修复 (the review decisions need change)."""

from sujt.core.choices import ReviewStatus
from sujt.core.registries import register_regulator_permissions, register_review_queue

from ..models import BonusApplication, CreditObjection, CreditRepair

register_regulator_permissions(
    "credit.view_credititem",
    "credit.add_credititem",
    "credit.change_credititem",
    "credit.view_creditpolicy",
    "credit.change_creditpolicy",
    "credit.view_creditevent",
    "credit.add_creditevent",
    "credit.view_creditscore",
    "credit.view_commitmentletter",
    "credit.view_bonusapplication",
    "credit.change_bonusapplication",
    "credit.view_creditobjection",
    "credit.change_creditobjection",
    "credit.view_creditrepair",
    "credit.change_creditrepair",
)

for key, model, label in (
    ("credit.bonus_applications", BonusApplication, "加分审核"),
    ("credit.objections", CreditObjection, "申疑审核"),
    ("credit.repairs", CreditRepair, "修复审核"),
):
    register_review_queue(
        key,
        model=model,
        label=label,
        region_field="institution__region_code",
        pending={"status__exact": ReviewStatus.SUBMITTED},
    )
