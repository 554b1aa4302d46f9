from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = "中心建设"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group

        register_admin_group("04", self.label)
