"""Returned news is a to-do on the dashboard (待办事项) of who may submit news for that institution."""

import re

import pytest
from django.urls import reverse

from news import services
from sujt.core.todos import todos_for
from sujt.core.workflow import review_return

from .conftest import RETURN_COMMENT

DASHBOARD = reverse("portal:dashboard")

pytestmark = pytest.mark.django_db


def _todos_block(html: str) -> str:
    return re.search(r'<h2 id="todos-title">待办事项</h2>(.*?)</section>', html, re.S).group(1)


def _news_todos(user) -> list:
    return [todo for todo in todos_for(user) if todo.module == "06 新闻资讯发布"]


def test_a_returned_submission_is_on_the_dashboard_with_its_edit_link(client_for, returned):
    block = _todos_block(client_for("inst_admin").get(DASHBOARD).content.decode())
    assert returned.title in block
    assert f'href="{reverse("news:submission_edit", args=[returned.pk])}"' in block
    assert "请修改后重新提交" in block


def test_other_institutions_returned_news_is_not_a_todo_here(
    client_for, returned, other_submission, other_inst_admin, other_city_regulator
):
    services.submission_submit(submission=other_submission, by=other_inst_admin)
    review_return(obj=other_submission, by=other_city_regulator, comment="请补充图片说明。")
    block = _todos_block(client_for("inst_admin").get(DASHBOARD).content.decode())
    assert returned.title in block and other_submission.title not in block
    edit_url = reverse("news:submission_edit", args=[other_submission.pk])
    assert [todo.url for todo in _news_todos(other_inst_admin)] == [edit_url]


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "rejected", "withdrawn"])
def test_only_returned_news_is_a_todo(request, inst_admin, state):
    request.getfixturevalue(state)
    assert _news_todos(inst_admin) == []


def test_the_todo_is_for_members_who_may_submit_news(returned, inst_staff, institution, grant):
    assert _news_todos(inst_staff) == []
    grant(inst_staff, institution, "submit_news")
    assert [todo.url for todo in _news_todos(inst_staff)] == [
        reverse("news:submission_edit", args=[returned.pk])
    ]


def test_resubmitting_clears_the_todo(client_for, returned, submission_data, inst_admin):
    assert len(_news_todos(inst_admin)) == 1
    client_for("inst_admin").post(
        reverse("news:submission_edit", args=[returned.pk]), submission_data(action="submit")
    )
    assert _news_todos(inst_admin) == []
    block = _todos_block(client_for("inst_admin").get(DASHBOARD).content.decode())
    assert returned.title not in block


def test_the_todo_leads_to_an_edit_page_showing_the_comment(client_for, returned):
    (todo,) = _news_todos(returned.author)
    html = client_for("inst_admin").get(todo.url).content.decode()
    assert RETURN_COMMENT in html
