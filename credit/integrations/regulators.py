"""Module 05 for regulators: they read the point table and the policy (the province edits them), the
ledger and the scores of their region, and add manual entries with a reason."""

from sujt.core.registries import register_regulator_permissions

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
)
