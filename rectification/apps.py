from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = "机构整改"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group, register_module

        from .integrations import deadlines, regulators  # noqa: F401

        register_admin_group("03", self.label)
        register_module("03", url_name="rectification:order_list", perm="handle_rectification")
