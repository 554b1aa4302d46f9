from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = "中心建设"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group, register_module

        from .integrations import deadlines, public, regulators, reporting, todos  # noqa: F401
        from .selectors import centers_enabled

        register_admin_group("04", self.label)
        register_module(
            "04", url_name="centers:center_list", perm="manage_centers", available=centers_enabled
        )
