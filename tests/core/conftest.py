import pytest

from sujt.core import notifications
from sujt.core.choices import ReviewStatus
from tests.core.workflow_app.models import Submission


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    notifications.sms_outbox.clear()
    yield
    notifications.sms_outbox.clear()


@pytest.fixture
def make_submission(institution):
    def make(status: str = ReviewStatus.DRAFT, **kwargs) -> Submission:
        kwargs.setdefault("institution", institution)
        kwargs.setdefault("title", "2026年度信用承诺书")
        return Submission.objects.create(status=status, **kwargs)

    return make


@pytest.fixture
def draft(make_submission):
    return make_submission()
