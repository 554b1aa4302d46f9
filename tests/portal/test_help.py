"""Help page and the downloadable user manual."""

import re

from django.urls import reverse


def test_help_explains_accounts_first_login_and_support(client, settings):
    settings.SUPPORT_CONTACT = {
        "org": "测试支持组",
        "phone": "025-87654321",
        "email": "s@example.cn",
        "hours": "工作日",
    }
    html = client.get(reverse("portal:help")).content.decode()
    for text in ["如何获取账号", "首次登录", "修改密码", "确认个人信息", "测试支持组", "025-87654321"]:
        assert text in html
    assert f'href="{reverse("portal:manual_download")}"' in html


def test_help_quotes_the_security_settings_in_force(client, settings):
    settings.AXES_FAILURE_LIMIT = 7
    settings.SESSION_COOKIE_AGE = 20 * 60
    html = client.get(reverse("portal:help")).content.decode()
    assert "连续输错密码7次" in html
    assert "20分钟内没有任何操作" in html


def test_manual_is_a_self_contained_html_attachment(client):
    response = client.get(reverse("portal:manual_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition.lower()
    html = response.content.decode()
    assert "<style>" in html and ".cover" in html  # the stylesheet is embedded
    assert not re.search(r"<link|<script|\ssrc=|url\(", html)  # nothing to fetch
    assert "{{" not in html and "{%" not in html and "{#" not in html


def test_manual_describes_this_system(client, settings):
    html = client.get(reverse("portal:manual_download")).content.decode()
    for text in [
        "修改密码",
        "确认个人信息",
        "锁定",
        "首要工作",
        "用户管理",
        "通知中心",
        "大字体",
        "高对比度",
        "机构查询",
    ]:
        assert text in html
    assert f"连续输错密码{settings.AXES_FAILURE_LIMIT}次" in html
    assert settings.SUPPORT_CONTACT["phone"] in html


def test_manual_lists_module_status_from_the_registry(client, monkeypatch):
    from sujt.core import modules

    monkeypatch.setattr(modules, "_module_entries", {})
    modules.register_module("01", url_name="portal:dashboard")
    html = client.get(reverse("portal:manual_download")).content.decode()
    rows = re.findall(r"<tr><td>(\d\d)</td><td>([^<]+)</td><td>(已开通|未开通)</td></tr>", html)
    assert rows[0] == ("01", "首页", "已开通")
    assert [status for _code, _title, status in rows[1:]] == ["未开通"] * 7
