import pytest

from sujt.core import notifications
from sujt.core.choices import ReviewStatus
from tests.core.workflow_app.models import Submission
from tests.factories import RegulatorFactory


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


@pytest.fixture
def district_regulator(db):
    """A regulator of 玄武区, the district of the `institution` fixture (320102)."""
    return RegulatorFactory(region_code="320102", user__name="玄武区监管员").user


@pytest.fixture
def other_district_regulator(db):
    """A regulator of 秦淮区: another district of the institution's city."""
    return RegulatorFactory(region_code="320104", user__name="秦淮区监管员").user
