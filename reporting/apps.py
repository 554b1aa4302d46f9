from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "运营数据填报"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group, register_module

        from .integrations import deadlines, regulators  # noqa: F401
        from .selectors import has_center_reports

        register_admin_group("07", self.label)
        register_module("07", url_name="reporting:list", perm="fill_reports")
        register_module(
            "08", url_name="reporting:center_list", perm="fill_reports", available=has_center_reports
        )
