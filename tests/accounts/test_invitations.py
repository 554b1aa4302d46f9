"""Issue 10 item 1: an existing account joins an institution only when its owner accepts an invitation.

Adding a phone that already has an account used to link it to the adding institution at once and echo the
person's name; that institution could then reset the person's platform-wide password.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sujt.accounts import services
from sujt.accounts.choices import InvitationStatus, MembershipRole
from sujt.accounts.models import Invitation, Membership
from sujt.accounts.selectors import module_perms_of
from sujt.core.models import Notification
from sujt.core.todos import todos_for
from tests.factories import MembershipFactory

ADD_URL = reverse("accounts:user_add")
LIST_URL = reverse("accounts:user_list")
INVITATIONS_URL = reverse("accounts:invitations")


def texts(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def invite(client, phone: str, **data):
    payload = {"phone": phone, "name": "随便填的名字", "id_card_number": "", "email": "", "role": "staff"}
    payload.update(data)
    return client.post(ADD_URL, payload)


@pytest.fixture
def invitation(institution, inst_admin, other_inst_admin):
    """inst_admin's institution invites other_inst_admin (an account of another institution)."""
    return services.membership_add(
        institution=institution, by=inst_admin, phone=other_inst_admin.phone, name="", perms={"submit_news"}
    ).invitation


