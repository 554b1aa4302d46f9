"""The two layouts: navigation from the registry, header pieces, the 适老化 toggle, no outside assets."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from sujt.core.modules import MODULES


def nav_html(response) -> str:
    html = response.content.decode()
    match = re.search(r'<nav class="ws-nav".*?</nav>', html, re.S)
    assert match, "the workspace navigation is missing"
    return match.group(0)


@pytest.fixture
def registry(module_registry):
    """01 open for everyone, 03 open to holders of handle_rectification, 05 open but the institution is not
    eligible, 06 open to everyone; the others unopened; 用户管理 under 系统管理 for manage_users."""
    module_registry.register_module("01", url_name="portal:dashboard")
    module_registry.register_module("03", url_name="portal:help", perm="handle_rectification")
    module_registry.register_module("05", url_name="portal:home", available=lambda institution: False)
    module_registry.register_module("06", url_name="portal:notifications", available=lambda institution: True)
    module_registry.register_system_entry(
        "users", title="用户管理", url_name="accounts:user_list", perm="manage_users"
    )
    return module_registry


def test_unopened_modules_are_plain_text_marked_as_such(registry, client_for):
    nav = nav_html(client_for("inst_admin").get(reverse("portal:dashboard")))
    for code, title in [
        ("02", "机构风采管理"),
        ("04", "中心建设"),
        ("07", "技术机构运营数据填报"),
        ("08", "中心运营数据填报"),
    ]:
        entry = re.search(
            rf'<span class="nav-link is-closed">.*?{code}.*?{title}.*?未开通</span></span>', nav, re.S
        )
        assert entry, f"{code} {title} should be shown as 未开通"
    assert nav.count("未开通") == 4


def test_opened_modules_link_to_their_entry_point_in_order(registry, client_for):
    nav = nav_html(client_for("inst_admin").get(reverse("portal:dashboard")))
    assert f'href="{reverse("portal:dashboard")}"' in nav
    assert f'href="{reverse("portal:notifications")}"' in nav
    positions = [nav.index(module.title) for module in MODULES if module.title in nav]
    assert positions == sorted(positions)


def test_the_current_page_is_marked_in_the_navigation(registry, client_for):
    nav = nav_html(client_for("inst_admin").get(reverse("portal:dashboard")))
    assert re.search(r'class="nav-link is-active" href="/dashboard/" aria-current="page"', nav)


def test_a_module_the_institution_is_not_eligible_for_is_hidden(registry, client_for):
    nav = nav_html(client_for("inst_admin").get(reverse("portal:dashboard")))
    assert "信用管理" not in nav


def test_a_module_is_hidden_from_staff_without_its_permission(
    registry, client_for, inst_staff, institution, grant
):
    assert "机构整改" not in nav_html(client_for("inst_staff").get(reverse("portal:dashboard")))
    grant(inst_staff, institution, "handle_rectification")
    assert "机构整改" in nav_html(client_for("inst_staff").get(reverse("portal:dashboard")))


def test_user_management_is_shown_only_with_manage_users(
    registry, client_for, inst_staff, institution, grant
):
    users_link = f'href="{reverse("accounts:user_list")}"'
    admin_nav = nav_html(client_for("inst_admin").get(reverse("portal:dashboard")))
    assert "系统管理" in admin_nav and users_link in admin_nav

    staff_nav = nav_html(client_for("inst_staff").get(reverse("portal:dashboard")))
    assert "系统管理" not in staff_nav and "用户管理" not in staff_nav

    grant(inst_staff, institution, "manage_users")
    assert users_link in nav_html(client_for("inst_staff").get(reverse("portal:dashboard")))


def test_a_permission_at_another_institution_does_not_show_the_entry(
    registry, client_for, inst_staff, other_institution, grant
):
    grant(inst_staff, other_institution, "manage_users")
    assert "用户管理" not in nav_html(client_for("inst_staff").get(reverse("portal:dashboard")))


def test_the_foundation_registers_the_dashboard_and_user_management(client_for):
    # The real registry, as the apps left it.
    nav = nav_html(client_for("inst_admin").get(reverse("portal:dashboard")))
    assert f'href="{reverse("portal:dashboard")}"' in nav
    assert f'href="{reverse("accounts:user_list")}"' in nav


def test_workspace_header_names_the_institution_and_the_user(client_for, institution, inst_admin):
    html = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    assert institution.name in html
    assert inst_admin.name in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert f'href="{reverse("portal:manual_download")}"' in html
    assert settings.SUPPORT_CONTACT["phone"] in html
    assert 'name="institution_id"' not in html  # one institution: no switcher


def test_a_member_of_several_institutions_gets_a_switcher(client_for, inst_admin, other_institution):
    from tests.factories import MembershipFactory

    MembershipFactory(user=inst_admin, institution=other_institution)
    html = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    assert f'action="{reverse("accounts:switch_institution")}"' in html
    assert 'name="institution_id"' in html
    assert other_institution.name in html


def test_the_bell_shows_the_unread_count(client_for, inst_admin, make_notification):
    for _ in range(3):
        make_notification(inst_admin)
    make_notification(inst_admin, read=True)
    html = client_for("inst_admin").get(reverse("portal:notifications")).content.decode()
    assert re.search(r"<span class=\"badge badge-count\" data-unread-count>3</span>", html)
    assert "通知中心，3 条未读" in html


def test_no_badge_without_unread_messages(client_for, inst_admin, make_notification):
    make_notification(inst_admin, read=True)
    html = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    assert "data-unread-count" not in html


def test_portal_header_offers_login_to_visitors_and_the_workspace_to_users(client_for, inst_admin):
    anonymous = client_for("anonymous").get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("accounts:login")}"' in anonymous and "进入工作台" not in anonymous
    logged_in = client_for("inst_admin").get(reverse("portal:home")).content.decode()
    assert "进入工作台" in logged_in and inst_admin.name in logged_in


def test_portal_header_links_every_channel(client):
    html = client.get(reverse("portal:home")).content.decode()
    header = re.search(r'<nav class="portal-nav".*?</nav>', html, re.S).group(0)
    for url_name in ["news:news_list", "news:laws_list", "news:notices_list", "institutions:directory"]:
        assert f'href="{reverse(url_name)}"' in header
    assert "未开通" not in header
    assert re.search(r'href="/" aria-current="page">首页</a>', header)


def test_portal_channels_without_a_page_are_marked_unopened(client, monkeypatch):
    from sujt.core import modules

    unregistered = {key: entry for key, entry in modules._portal_links.items() if key != "laws"}
    monkeypatch.setattr(modules, "_portal_links", unregistered)
    html = client.get(reverse("portal:help")).content.decode()
    header = re.search(r'<nav class="portal-nav".*?</nav>', html, re.S).group(0)
    assert re.search(
        r'<span class="portal-nav-link is-closed">法律法规<span class="nav-status">未开通</span>', header
    )
    assert f'href="{reverse("news:news_list")}"' in header


def test_register_portal_link_opens_a_channel(client, monkeypatch):
    from sujt.core import modules

    monkeypatch.setattr(modules, "_portal_links", dict(modules._portal_links))
    modules.register_portal_link("news", url_name="portal:help")
    html = client.get(reverse("portal:help")).content.decode()
    assert re.search(rf'href="{reverse("portal:help")}" aria-current="page">新闻资讯</a>', html)


def test_footer_shows_the_support_contact_from_settings(client, settings):
    settings.SUPPORT_CONTACT = {
        "org": "测试支持组",
        "phone": "025-12345678",
        "email": "help@example.cn",
        "hours": "全天",
    }
    html = client.get(reverse("portal:home")).content.decode()
    assert "测试支持组" in html and "025-12345678" in html and "help@example.cn" in html
    assert settings.SITE_NAME in html


@pytest.mark.parametrize(
    ("cookie", "classes"),
    [("contrast", "a11y-contrast"), ("large", "a11y-large"), ("large.contrast", "a11y-large a11y-contrast")],
)
def test_display_cookie_sets_classes_on_html(client, cookie, classes):
    client.cookies["sujt_a11y"] = cookie
    html = client.get(reverse("portal:home")).content.decode()
    assert f'<html lang="zh-CN" class="{classes}">' in html
    for option in ("large", "contrast"):
        pressed = "true" if option in cookie else "false"
        assert f'data-a11y-option="{option}" aria-pressed="{pressed}"' in html


def test_no_display_cookie_no_classes(client):
    client.cookies["sujt_a11y"] = "bogus"
    assert '<html lang="zh-CN">' in client.get(reverse("portal:home")).content.decode()


def test_display_toggle_without_script_sets_the_cookie_and_returns(client):
    response = client.post(reverse("portal:a11y"), {"toggle": "contrast", "next": "/help/"})
    assert response.status_code == 302 and response["Location"] == "/help/"
    assert response.cookies["sujt_a11y"].value == "contrast"
    response = client.post(reverse("portal:a11y"), {"toggle": "large", "next": "/help/"})
    assert response.cookies["sujt_a11y"].value == "large.contrast"
    response = client.post(reverse("portal:a11y"), {"toggle": "contrast", "next": "/help/"})
    assert response.cookies["sujt_a11y"].value == "large"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_display_toggle_never_redirects_off_site(client, next_url):
    response = client.post(reverse("portal:a11y"), {"toggle": "large", "next": next_url})
    assert response["Location"] == reverse("portal:home")


def test_pages_load_nothing_from_outside(client_for):
    for who, url in [("anonymous", reverse("portal:home")), ("inst_admin", reverse("portal:dashboard"))]:
        html = client_for(who).get(url).content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', html)
        assert '<script src="/static/js/sujt.js" defer></script>' in html
        assert "<script>" not in html


def test_no_template_uses_inline_styles():
    roots = [
        Path(settings.BASE_DIR) / "templates",
        *Path(settings.BASE_DIR).glob("*/templates"),
        *Path(settings.BASE_DIR).glob("sujt/*/templates"),
    ]
    offenders = [
        str(path)
        for root in roots
        for path in root.rglob("*.html")
        if re.search(r"\sstyle\s*=", path.read_text())
    ]
    assert offenders == []


def test_portal_pages_do_not_compute_the_workspace_context(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("inst_admin")
    client.get(reverse("portal:help"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:help")).status_code == 200
    touched = " ".join(q["sql"] for q in queries)
    assert "core_notification" not in touched and "accounts_membership" not in touched


def test_anonymous_users_get_no_workspace_context(rf):
    from django.contrib.auth.models import AnonymousUser

    from sujt.portal.context_processors import workspace

    request = rf.get("/")
    request.user = AnonymousUser()
    assert workspace(request) == {}
