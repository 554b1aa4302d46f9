from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sujt.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from . import signals  # noqa: F401
        from . import parties  # noqa: F401  (registers the review workflow's party resolver)
