"""First accounts of institutions created by the sync (manual §二)."""

import pytest

from institutions.choices import SyncMode
from institutions.models import Institution, SyncRun
from institutions.sync.engine import apply_page
from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import Membership, User
from sujt.core.notifications import sms_outbox
from tests.factories import UserFactory
from tests.institutions.sync.builders import make_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms_outbox.clear()
    yield
    sms_outbox.clear()


def sync(records: list[dict], capture) -> SyncRun:
    run = SyncRun(mode=SyncMode.INCREMENTAL)
    with capture(execute=True):
        apply_page(run=run, records=records, full=False, seen=None)
    return run


def test_a_new_institution_gets_its_contact_person_as_admin_with_a_temporary_password_by_sms(
    django_capture_on_commit_callbacks,
):
    run = sync([make_record(1)], django_capture_on_commit_callbacks)
    assert run.accounts_created == 1
    user = User.objects.get(phone="13955000001")
    assert user.name == "曹1"
    assert user.must_change_password
    assert user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.institution.source_id, membership.role) == ("INS-0001", MembershipRole.ADMIN)
    [sms] = sms_outbox
    assert sms.phone == "13955000001"
    assert "临时密码" in sms.message
    password = sms.message.split("临时密码：")[1].split("。")[0]
    assert user.check_password(password)


def test_no_password_is_sent_before_the_transaction_commits(django_capture_on_commit_callbacks):
    run = SyncRun(mode=SyncMode.INCREMENTAL)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        apply_page(run=run, records=[make_record(1)], full=False, seen=None)
    assert sms_outbox == []
    assert len(callbacks) == 1
    assert not User.objects.get(phone="13955000001").has_usable_password()


def test_the_legal_representative_phone_is_used_when_the_contact_phone_is_not_a_mobile(
    django_capture_on_commit_callbacks,
):
    run = sync([make_record(1, phone="025-85550002")], django_capture_on_commit_callbacks)
    assert run.accounts_created == 1
    user = User.objects.get(phone="13900000001")
    assert user.name == "冯1"
    assert Membership.objects.filter(user=user, role=MembershipRole.ADMIN).exists()


def test_an_existing_user_with_the_number_is_linked_not_duplicated(django_capture_on_commit_callbacks):
    existing = UserFactory(phone="13955000001", name="曹敏")
    run = sync([make_record(1)], django_capture_on_commit_callbacks)
    assert run.accounts_created == 0
    assert User.objects.filter(phone="13955000001").count() == 1
    membership = Membership.objects.get(user=existing)
    assert membership.role == MembershipRole.ADMIN
    existing.refresh_from_db()
    assert existing.check_password("Sujt@Test2026")
    [sms] = sms_outbox
    assert "原密码" in sms.message


def test_two_new_institutions_with_the_same_contact_share_one_account(django_capture_on_commit_callbacks):
    run = sync([make_record(1, phone="13800000000"), make_record(2, phone="13800000000")],
               django_capture_on_commit_callbacks)  # fmt: skip
    assert run.accounts_created == 1
    user = User.objects.get(phone="13800000000")
    assert Membership.objects.filter(user=user, role=MembershipRole.ADMIN).count() == 2


def test_without_a_valid_mobile_the_institution_is_created_with_a_warning(django_capture_on_commit_callbacks):
    record = make_record(1, phone="025-85550002")
    del record["legal_representative_phone"]
    run = sync([record], django_capture_on_commit_callbacks)
    assert (run.created, run.failed, run.accounts_created) == (1, 0, 0)
    assert run.errors == [{"record": "INS-0001", "message": run.errors[0]["message"], "level": "warning"}]
    assert "手机号" in run.errors[0]["message"]
    assert not Membership.objects.exists()


def test_a_regulator_number_never_becomes_an_institution_admin(django_capture_on_commit_callbacks):
    UserFactory(phone="13955000001", is_staff=True)
    record = make_record(1)
    del record["legal_representative_phone"]
    run = sync([record], django_capture_on_commit_callbacks)
    assert run.accounts_created == 0
    assert not Membership.objects.exists()
    assert run.errors[0]["level"] == "warning"


def test_an_existing_institution_gets_no_new_account(django_capture_on_commit_callbacks):
    sync([make_record(1)], django_capture_on_commit_callbacks)
    sms_outbox.clear()
    run = sync([make_record(1)], django_capture_on_commit_callbacks)
    assert run.accounts_created == 0
    assert Membership.objects.count() == 1
    assert Institution.objects.count() == 1
    assert sms_outbox == []
