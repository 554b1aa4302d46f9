"""What regulators may see of accounts in admin (the user list of their region, login events)."""

from sujt.core.registries import register_regulator_permissions

register_regulator_permissions(
    "accounts.view_user",
    "accounts.view_membership",
    "accounts.view_regulator",
    "accounts.view_loginevent",
)
