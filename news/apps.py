from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "新闻资讯发布"

    def ready(self) -> None:
        from sujt.core.modules import register_admin_group, register_module, register_portal_link

        from . import signals  # noqa: F401
        from .integrations import events, profile, regulators, todos  # noqa: F401

        register_admin_group("06", self.label)
        register_module("06", url_name="news:submission_list", perm="submit_news")
        register_portal_link("news", url_name="news:news_list")
        register_portal_link("laws", url_name="news:laws_list")
        register_portal_link("notices", url_name="news:notices_list")
