"""History rows name who acted: the admin in a request, the named system user in a background job."""

from django.urls import reverse

from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import Membership, User
from sujt.core.audit import acting_as, system_user
from tests.factories import DEFAULT_PASSWORD


def latest(history):
    return history.order_by("-history_date", "-history_id").first()


def test_disabling_a_member_records_the_admin_in_history(client_for, inst_admin, inst_staff, institution):
    membership = Membership.objects.get(user=inst_staff, institution=institution)
    client_for("inst_admin").post(reverse("accounts:user_disable", args=[membership.pk]))
    row = latest(membership.history)
    assert row.is_active is False
    assert row.history_user == inst_admin
    assert row.history_change_reason == "停用"


def test_changing_permissions_records_the_admin_and_the_new_permissions(
    client_for, inst_admin, inst_staff, institution
):
    membership = Membership.objects.get(user=inst_staff, institution=institution)
    client_for("inst_admin").post(
        reverse("accounts:user_edit", args=[membership.pk]),
        {"role": "staff", "perms": ["submit_news", "fill_reports"]},
    )
    row = latest(membership.history)
    assert row.history_user == inst_admin
    assert row.history_change_reason == "模块权限：新闻资讯发布、运营数据填报"


def test_an_added_user_is_created_by_the_admin_in_history(client_for, inst_admin):
    client_for("inst_admin").post(
        reverse("accounts:user_add"), {"phone": "13712349999", "name": "新人", "role": MembershipRole.STAFF}
    )
    user = User.objects.get(phone="13712349999")
    created = user.history.filter(history_type="+").get()
    assert created.history_user == inst_admin
    assert Membership.objects.get(user=user).history.filter(history_type="+").get().history_user == inst_admin


def test_a_password_change_is_attributed_to_the_user(client_for, inst_admin):
    client_for("inst_admin").post(
        reverse("accounts:password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Mine@Own2026x",
            "new_password2": "Mine@Own2026x",
        },
    )
    row = latest(inst_admin.history)
    assert row.history_user == inst_admin
    assert row.password_changed_at is not None


def test_a_change_made_by_a_background_job_is_attributed_to_the_named_system_user(institution, inst_staff):
    sync = system_user("资质认定同步")
    with acting_as(sync):
        institution.name = "金陵测试检测技术有限公司（更名）"
        institution.save()
        inst_staff.name = "同步更新的姓名"
        inst_staff.save()
    assert latest(institution.history).history_user == sync
    assert latest(inst_staff.history).history_user == sync
    assert sync.name == "资质认定同步" and sync.is_system and not sync.is_active
    assert system_user("资质认定同步") == sync
