"""To-dos of module 06: returned news, to be changed and resubmitted."""

from django.urls import reverse

from sujt.core.todos import Todo, register_todo_provider

from ..selectors import returned_submissions_for

MODULE_LABEL = "06 新闻资讯发布"


def returned_news_todos(user) -> list[Todo]:
    submissions = list(returned_submissions_for(user=user))
    several = len({submission.institution_id for submission in submissions}) > 1
    return [
        Todo(
            title=(f"{submission.institution.name}：" if several else "")
            + f"新闻投稿被退回，请修改后重新提交：{submission.title}",
            module=MODULE_LABEL,
            url=reverse("news:submission_edit", args=[submission.pk]),
        )
        for submission in submissions
    ]


register_todo_provider(returned_news_todos)
