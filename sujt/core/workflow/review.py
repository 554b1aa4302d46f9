"""The common review's services: thin wrappers over `transition` with REVIEW_WORKFLOW's names, kept so
every caller (error reports, news submissions, admin) reads as before. `side`, when given, is checked as
in `transition`."""

from typing import Any

from ..models import ReviewTransition
from .engine import transition


def review_submit(*, obj: Any, by: Any, comment: str = "", side: str | None = None) -> ReviewTransition:
    """The institution submits a draft for review."""
    return transition(obj=obj, name="submit", by=by, comment=comment, side=side)


def review_resubmit(*, obj: Any, by: Any, comment: str = "", side: str | None = None) -> ReviewTransition:
    """The institution submits again after a return."""
    return transition(obj=obj, name="resubmit", by=by, comment=comment, side=side)


def review_approve(*, obj: Any, by: Any, comment: str = "", side: str | None = None) -> ReviewTransition:
    return transition(obj=obj, name="approve", by=by, comment=comment, side=side)


def review_return(*, obj: Any, by: Any, comment: str, side: str | None = None) -> ReviewTransition:
    """Back to the institution for changes; the comment (required) says what to change."""
    return transition(obj=obj, name="return", by=by, comment=comment, side=side)


def review_reject(*, obj: Any, by: Any, comment: str, side: str | None = None) -> ReviewTransition:
    """Not approved; the comment (required) says why."""
    return transition(obj=obj, name="reject", by=by, comment=comment, side=side)


def review_withdraw(*, obj: Any, by: Any, comment: str = "", side: str | None = None) -> ReviewTransition:
    """The institution withdraws a draft or a submission not yet decided."""
    return transition(obj=obj, name="withdraw", by=by, comment=comment, side=side)
