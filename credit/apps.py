from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = "信用管理"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group, register_module

        from .integrations import checklist, events, public, regulators  # noqa: F401
        from .services import credit_applies

        register_admin_group("05", self.label)
        register_module("05", url_name="credit:home", perm="manage_credit", available=credit_applies)
