"""The news-submission list of the workspace (新闻资讯发布), declared on sujt.core.lists."""

from typing import Any

from django.http import HttpRequest
from django.utils.text import Truncator

from sujt.accounts.decorators import institution_required
from sujt.core.choices import ReviewStatus
from sujt.core.lists import Column, ListFilterSet, SearchFilter, TabFilter, WorkspaceList, list_tabs

from . import selectors

COMMENT_PREVIEW_CHARS = 60


class SubmissionFilter(ListFilterSet):
    status = TabFilter(choices=ReviewStatus.choices)
    q = SearchFilter(fields=("title",), label="标题")


def _comment_preview(submission: Any) -> str:
    """What the regulator asked for, shortened; an approval's comment is the regulators' own note."""
    if submission.status not in {ReviewStatus.RETURNED, ReviewStatus.REJECTED}:
        return ""
    return Truncator(submission.review_comment).chars(COMMENT_PREVIEW_CHARS)


def _status_tabs(request: HttpRequest, filterset: Any) -> dict[str, Any]:
    counts = selectors.submission_counts(institution=request.institution)
    tabs = list_tabs(
        request, name="status", choices=ReviewStatus.choices, counts=counts, all_label="全部状态"
    )
    return {"status_tabs": tabs, "tabs_label": "按状态筛选投稿"}


SUBMISSIONS = WorkspaceList(
    key="submissions",
    title="新闻资讯发布",
    # The body is the heavy column and the list does not show it.
    selector=lambda request: selectors.submissions_for(institution=request.institution).defer("body"),
    filterset=SubmissionFilter,
    columns=[
        Column("title", "标题", link=lambda submission: submission.get_absolute_url(), wrap=True),
        Column("category", "栏目", value="get_category_display", css="nowrap"),
        Column("status", "状态", template="news/workspace/includes/status_cell.html", essential=True),
        Column("submitted_at", "提交时间", css="nowrap", empty="未提交"),
        Column("review_comment", "审核意见", value=_comment_preview, wrap=True),
    ],
    row_actions="news/workspace/includes/row_actions.html",
    row_attrs=lambda submission: {"data-submission": submission.pk},
    extra_context=_status_tabs,
    export=False,
    empty_text="还没有投稿",
    empty_hint="点击“新建投稿”撰写本机构的新闻，提交监管部门审核通过后即在门户网站发布。",
    filtered_empty_text="没有符合条件的投稿",
    filtered_empty_hint="请调整标题关键词或状态后重试。",
    caption="本机构的新闻投稿",
    count_noun="篇",
    item_name="投稿",
    template="news/workspace/list.html",
    permission="submit_news",
    access=institution_required,
)
