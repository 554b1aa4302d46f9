"""The sub-navigation of module 02 (机构风采管理), shared by its workspace pages: the module's own pages
around the sections of institutions.sections, each under its one title."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from ..sections import SECTIONS


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    url: str
    active: bool


TABS: list[tuple[str, str, str]] = [
    ("overview", "概览", "institutions:overview"),
    ("profile", "完善信息", "institutions:profile_edit"),
    *((section.key, section.title, section.url_name) for section in SECTIONS),
    ("confirm", "确认机构信息", "institutions:confirm"),
]


def profile_tabs(active: str) -> list[Tab]:
    tabs = []
    for key, title, url_name in TABS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        tabs.append(Tab(key=key, title=title, url=url, active=key == active))
    return tabs
