import axes.apps
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    # This module holds two AppConfigs: Django picks the one marked default for "sujt.accounts" (without
    # the mark it would fall back to a bare AppConfig and ready() below would never run).
    default = True
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


class AxesConfig(axes.apps.AppConfig):
    """django-axes under a Chinese name: axes has no Chinese translation, and its app name shows in admin
    (permission names, breadcrumbs) as "Axes". Listed in INSTALLED_APPS instead of "axes"."""

    default = False
    verbose_name = "登录保护"
