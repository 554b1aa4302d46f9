from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sujt.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import deadlines  # noqa: F401 (registers the deadlines' to-do provider)
        from .middleware import session_mark_seen
        from .modules import register_admin_group

        register_admin_group("system", self.label)

        # A fresh login is a save of the session already; stamping it there spares the next request a write.
        user_logged_in.connect(session_mark_seen, dispatch_uid="core_session_mark_seen")
