from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = "机构风采管理"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group, register_portal_link

        from .integrations import certificates, confirmation, profile, regulators  # noqa: F401

        register_admin_group("02", self.label)
        register_portal_link("capabilities", url_name="capabilities:search", title="谁能检")
