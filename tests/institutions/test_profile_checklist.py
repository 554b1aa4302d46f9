"""Module 02 in the workspace: its navigation entry and the dashboard's 完善基础信息 item."""

import re

from django.urls import reverse

from institutions.integrations.profile import complete_profile_checklist
from institutions.services.profile import profile_update
from sujt.core.modules import is_open
from sujt.core.todos import checklist_for
from tests.core.samples import png_bytes, upload

DASHBOARD = reverse("portal:dashboard")
EVERY_EXTRA = {
    "is_high_tech": False,
    "is_listed": False,
    "legal_person_type": "enterprise",
    "unit_type": "third_party",
    "supervising_department": "01",
    "ownership": "private",
    "investor_type": "private",
    "fields": ["00"],
    "business_scope": "<p>食品检测</p>",
}


def nav_html(client) -> str:
    html = client.get(DASHBOARD).content.decode()
    return re.search(r'<nav class="ws-nav".*?</nav>', html, re.S).group(0)


def checklist_item(html: str, key: str) -> str:
    match = re.search(rf'<li class="checklist-item[^"]*" data-checklist="{key}">.*?</li>', html, re.S)
    assert match, f"{key} is not on the dashboard"
    return match.group(0)


def test_module_02_is_open_and_links_to_the_overview(client_for):
    assert is_open("02")
    nav = nav_html(client_for("inst_admin"))
    entry = re.search(
        r'<a class="nav-link" href="([^"]+)">(?:(?!</a>).)*<span class="nav-code">02</span>', nav, re.S
    )
    assert entry and entry.group(1) == reverse("institutions:overview")
    assert not re.search(
        r'<span class="nav-link is-closed">(?:(?!</li>).)*<span class="nav-code">02</span>', nav, re.S
    )


def test_module_02_is_hidden_without_manage_profile(client_for, inst_staff, institution, grant):
    assert "机构风采管理" not in nav_html(client_for("inst_staff"))
    grant(inst_staff, institution, "manage_profile")
    assert "机构风采管理" in nav_html(client_for("inst_staff"))


def test_the_overview_is_marked_active_on_module_pages(client_for):
    html = client_for("inst_admin").get(reverse("institutions:profile_edit")).content.decode()
    nav = re.search(r'<nav class="ws-nav".*?</nav>', html, re.S).group(0)
    assert re.search(rf'class="nav-link is-active" href="{reverse("institutions:overview")}"', nav)


def test_complete_profile_item_links_to_the_form_and_shows_the_completeness(client_for, institution):
    html = client_for("inst_admin").get(DASHBOARD).content.decode()
    item = checklist_item(html, "complete_profile")
    assert "is-done" not in item.split(">")[0]
    assert f'href="{reverse("institutions:profile_edit")}"' in item
    assert "完善基础信息" in item
    assert "信息完整度 0%" in item and "还有 10 项完善信息未填写" in item
    assert "尚未开通" not in item


def test_complete_profile_ticks_off_once_every_extra_item_is_done(client_for, institution, inst_admin):
    partial = {key: value for key, value in EVERY_EXTRA.items() if key != "business_scope"}
    profile_update(
        institution=institution, by=inst_admin, data=partial, logo=upload("l.png", png_bytes(), "image/png")
    )
    item = checklist_item(client_for("inst_admin").get(DASHBOARD).content.decode(), "complete_profile")
    assert "is-done" not in item.split(">")[0] and "还有 1 项完善信息未填写（业务范围）" in item

    updated = profile_update(institution=institution, by=inst_admin, data=EVERY_EXTRA)
    item = checklist_item(client_for("inst_admin").get(DASHBOARD).content.decode(), "complete_profile")
    assert "is-done" in item.split(">")[0]
    assert f"信息完整度 {updated.completeness}%" in item and "完善信息已全部填写" in item


def test_the_item_is_for_members_who_may_edit_the_profile(inst_staff, inst_admin, institution, grant):
    assert complete_profile_checklist(inst_staff, institution) == []
    assert [item.key for item in checklist_for(inst_staff, institution)].count("complete_profile") == 0
    grant(inst_staff, institution, "manage_profile")
    assert [item.key for item in complete_profile_checklist(inst_staff, institution)] == ["complete_profile"]
    assert complete_profile_checklist(inst_admin, None) == []


def test_the_item_replaces_the_foundations_placeholder(client_for):
    html = client_for("inst_admin").get(DASHBOARD).content.decode()
    assert html.count('data-checklist="complete_profile"') == 1
    assert "机构风采管理模块（02）尚未开通" not in html
