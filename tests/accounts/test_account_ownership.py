"""Issue 10 item 1: an institution acts on an account itself (password, identity) only when every active
membership of that user is in that institution; otherwise the person or a regulator does."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sujt.accounts import services
from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import Membership
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, make_id_card


def texts(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def shared_member(institution, other_institution):
    """A staff member of `institution` who is also an active member of `other_institution`."""
    membership = MembershipFactory(
        institution=institution, role=MembershipRole.STAFF, user__name="双机构人员"
    )
    MembershipFactory(user=membership.user, institution=other_institution, role=MembershipRole.ADMIN)
    return membership


def test_an_institution_cannot_reset_the_password_of_someone_who_also_works_elsewhere(
    client_for, shared_member, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("inst_admin").post(
            reverse("accounts:user_reset_password", args=[shared_member.pk])
        )
    message = texts(response)[0]
    assert "同时是其他机构的用户" in message and "本人" in message and "监管部门" in message
    shared_member.user.refresh_from_db()
    assert shared_member.user.check_password(DEFAULT_PASSWORD)
    assert not shared_member.user.must_change_password
    assert sms_outbox == []


def test_the_list_says_who_resets_a_shared_account_instead_of_offering_the_button(client_for, shared_member):
    page = client_for("inst_admin").get(reverse("accounts:user_list")).content.decode()
    assert reverse("accounts:user_reset_password", args=[shared_member.pk]) not in page
    assert "密码由本人或监管部门重置" in page


def test_an_inactive_membership_elsewhere_does_not_count(institution, inst_admin, shared_member, sms_outbox):
    Membership.objects.filter(user=shared_member.user).exclude(institution=institution).update(
        is_active=False
    )
    services.membership_password_reset(membership=shared_member, by=inst_admin)
    shared_member.user.refresh_from_db()
    assert shared_member.user.must_change_password


def test_a_regulator_of_the_region_may_reset_a_shared_account(shared_member, city_regulator):
    services.membership_password_reset(membership=shared_member, by=city_regulator)
    shared_member.user.refresh_from_db()
    assert shared_member.user.must_change_password


def test_an_institution_cannot_change_the_identity_of_someone_who_also_works_elsewhere(
    client_for, shared_member, inst_admin
):
    user = shared_member.user
    user.info_confirmed_at = None
    user.save()
    url = reverse("accounts:user_edit", args=[shared_member.pk])
    client = client_for("inst_admin")
    page = client.get(url).content.decode()
    assert 'name="id_card_number"' not in page and "同时在其他机构任职" in page
    client.post(url, {"role": "staff", "name": "被改的名字", "id_card_number": make_id_card(7)})
    user.refresh_from_db()
    assert user.name == "双机构人员"
    with pytest.raises(ValidationError, match="不能修改其姓名和身份证号"):
        services.membership_update(
            membership=shared_member, by=inst_admin, role="staff", perms=set(), name="被改的名字"
        )
    user.refresh_from_db()
    assert user.name == "双机构人员"


def test_role_and_permissions_of_a_shared_account_stay_editable(shared_member, inst_admin):
    services.membership_update(membership=shared_member, by=inst_admin, role="staff", perms={"submit_news"})
    shared_member.refresh_from_db()
    assert shared_member.role == "staff"
