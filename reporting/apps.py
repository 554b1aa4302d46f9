from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "运营数据填报"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group

        register_admin_group("07", self.label)
