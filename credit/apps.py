from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = "信用管理"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group

        from .integrations import events, regulators  # noqa: F401

        register_admin_group("05", self.label)
