from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sujt.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        # parties registers the review workflow's party resolver with core.
        from . import parties, signals  # noqa: F401
