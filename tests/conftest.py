import os

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from sujt.accounts.choices import MembershipRole
from tests.factories import InstitutionFactory, MembershipFactory, RegulatorFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's async-safety check would
# otherwise refuse ORM calls made from such tests. Set here, for tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none (and leaves none behind)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def institution(db):
    return InstitutionFactory(name="金陵测试检测技术有限公司", region_code="320102")


@pytest.fixture
def other_institution(db):
    return InstitutionFactory(name="姑苏示例检验检测有限公司", region_code="320505")


@pytest.fixture
def inst_admin(institution):
    return MembershipFactory(
        institution=institution, role=MembershipRole.ADMIN, user__name="机构管理员甲"
    ).user


@pytest.fixture
def inst_staff(institution):
    """A staff member of `institution` holding no module permission."""
    return MembershipFactory(institution=institution, role=MembershipRole.STAFF, user__name="经办人乙").user


@pytest.fixture
def other_inst_admin(other_institution):
    return MembershipFactory(
        institution=other_institution, role=MembershipRole.ADMIN, user__name="他机构管理员"
    ).user


def _regulator_group() -> Group:
    from sujt.accounts.services import regulator_group_ensure

    return regulator_group_ensure()


@pytest.fixture
def city_regulator(db):
    reg = RegulatorFactory(region_code="320100", bureau="南京市市场监督管理局", user__name="南京监管员")
    reg.user.groups.add(_regulator_group())
    return reg.user


@pytest.fixture
def other_city_regulator(db):
    reg = RegulatorFactory(region_code="320500", bureau="苏州市市场监督管理局", user__name="苏州监管员")
    reg.user.groups.add(_regulator_group())
    return reg.user


@pytest.fixture
def province_regulator(db):
    reg = RegulatorFactory(region_code="320000", bureau="江苏省市场监督管理局", user__name="省局监管员")
    reg.user.groups.add(_regulator_group())
    return reg.user


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, name="超级管理员")


@pytest.fixture
def client_for(request, db):
    """client_for("inst_admin") -> a Client logged in as that fixture's user; "anonymous" -> logged out."""

    def make(who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        return client

    return make


@pytest.fixture
def clerk(db, grant):
    """clerk(institution, "经办人丙", "submit_news", ...): a staff member holding those module permissions."""

    def make(institution, name: str, *codes: str):
        user = MembershipFactory(institution=institution, role=MembershipRole.STAFF, user__name=name).user
        grant(user, institution, *codes)
        return user

    return make


@pytest.fixture
def grant(db):
    """grant(user, institution, "submit_news", ...) gives a staff member module permissions."""
    from guardian.shortcuts import assign_perm

    def give(user, institution, *codes: str) -> None:
        for code in codes:
            assign_perm(f"institutions.{code}", user, institution)

    return give


@pytest.fixture(scope="module")
def demo_seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """`manage.py seed_demo` run once for a test module, in a transaction rolled back after the module.

    Each test of the module still runs in its own savepoint on top of it. Yields (the command's output,
    the private media directory holding the seeded attachments: point PRIVATE_MEDIA_ROOT at it to read
    them).
    """
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    private = tmp_path_factory.mktemp("demo-private")
    with django_db_blocker.unblock(), override_settings(PRIVATE_MEDIA_ROOT=private), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue(), private
        transaction.set_rollback(True)
