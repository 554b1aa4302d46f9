import logging
from datetime import date, timedelta

import pytest
from django.utils import timezone

from sujt.core import todos
from sujt.core.choices import TodoUrgency
from sujt.core.todos import (
    ChecklistItem,
    Todo,
    checklist_for,
    register_checklist_provider,
    register_todo_provider,
    todos_for,
    urgency_of,
)


@pytest.fixture(autouse=True)
def _isolated_registries(monkeypatch):
    # Apps register their real providers at start-up; these tests look at the registry alone.
    monkeypatch.setattr(todos, "_todo_providers", [])
    monkeypatch.setattr(todos, "_checklist_providers", [])


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


@pytest.mark.parametrize(
    ("due", "urgency", "label"),
    [
        (-1, TodoUrgency.OVERDUE, "逾期"),
        (0, TodoUrgency.SOON, "临近"),
        (7, TodoUrgency.SOON, "临近"),
        (8, TodoUrgency.NORMAL, "一般"),
        (None, TodoUrgency.NORMAL, "一般"),
    ],
)
def test_urgency_follows_the_due_date(due, urgency, label):
    todo = Todo(title="填报", module="07", url="/r/", due_date=None if due is None else days(due))
    assert todo.urgency == urgency
    assert todo.urgency_label == label
    assert todo.days_left == due


def test_urgency_of_a_given_day():
    assert urgency_of(date(2026, 3, 1), today=date(2026, 3, 2)) == TodoUrgency.OVERDUE


def test_todos_from_every_provider_are_sorted_by_due_date_undated_last():
    @register_todo_provider
    def rectification(user):
        return [Todo("整改回复", "03", "/r/1/", days(10)), Todo("无期限事项", "03", "/r/2/")]

    @register_todo_provider
    def reporting(user):
        return [Todo("运营数据填报", "07", "/p/1/", days(-2)), Todo("中心数据填报", "08", "/p/2/", days(3))]

    titles = [t.title for t in todos_for(object())]
    assert titles == ["运营数据填报", "中心数据填报", "整改回复", "无期限事项"]


def test_providers_get_the_user_and_registering_twice_counts_once():
    seen = []

    def provider(user):
        seen.append(user)
        return [Todo("事项", "01", "/")]

    register_todo_provider(provider)
    register_todo_provider(provider)
    assert len(todos_for("用户")) == 1
    assert seen == ["用户"]


def test_a_failing_provider_is_logged_and_skipped(caplog):
    @register_todo_provider
    def broken(user):
        raise RuntimeError("module down")

    @register_todo_provider
    def working(user):
        return [Todo("信用承诺书上传", "05", "/c/", days(1))]

    with caplog.at_level(logging.ERROR, logger="sujt.core.todos"):
        result = todos_for(object())
    assert [t.title for t in result] == ["信用承诺书上传"]
    assert "broken" in caplog.text and "module down" in caplog.text


def test_checklist_is_ordered_by_order_and_isolates_failures(caplog):
    @register_checklist_provider
    def accounts(user, institution):
        return [
            ChecklistItem("info", "完善基础信息", False, "/i/", order=40),
            ChecklistItem("password", "修改密码", True, "/pw/", order=10),
        ]

    @register_checklist_provider
    def broken(user, institution):
        raise KeyError("boom")

    @register_checklist_provider
    def credit(user, institution):
        assert institution == "机构"
        return [
            ChecklistItem("commitment", "上传信用承诺书", False, "/c/", note="信用管理模块建设中", order=20),
            ChecklistItem("password", "重复的键", False, "/dup/", order=1),
        ]

    with caplog.at_level(logging.ERROR, logger="sujt.core.todos"):
        items = checklist_for("用户", "机构")
    assert [(i.key, i.done) for i in items] == [("password", True), ("commitment", False), ("info", False)]
    assert items[1].note == "信用管理模块建设中"
    assert "broken" in caplog.text
