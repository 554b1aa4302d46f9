import pytest
from django.core.cache import cache
from django.utils import timezone

from sujt.core import modules
from sujt.core.models import Notification
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    # The home page's figures live in the cache; each test starts from an empty one.
    cache.clear()


@pytest.fixture
def module_registry(monkeypatch):
    """An empty copy of the navigation registries, restored after the test; returns the modules module."""
    monkeypatch.setattr(modules, "_module_entries", {})
    monkeypatch.setattr(modules, "_system_entries", {})
    return modules


@pytest.fixture
def lone_user(db):
    """A logged-in user who belongs to no institution and is not staff."""
    return UserFactory(name="无机构用户")


@pytest.fixture
def make_notification(db):
    def make(user, *, title="审核结果通知", body="", url="", read=False, **extra):
        return Notification.objects.create(
            recipient=user, title=title, body=body, url=url, read_at=timezone.now() if read else None, **extra
        )

    return make
