from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sujt.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        # parties registers the review workflow's party resolver with core (imported for that).
        from django.db.models.signals import post_migrate

        from sujt.core.modules import register_admin_group

        from . import (
            parties,  # noqa: F401
            signals,
        )
        from .integrations import invitations, regulators  # noqa: F401

        # Django's groups, guardian's object permissions and axes' lockouts are account matters too.
        register_admin_group("accounts", self.label, "auth", "guardian", "axes")

        post_migrate.connect(signals.refresh_regulator_group, dispatch_uid="accounts_refresh_regulator_group")
