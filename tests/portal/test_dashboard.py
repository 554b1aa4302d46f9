"""The dashboard (01 首页): profile summary, the 首要工作 checklist, to-dos and the latest messages."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sujt.core.todos import Todo, register_todo_provider, unregister_todo_provider
from tests.factories import InstitutionFactory, MembershipFactory


def checklist_items(html: str) -> dict[str, bool]:
    """{key: done} of the checklist on the page."""
    return {
        key: "is-done" in classes
        for classes, key in re.findall(r'<li class="checklist-item([^"]*)" data-checklist="([^"]+)"', html)
    }


def dashboard_html(client) -> str:
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_profile_summary_shows_the_current_institution(client_for, institution):
    html = dashboard_html(client_for("inst_staff"))
    assert institution.name in html
    assert institution.uscc in html
    assert "南京市玄武区" in html
    assert "经办人" in html


def test_the_session_choice_of_institution_is_the_one_summarised(client, inst_admin, other_institution):
    MembershipFactory(user=inst_admin, institution=other_institution)
    client.force_login(inst_admin)
    session = client.session
    session["current_institution_id"] = other_institution.pk
    session.save()
    html = dashboard_html(client)
    profile = re.search(r'<section class="card" id="profile".*?</section>', html, re.S).group(0)
    assert other_institution.name in profile


@pytest.fixture
def profile_module_unopened(monkeypatch):
    """The registry as it was before modules 02 (机构风采管理) and 05 (信用管理) opened: the foundation
    provides their items."""
    from sujt.core import modules

    entries = {code: entry for code, entry in modules._module_entries.items() if code not in ("02", "05")}
    monkeypatch.setattr(modules, "_module_entries", entries)


def test_foundation_checklist_has_its_four_items_in_order(client_for, profile_module_unopened):
    items = checklist_items(dashboard_html(client_for("inst_admin")))
    assert list(items) == ["change_password", "credit_commitment", "confirm_institution", "complete_profile"]


def test_change_password_ticks_itself_off(client_for, inst_admin):
    from sujt.portal.checklist import foundation_checklist

    def password_item_done() -> bool:
        return next(i for i in foundation_checklist(inst_admin, None) if i.key == "change_password").done

    inst_admin.password_changed_at, inst_admin.must_change_password = None, False
    assert password_item_done() is False
    inst_admin.password_changed_at, inst_admin.must_change_password = timezone.now(), True
    assert password_item_done() is False
    inst_admin.password_changed_at, inst_admin.must_change_password = timezone.now(), False
    assert password_item_done() is True
    inst_admin.save()
    assert checklist_items(dashboard_html(client_for("inst_admin")))["change_password"] is True


def test_unbuilt_modules_items_say_so_and_are_never_done(client_for, profile_module_unopened):
    html = dashboard_html(client_for("inst_admin"))
    items = checklist_items(html)
    assert items["credit_commitment"] is False
    assert items["confirm_institution"] is False
    assert items["complete_profile"] is False
    assert "信用管理模块上线后在此上传（仅申领江苏省CMA证书的机构）" in html
    assert "机构风采管理模块（02）尚未开通" in html
    assert f'href="{reverse("portal:help")}#modules"' in html


def test_an_opened_module_takes_over_its_checklist_items(client_for, monkeypatch):
    from sujt.core import modules

    monkeypatch.setattr(modules, "_module_entries", dict(modules._module_entries))
    modules.register_module("05", url_name="portal:help", perm="manage_credit")
    modules.register_module("02", url_name="portal:help", perm="manage_profile")
    html = dashboard_html(client_for("inst_admin"))
    items = checklist_items(html)
    # The foundation keeps only its own item; the modules' apps provide theirs (02 does: 完善基础信息).
    assert next(iter(items)) == "change_password"
    assert "credit_commitment" not in items
    assert "信用管理模块上线后" not in html
    assert "机构风采管理模块（02）尚未开通" not in html


def test_another_apps_checklist_item_appears_and_ticks_off(client_for, inst_admin):
    from sujt.core.todos import ChecklistItem, register_checklist_provider, unregister_checklist_provider

    state = {"done": False}

    def provider(user, institution):
        return [ChecklistItem(key="demo_item", title="示例事项", done=state["done"], url="/help/", order=25)]

    register_checklist_provider(provider)
    try:
        assert checklist_items(dashboard_html(client_for("inst_admin")))["demo_item"] is False
        state["done"] = True
        items = checklist_items(dashboard_html(client_for("inst_admin")))
        assert items["demo_item"] is True
        order = list(items)
        assert order.index("change_password") < order.index("demo_item") < order.index("confirm_institution")
    finally:
        unregister_checklist_provider(provider)


@pytest.fixture
def todo_provider():
    todos: list[Todo] = []

    def provider(user):
        return list(todos)

    register_todo_provider(provider)
    yield todos
    unregister_todo_provider(provider)


def test_todos_are_sorted_by_due_date_with_urgency_in_text_and_colour(client_for, todo_provider):
    today = timezone.localdate()
    todo_provider.extend(
        [
            Todo(
                title="提交年度报告",
                module="07 技术机构运营数据填报",
                url="/r/1",
                due_date=today + datetime.timedelta(days=30),
            ),
            Todo(
                title="整改材料逾期",
                module="03 机构整改",
                url="/r/2",
                due_date=today - datetime.timedelta(days=3),
            ),
            Todo(title="无截止日期事项", module="06 新闻资讯发布", url="/r/3"),
            Todo(
                title="承诺书即将到期",
                module="05 信用管理",
                url="/r/4",
                due_date=today + datetime.timedelta(days=2),
            ),
        ]
    )
    html = dashboard_html(client_for("inst_admin"))
    titles = re.findall(
        r'<li class="todo todo-\w+">\s*<span[^>]*>[^<]*</span>\s*<a href="[^"]+">([^<]+)</a>', html
    )
    assert titles == ["整改材料逾期", "承诺书即将到期", "提交年度报告", "无截止日期事项"]
    assert re.search(
        r'<li class="todo todo-overdue">\s*<span class="badge badge-urgency-overdue">逾期</span>', html
    )
    assert re.search(
        r'<li class="todo todo-soon">\s*<span class="badge badge-urgency-soon">临近</span>', html
    )
    assert "已逾期 3 天" in html
    assert f"还剩 2 天（截止 {today + datetime.timedelta(days=2):%Y-%m-%d}）" in html
    assert f"截止 {today - datetime.timedelta(days=3):%Y-%m-%d}" not in html  # overdue: how late, not when


def test_no_todos_shows_an_empty_state(client_for):
    assert "暂无待办事项" in dashboard_html(client_for("inst_admin"))


def test_latest_five_messages_newest_first(client_for, inst_admin, other_inst_admin, make_notification):
    now = timezone.now()
    for i in range(7):
        make_notification(inst_admin, title=f"消息{i}", created_at=now - datetime.timedelta(minutes=10 - i))
    make_notification(other_inst_admin, title="别人的消息")
    html = dashboard_html(client_for("inst_admin"))
    section = re.search(r'aria-labelledby="notices-title">.*?</section>', html, re.S).group(0)
    assert re.findall(r"消息\d", section) == ["消息6", "消息5", "消息4", "消息3", "消息2"]
    assert "别人的消息" not in html


def _add_data(institution, user, other, make_notification, n):
    """n messages, n memberships in other institutions, n colleagues and n unrelated institutions."""
    for i in range(n):
        make_notification(user, title=f"消息{i}", read=bool(i % 2))
        MembershipFactory(user=user, institution=InstitutionFactory())
        MembershipFactory(institution=institution)
        InstitutionFactory()


@pytest.mark.parametrize("who", ["inst_admin", "inst_staff"])
def test_dashboard_queries_are_bounded_and_do_not_grow_with_data(
    who, request, client_for, institution, other_inst_admin, make_notification, django_assert_max_num_queries
):
    user = request.getfixturevalue(who)
    client = client_for(who)
    session = client.session
    session["current_institution_id"] = institution.pk  # the other memberships must not take over
    session.save()
    client.get(reverse("portal:dashboard"))  # warm up: session and content types

    _add_data(institution, user, other_inst_admin, make_notification, 5)
    with CaptureQueriesContext(connection) as small:
        dashboard_html(client)
    _add_data(institution, user, other_inst_admin, make_notification, 10)
    # 10 for the dashboard itself, 5 for module 02's providers: 确认机构信息 (motor-vehicle certificate,
    # permission), 完善基础信息 (permission, testing fields), its to-dos (certificates, error reports);
    # 1 for module 06's to-dos (returned news); 1 for the 政策文件通知 block (latest laws and notices);
    # 1 for whether module 05 applies (a Jiangsu-issued certificate), for the menu; 3 for module 04's
    # to-dos (the institutions where the user manages centers, and its two deadlines); 1 for module
    # 07/08's deadline (the assignments to fill).
    with django_assert_max_num_queries(22), CaptureQueriesContext(connection) as large:
        html = dashboard_html(client)
    assert "switch-institution" in html
    assert f'<option value="{institution.pk}" selected>' in html
    assert len(large) == len(small)


# --- 政策文件通知: the latest laws and notices ----------------------------------------------------------


def policy_block(html: str) -> str:
    return re.search(r'<section class="card policy-notices".*?</section>', html, re.S).group(0)


def test_policy_notices_show_the_latest_public_laws_and_notices(client_for):
    from sujt.core.choices import ReviewStatus
    from tests.factories import ArticleFactory, datetime_hours_ago

    ArticleFactory(category="policy", title="行业政策甲", published_at=datetime_hours_ago(5))
    ArticleFactory(
        category="guide",
        title="申报指南乙",
        published_at=timezone.make_aware(datetime.datetime(2026, 3, 6, 9, 0)),
        is_pinned=True,
    )
    notice = ArticleFactory(category="notice", title="通知丙", published_at=datetime_hours_ago(1))
    ArticleFactory(category="supervision", title="新闻资讯不在此列")
    ArticleFactory(category="policy", title="政策草稿", status=ReviewStatus.DRAFT, published_at=None)
    ArticleFactory(category="notice", title="已下线通知", taken_down_at=timezone.now())
    block = policy_block(dashboard_html(client_for("inst_staff")))
    titles = re.findall(r'<a class="article-link-title" href="[^"]+">([^<]+)</a>', block)
    assert titles == ["申报指南乙", "通知丙", "行业政策甲"]
    assert re.search(r'<span class="tag">申报指南</span>\s*<a[^>]*>申报指南乙</a>', block)
    assert "2026-03-06" in block and "置顶" in block
    assert f'href="{notice.get_absolute_url()}"' in block
    assert f'href="{reverse("news:laws_list")}">更多法律法规' in block
    assert f'href="{reverse("news:notices_list")}">更多通知公告' in block


def test_no_policy_notices_shows_an_empty_state(client_for):
    block = policy_block(dashboard_html(client_for("inst_admin")))
    assert "暂无政策文件和通知" in block
    assert f'href="{reverse("news:laws_list")}"' in block


def test_policy_notices_take_one_query_whatever_the_number_of_articles(client_for):
    from news.selectors import POLICY_NOTICE_ITEMS
    from tests.factories import ArticleFactory

    client = client_for("inst_admin")
    dashboard_html(client)  # warm up: session and content types
    ArticleFactory.create_batch(3, category="policy")
    with CaptureQueriesContext(connection) as small:
        dashboard_html(client)
    ArticleFactory.create_batch(POLICY_NOTICE_ITEMS * 2, category="notice")
    with CaptureQueriesContext(connection) as large:
        html = dashboard_html(client)
    assert len(large) == len(small)
    assert len(re.findall(r'class="article-link-title"', policy_block(html))) == POLICY_NOTICE_ITEMS
    assert len([q for q in large if "news_article" in q["sql"] and "channel" in q["sql"]]) == 1
