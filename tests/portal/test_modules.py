"""The navigation registry of sujt.core.modules, without templates."""

import pytest
from django.urls import reverse

from sujt.core.modules import MODULES, portal_nav, workspace_nav


def test_the_eight_modules_of_the_design_in_order():
    assert [(m.code, m.title) for m in MODULES] == [
        ("01", "首页"),
        ("02", "机构风采管理"),
        ("03", "机构整改"),
        ("04", "中心建设"),
        ("05", "信用管理"),
        ("06", "新闻资讯发布"),
        ("07", "技术机构运营数据填报"),
        ("08", "中心运营数据填报"),
    ]


def test_unknown_module_code_is_refused(module_registry):
    with pytest.raises(ValueError, match="unknown module code"):
        module_registry.register_module("09", url_name="portal:home")


def test_a_new_portal_channel_needs_a_title(monkeypatch):
    from sujt.core import modules

    monkeypatch.setattr(modules, "_portal_links", {})
    with pytest.raises(ValueError):
        modules.register_portal_link("guides", url_name="portal:help")
    modules.register_portal_link("guides", url_name="portal:help", title="办事指南")
    items = portal_nav(path="/help/")
    assert [item.title for item in items] == [
        "首页",
        "新闻资讯",
        "法律法规",
        "通知公告",
        "机构查询",
        "办事指南",
    ]
    assert items[-1].active and not any(item.opened for item in items[:-1])


def test_availability_is_asked_only_of_permitted_users(module_registry):
    asked = []

    def available(institution):
        asked.append(institution)
        return True

    module_registry.register_module("04", url_name="portal:help", perm="manage_centers", available=available)
    nav = workspace_nav(institution="甲机构", perms=set(), path="/")
    assert asked == [] and [item.key for item in nav.modules] == ["01", "02", "03", "05", "06", "07", "08"]
    nav = workspace_nav(institution="甲机构", perms={"manage_centers"}, path="/help/")
    assert asked == ["甲机构"]
    centers = next(item for item in nav.modules if item.key == "04")
    assert centers.opened and centers.active and centers.url == reverse("portal:help")


def test_the_longest_matching_url_is_active(module_registry):
    module_registry.register_module("01", url_name="portal:notifications")
    module_registry.register_system_entry("read", title="已读", url_name="portal:notifications_read_all")
    nav = workspace_nav(institution=None, perms=set(), path=reverse("portal:notifications_read_all"))
    assert [item.active for item in nav.modules if item.opened] == [False]
    assert [item.active for item in nav.system] == [True]
