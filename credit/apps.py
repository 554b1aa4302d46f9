from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = "信用管理"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group

        register_admin_group("05", self.label)
