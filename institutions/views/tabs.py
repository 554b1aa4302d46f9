"""The sub-navigation of module 02 (机构风采管理), shared by its workspace pages."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    url: str
    active: bool


TABS: list[tuple[str, str, str]] = [
    ("overview", "概览", "institutions:overview"),
    ("profile", "完善信息", "institutions:profile_edit"),
    ("certificates", "资质证书", "institutions:certificate_list"),
    ("sites", "场所", "institutions:site_list"),
    ("capabilities", "检验检测能力", "institutions:capability_list"),
    ("equipment", "仪器设备", "institutions:equipment_list"),
    ("signatories", "授权签字人", "institutions:signatory_list"),
    ("personnel", "人员", "institutions:personnel_list"),
    ("ip", "知识产权", "institutions:ip_list"),
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