def test_inviting_links_nothing_and_shows_nothing_of_the_person(
    client_for, institution, other_inst_admin, sms_outbox, django_capture_on_commit_callbacks
):
    client = client_for("inst_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, other_inst_admin.phone, perms=["submit_news"])
    assert not Membership.objects.filter(user=other_inst_admin, institution=institution).exists()
    invitation = Invitation.objects.get(user=other_inst_admin, institution=institution)
    assert invitation.status == InvitationStatus.PENDING and invitation.perms == ["submit_news"]
    assert other_inst_admin.name not in texts(response)[0]
    page = client.get(LIST_URL).content.decode()
    assert other_inst_admin.phone in page and other_inst_admin.name not in page
    assert "待接受的邀请" in page
    # The person hears of it in-site and by SMS, with no password in it.
    assert Notification.objects.filter(recipient=other_inst_admin, title__contains="邀请您加入").exists()
    assert [m.phone for m in sms_outbox] == [other_inst_admin.phone]
    assert "临时密码" not in sms_outbox[0].message


def test_the_invited_person_accepts_and_joins_with_the_invited_role_and_permissions(
    invitation, other_inst_admin, institution, inst_admin
):
    client = Client()
    client.force_login(other_inst_admin)
    page = client.get(INVITATIONS_URL).content.decode()
    assert institution.name in page and "接受并加入" in page
    response = client.post(reverse("accounts:invitation_accept", args=[invitation.pk]))
    assert response.url == reverse("portal:dashboard")
    membership = Membership.objects.get(user=other_inst_admin, institution=institution)
    assert membership.role == MembershipRole.STAFF and membership.created_by == inst_admin
    assert module_perms_of(membership=membership) == {"submit_news"}
    assert client.session["current_institution_id"] == institution.pk
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.decided_at is not None
    assert [h.status for h in invitation.history.order_by("history_date")] == ["pending", "accepted"]
    assert Notification.objects.filter(recipient=inst_admin, title__contains="已接受邀请").exists()


def test_declining_links_nothing(invitation, other_inst_admin, institution, inst_admin):
    client = Client()
    client.force_login(other_inst_admin)
    client.post(reverse("accounts:invitation_decline", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert not Membership.objects.filter(user=other_inst_admin, institution=institution).exists()
    # Once decided, it cannot be accepted after all.
    response = client.post(reverse("accounts:invitation_accept", args=[invitation.pk]))
    assert response.url == INVITATIONS_URL
    assert not Membership.objects.filter(user=other_inst_admin, institution=institution).exists()


@pytest.mark.parametrize("who", ["inst_admin", "inst_staff", "city_regulator"])
def test_only_the_invited_person_can_accept_or_decline(invitation, client_for, who):
    client = client_for(who)
    for name in ("accounts:invitation_accept", "accounts:invitation_decline"):
        assert client.post(reverse(name, args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_the_invitations_page_needs_a_login(invitation):
    response = Client().get(INVITATIONS_URL)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_accept_and_decline_are_post_only(invitation, other_inst_admin):
    client = Client()
    client.force_login(other_inst_admin)
    assert client.get(reverse("accounts:invitation_accept", args=[invitation.pk])).status_code == 405


def test_an_expired_invitation_cannot_be_accepted_and_may_be_sent_again(
    invitation, other_inst_admin, institution, inst_admin
):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="该邀请已过期"):
        services.invitation_accept(invitation=invitation, by=other_inst_admin)
    assert not Membership.objects.filter(user=other_inst_admin, institution=institution).exists()
    again = services.membership_add(
        institution=institution, by=inst_admin, phone=other_inst_admin.phone, name=""
    ).invitation
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED and again.status == InvitationStatus.PENDING


def test_a_second_invitation_while_one_is_pending_is_refused(client_for, invitation, other_inst_admin):
    response = invite(client_for("inst_admin"), other_inst_admin.phone)
    assert response.status_code == 200
    assert "正在等待对方接受" in response.content.decode()
    assert Invitation.objects.filter(user=other_inst_admin).count() == 1


def test_the_institution_revokes_a_pending_invitation(client_for, invitation, other_inst_admin, institution):
    client_for("inst_admin").post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    with pytest.raises(ValidationError, match="已撤回"):
        services.invitation_accept(invitation=invitation, by=other_inst_admin)
    assert not Membership.objects.filter(user=other_inst_admin, institution=institution).exists()


def test_another_institution_cannot_revoke_it(client_for, invitation):
    response = client_for("other_inst_admin").post(
        reverse("accounts:invitation_revoke", args=[invitation.pk])
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_a_staff_manager_cannot_invite_as_admin(institution, grant, other_inst_admin):
    manager = MembershipFactory(institution=institution, role=MembershipRole.STAFF).user
    grant(manager, institution, "manage_users")
    with pytest.raises(ValidationError, match="仅机构管理员可以添加机构管理员"):
        services.membership_add(
            institution=institution, by=manager, phone=other_inst_admin.phone, name="", role="admin"
        )
    assert not Invitation.objects.exists()


def test_someone_with_no_active_institution_logs_in_to_answer_an_invitation(institution, inst_admin, login):
    former = MembershipFactory(is_active=False).user
    services.membership_add(institution=institution, by=inst_admin, phone=former.phone, name="")
    client = Client()
    response = login(client, former.phone)
    assert response.status_code == 302 and response.url == INVITATIONS_URL
    assert institution.name in client.get(INVITATIONS_URL).content.decode()


def test_a_pending_invitation_is_a_dashboard_todo(invitation, other_inst_admin, institution):
    titles = [todo.title for todo in todos_for(other_inst_admin)]
    assert any(institution.name in title and "邀请" in title for title in titles)
    services.invitation_decline(invitation=invitation, by=other_inst_admin)
    assert not any("邀请" in todo.title for todo in todos_for(other_inst_admin))


def test_the_invitations_page_has_an_empty_state(client_for):
    assert "没有待处理的机构邀请" in client_for("inst_staff").get(INVITATIONS_URL).content.decode()


def test_both_sides_see_the_invited_role_and_module_permissions(client_for, invitation, other_inst_admin):
    listed = client_for("inst_admin").get(LIST_URL).content.decode()
    assert "新闻资讯发布" in listed.split("待接受的邀请")[-1]
    client = Client()
    client.force_login(other_inst_admin)
    page = client.get(INVITATIONS_URL).content.decode()
    assert "经办人" in page and "新闻资讯发布" in page
    assert INVITATIONS_URL in client.get(reverse("portal:dashboard")).content.decode()
