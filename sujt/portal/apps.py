from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sujt.portal"
    label = "portal"
    verbose_name = "门户与工作台"

    def ready(self) -> None:
        from sujt.core.modules import register_module, register_portal_link, register_system_entry
        from sujt.core.todos import register_checklist_provider

        from . import signals  # noqa: F401
        from .checklist import foundation_checklist

        register_module("01", url_name="portal:dashboard")
        register_system_entry("users", title="用户管理", url_name="accounts:user_list", perm="manage_users")
        register_portal_link("home", url_name="portal:home")
        register_portal_link("directory", url_name="institutions:directory")
        register_checklist_provider(foundation_checklist)
