"""新闻资讯发布 (manual §四.6) in the workspace: an institution writes news for the portal and follows it.

A submission is saved as a draft or submitted for review; the regulators over the institution's region
approve it (it appears on the portal at once), return it with a comment (the institution changes and
resubmits it; it is also a to-do on the dashboard) or reject it. Drafts and undecided submissions may be
withdrawn; drafts and withdrawn ones may be deleted. Every object comes through `submission_get`, so
another institution's news does not exist here (404).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from sujt.accounts.decorators import institution_required
from sujt.core.choices import ReviewStatus
from sujt.core.forms import service_errors_add
from sujt.core.list_views import list_urls
from sujt.core.review_views import review_action_view
from sujt.core.workflow import InvalidTransition, transitions_of

from .. import selectors, services
from ..forms import SubmissionForm
from ..lists import SUBMISSIONS
from ..models import NewsSubmission

EDITABLE = {ReviewStatus.DRAFT, ReviewStatus.RETURNED}
WITHDRAWABLE = {ReviewStatus.DRAFT, ReviewStatus.SUBMITTED}
DELETABLE = {ReviewStatus.DRAFT, ReviewStatus.WITHDRAWN}

SAVED_MESSAGES = {
    ReviewStatus.DRAFT: "投稿已保存为草稿，确认无误后请点击“提交审核”。",
    ReviewStatus.SUBMITTED: "投稿已提交审核，监管部门审核通过后将在门户网站发布。",
}


def _wants_submit(request: HttpRequest) -> bool:
    return request.POST.get("action") == "submit"


def _form_page(
    request: HttpRequest, *, form: SubmissionForm, submission: NewsSubmission | None
) -> HttpResponse:
    return render(
        request,
        "news/workspace/form.html",
        {"form": form, "submission": submission, "max_files": services.MAX_FILES},
    )


@institution_required("submit_news")
@require_http_methods(["GET", "HEAD", "POST"])
def submission_add(request: HttpRequest) -> HttpResponse:
    form = SubmissionForm(request.POST or None, request.FILES or None, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submission_save(
                institution=request.institution,
                by=request.user,
                submit=_wants_submit(request),
                **form.save_kwargs(),
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, SAVED_MESSAGES.get(submission.status, "投稿已保存。"))
            return redirect(submission.get_absolute_url())
    return _form_page(request, form=form, submission=None)


@institution_required("submit_news")
@require_http_methods(["GET", "HEAD", "POST"])
def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_get(institution=request.institution, pk=pk)
    if submission.status not in EDITABLE:
        messages.error(
            request,
            f"该投稿当前状态为「{submission.get_status_display()}」，只有草稿和被退回的投稿可以修改。",
        )
        return redirect(submission.get_absolute_url())
    form = SubmissionForm(
        request.POST or None,
        request.FILES or None,
        institution=request.institution,
        submission=submission,
        existing_files=selectors.article_files(submission),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_save(
                institution=request.institution,
                by=request.user,
                submission=submission,
                submit=_wants_submit(request),
                **form.save_kwargs(),
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(submission.get_absolute_url())
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, SAVED_MESSAGES.get(submission.status, "投稿已保存。"))
            return redirect(submission.get_absolute_url())
    return _form_page(request, form=form, submission=submission)


@institution_required("submit_news")
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_get(institution=request.institution, pk=pk)
    return render(
        request,
        "news/workspace/detail.html",
        {
            "submission": submission,
            "files": selectors.article_files(submission),
            "transitions": transitions_of(submission),
            "can_edit": submission.status in EDITABLE,
            "can_submit": submission.status == ReviewStatus.DRAFT,
            "can_withdraw": submission.status in WITHDRAWABLE,
            "can_delete": submission.status in DELETABLE,
        },
    )


def _own_submission(request: HttpRequest, pk: int) -> NewsSubmission:
    return selectors.submission_get(institution=request.institution, pk=pk)


submission_submit = institution_required("submit_news")(
    review_action_view(
        get_object=_own_submission,
        act=lambda submission, by: services.submission_submit(submission=submission, by=by),
        success_message=SAVED_MESSAGES[ReviewStatus.SUBMITTED],
    )
)

submission_withdraw = institution_required("submit_news")(
    review_action_view(
        get_object=_own_submission,
        act=lambda submission, by: services.submission_withdraw(submission=submission, by=by),
        success_message="投稿已撤回，监管部门不再审核。撤回的投稿可以删除。",
    )
)


@institution_required("submit_news")
@require_http_methods(["GET", "HEAD", "POST"])
def submission_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm (a page, no script needed); POST deletes."""
    submission = selectors.submission_get(institution=request.institution, pk=pk)
    if request.method != "POST":
        if submission.status not in DELETABLE:
            messages.error(
                request,
                f"该投稿当前状态为「{submission.get_status_display()}」，只有草稿和已撤回的投稿可以删除。",
            )
            return redirect(submission.get_absolute_url())
        return render(request, "news/workspace/delete.html", {"submission": submission})
    title = submission.title
    try:
        services.submission_delete(submission=submission, by=request.user)
    except InvalidTransition as error:
        messages.error(request, error.message)
        return redirect(submission.get_absolute_url())
    messages.success(request, f"投稿「{title}」已删除。")
    return redirect("news:submission_list")


urlpatterns = [
    *list_urls(SUBMISSIONS, path_prefix="news/submissions/", name="submission_list"),
    path("news/submissions/add/", submission_add, name="submission_add"),
    path("news/submissions/<int:pk>/", submission_detail, name="submission_detail"),
    path("news/submissions/<int:pk>/edit/", submission_edit, name="submission_edit"),
    path("news/submissions/<int:pk>/submit/", submission_submit, name="submission_submit"),
    path("news/submissions/<int:pk>/withdraw/", submission_withdraw, name="submission_withdraw"),
    path("news/submissions/<int:pk>/delete/", submission_delete, name="submission_delete"),
]
