import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sujt.accounts.choices import LoginEventKind, MembershipRole
from sujt.accounts.models import LoginEvent, Membership, PasswordHistory, Regulator, User
from sujt.accounts.selectors import active_admin_count
from sujt.accounts.services import REGULATOR_GROUP, regulator_group_ensure
from sujt.core.choices import RegionLevel
from tests.factories import InstitutionFactory, MembershipFactory, RegulatorFactory, UserFactory, make_id_card

ADMIN_LISTS = [
    "admin:accounts_user_changelist",
    "admin:accounts_membership_changelist",
    "admin:accounts_regulator_changelist",
    "admin:accounts_loginevent_changelist",
    "admin:institutions_institution_changelist",
]


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def test_the_admin_is_titled_for_regulators(client_for):
    body = client_for("superuser").get(reverse("admin:index")).content.decode()
    assert "江苏省检验检测服务平台 · 监管端" in body


@pytest.mark.parametrize("url_name", ADMIN_LISTS)
@pytest.mark.parametrize("who", ["city_regulator", "province_regulator", "superuser"])
def test_regulators_reach_their_lists(client_for, url_name, who):
    assert client_for(who).get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", ADMIN_LISTS)
def test_institution_users_do_not_reach_the_admin(client_for, url_name):
    response = client_for("inst_admin").get(reverse(url_name))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_a_staff_account_without_a_regulator_profile_sees_nothing(db):
    user = UserFactory(is_staff=True)
    user.groups.add(regulator_group_ensure())
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


# --- Users ----------------------------------------------------------------------------------------


@pytest.fixture
def people(
    inst_admin, inst_staff, other_inst_admin, city_regulator, other_city_regulator, province_regulator
):
    return {
        "nanjing": {inst_admin, inst_staff, city_regulator},
        "suzhou": {other_inst_admin, other_city_regulator},
        "province": {province_regulator},
    }


def test_a_city_regulator_sees_only_users_of_their_region(client_for, people):
    users = set(listed(client_for("city_regulator").get(reverse("admin:accounts_user_changelist"))))
    assert users == people["nanjing"]


def test_the_province_sees_every_user(client_for, people):
    users = set(listed(client_for("province_regulator").get(reverse("admin:accounts_user_changelist"))))
    assert users >= people["nanjing"] | people["suzhou"] | people["province"]


def test_a_district_regulator_sees_only_their_district(client_for, people, institution, db):
    district = RegulatorFactory(region_code="320102", bureau="玄武区市场监督管理局").user
    district.groups.add(regulator_group_ensure())
    elsewhere = MembershipFactory(institution=InstitutionFactory(region_code="320104")).user
    client = Client()
    client.force_login(district)
    users = set(listed(client.get(reverse("admin:accounts_user_changelist"))))
    assert users == {p for p in people["nanjing"] if p.memberships.exists()} | {district}
    assert elsewhere not in users


def test_another_citys_user_does_not_exist_for_a_city_regulator(client_for, other_inst_admin):
    client = client_for("city_regulator")
    response = client.get(reverse("admin:accounts_user_change", args=[other_inst_admin.pk]))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:accounts_user_history", args=[other_inst_admin.pk])).status_code == 404


def test_users_are_listed_and_read_with_the_id_card_masked(client_for, inst_staff):
    client = client_for("city_regulator")
    body = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert inst_staff.masked_id_card in body and inst_staff.id_card_number not in body
    page = client.get(reverse("admin:accounts_user_change", args=[inst_staff.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert inst_staff.masked_id_card in body and inst_staff.id_card_number not in body
    # Reading only: no save.
    assert (
        client.post(reverse("admin:accounts_user_change", args=[inst_staff.pk]), {"name": "x"}).status_code
        == 403
    )


def test_user_search_and_filters(client_for, inst_admin, inst_staff):
    client = client_for("province_regulator")
    url = reverse("admin:accounts_user_changelist")
    assert listed(client.get(url, {"q": "经办人乙"})) == [inst_staff]
    assert listed(client.get(url, {"q": inst_admin.phone})) == [inst_admin]
    inst_staff.is_active = False
    inst_staff.save()
    assert inst_staff in listed(client.get(url, {"is_active__exact": "0"}))
    assert inst_staff not in listed(client.get(url, {"is_active__exact": "1"}))


def test_a_superuser_creates_a_user_through_password_set(client_for, db):
    response = client_for("superuser").post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "13755556666",
            "name": "后台新增",
            "id_card_number": make_id_card(21),
            "email": "",
            "password1": "Admin@Made2026",
            "password2": "Admin@Made2026",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(phone="13755556666")
    assert user.check_password("Admin@Made2026")
    assert user.must_change_password is True
    assert PasswordHistory.objects.filter(user=user).count() == 1


def test_the_admin_create_form_applies_the_password_policy(client_for, db):
    response = client_for("superuser").post(
        reverse("admin:accounts_user_add"),
        {"phone": "13755556667", "name": "弱密码", "password1": "weakpass", "password2": "weakpass"},
    )
    assert response.status_code == 200
    assert "密码长度不足" in response.content.decode()
    assert not User.objects.filter(phone="13755556667").exists()


def test_a_superuser_sets_a_password_through_password_set(client_for, inst_staff):
    url = reverse("admin:auth_user_password_change", args=[inst_staff.pk])
    client = client_for("superuser")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "password1": "Set@ByAdmin2026",
            "password2": "Set@ByAdmin2026",
            "must_change": "on",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    inst_staff.refresh_from_db()
    assert inst_staff.check_password("Set@ByAdmin2026") and inst_staff.must_change_password is True
    assert PasswordHistory.objects.filter(user=inst_staff).exists()


# --- Regulators and memberships -------------------------------------------------------------------


def test_only_superusers_create_and_change_regulators(client_for, city_regulator):
    regulator = Regulator.objects.get(user=city_regulator)
    client = client_for("province_regulator")
    assert client.get(reverse("admin:accounts_regulator_add")).status_code == 403
    change = reverse("admin:accounts_regulator_change", args=[regulator.pk])
    assert client.get(change).status_code == 200  # read only
    assert client.post(change, {"bureau": "改"}).status_code == 403


def test_a_superuser_adds_a_regulator_and_the_account_becomes_one(client_for, db):
    user = UserFactory(name="新监管员")
    response = client_for("superuser").post(
        reverse("admin:accounts_regulator_add"),
        {"user": user.pk, "region_code": "320200", "bureau": "无锡市市场监督管理局", "is_active": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    regulator = Regulator.objects.get(user=user)
    assert regulator.level == RegionLevel.CITY
    user.refresh_from_db()
    assert user.is_staff and user.groups.filter(name=REGULATOR_GROUP).exists()
    assert user.region_scope == "320200"


def test_an_institution_user_cannot_become_a_regulator(client_for, inst_staff):
    response = client_for("superuser").post(
        reverse("admin:accounts_regulator_add"),
        {"user": inst_staff.pk, "region_code": "320200", "bureau": "无锡", "is_active": "on"},
    )
    assert response.status_code == 200
    assert not Regulator.objects.filter(user=inst_staff).exists()


def test_a_city_regulator_sees_the_regulators_of_their_region_only(
    client_for, city_regulator, other_city_regulator
):
    regulators = {
        r.user
        for r in listed(client_for("city_regulator").get(reverse("admin:accounts_regulator_changelist")))
    }
    assert regulators == {city_regulator}


def test_memberships_are_scoped_to_the_region(client_for, inst_admin, inst_staff, other_inst_admin):
    client = client_for("city_regulator")
    memberships = listed(client.get(reverse("admin:accounts_membership_changelist")))
    assert {m.user for m in memberships} == {inst_admin, inst_staff}
    other = Membership.objects.get(user=other_inst_admin)
    assert client.get(reverse("admin:accounts_membership_change", args=[other.pk])).status_code == 302


def test_the_membership_admin_keeps_the_last_admin(client_for, inst_admin, institution):
    membership = Membership.objects.get(user=inst_admin)
    response = client_for("superuser").post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {"role": "staff", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "至少保留一名" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "admin"


# --- Login audit ----------------------------------------------------------------------------------


@pytest.fixture
def login_events(inst_admin, other_inst_admin):
    """Four audit rows; call after logging the viewer in (their own login is an event too)."""

    def make() -> dict[str, LoginEvent]:
        LoginEvent.objects.all().delete()
        now = timezone.now()
        rows = {
            "nanjing_login": (LoginEventKind.LOGIN, inst_admin, inst_admin.phone, "10.1.1.1"),
            "nanjing_failed": (LoginEventKind.FAILED, inst_admin, inst_admin.phone, "10.1.1.2"),
            "suzhou_login": (LoginEventKind.LOGIN, other_inst_admin, other_inst_admin.phone, "10.2.2.2"),
            "unknown_failed": (LoginEventKind.FAILED, None, "13999999999", "10.3.3.3"),
        }
        return {
            key: LoginEvent.objects.create(kind=kind, user=user, phone=phone, ip_address=ip, created_at=now)
            for key, (kind, user, phone, ip) in rows.items()
        }

    return make


def test_the_login_audit_is_searchable_and_filterable(client_for, login_events, inst_admin):
    client = client_for("province_regulator")
    login_events = login_events()
    url = reverse("admin:accounts_loginevent_changelist")
    assert set(listed(client.get(url))) == set(login_events.values())
    assert set(listed(client.get(url, {"q": inst_admin.phone}))) == {
        login_events["nanjing_login"],
        login_events["nanjing_failed"],
    }
    assert listed(client.get(url, {"q": "10.3.3.3"})) == [login_events["unknown_failed"]]
    assert set(listed(client.get(url, {"kind__exact": "failed"}))) == {
        login_events["nanjing_failed"],
        login_events["unknown_failed"],
    }
    today = timezone.localdate()
    by_day = {"created_at__year": today.year, "created_at__month": today.month, "created_at__day": today.day}
    assert len(listed(client.get(url, by_day))) == 4
    assert listed(client.get(url, {**by_day, "created_at__year": today.year - 1})) == []


def test_a_city_regulator_sees_the_login_audit_of_their_region(client_for, login_events):
    client = client_for("city_regulator")
    login_events = login_events()
    events = set(listed(client.get(reverse("admin:accounts_loginevent_changelist"))))
    assert events == {login_events["nanjing_login"], login_events["nanjing_failed"]}


def test_the_login_audit_cannot_be_added_changed_or_deleted(client_for, login_events):
    client = client_for("superuser")
    login_events = login_events()
    event = login_events["nanjing_login"]
    assert client.get(reverse("admin:accounts_loginevent_add")).status_code == 403
    change = reverse("admin:accounts_loginevent_change", args=[event.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"phone": "13000000000"}).status_code == 403
    assert (
        client.post(reverse("admin:accounts_loginevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    response = client.post(
        reverse("admin:accounts_loginevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert LoginEvent.objects.filter(pk=event.pk).exists()
    assert response.status_code in (200, 302)


def test_the_user_admin_history_is_read_only(client_for, inst_staff):
    inst_staff.name = "改过的名字"
    inst_staff.save()
    history = inst_staff.history.order_by("history_date").first()
    client = client_for("superuser")
    url = reverse("admin:accounts_user_simple_history", args=[inst_staff.pk, history.history_id])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no 还原 (revert) button
    assert client.post(url, {"phone": inst_staff.phone, "name": "经办人乙"}).status_code == 403
    inst_staff.refresh_from_db()
    assert inst_staff.name == "改过的名字"


def test_admin_password_change_goes_to_the_policy_page_and_records_history(client_for, city_regulator):
    from django.utils import timezone

    from sujt.accounts.models import PasswordHistory
    from tests.factories import DEFAULT_PASSWORD

    before = timezone.now()
    client = client_for("city_regulator")
    assert client.get("/admin/password_change/").url == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Jianguan#2026x",
            "new_password2": "Jianguan#2026x",
        },
    )
    assert response.status_code == 302
    city_regulator.refresh_from_db()
    assert city_regulator.check_password("Jianguan#2026x")
    assert city_regulator.password_changed_at >= before
    assert PasswordHistory.objects.filter(user=city_regulator).count() == 1

    # The policy applies there too: the phone number inside the password is refused with its reason.
    weak = client.post(
        "/accounts/password/",
        {
            "old_password": "Jianguan#2026x",
            "new_password1": f"Ab#{city_regulator.phone}",
            "new_password2": f"Ab#{city_regulator.phone}",
        },
    )
    assert weak.status_code == 200
    assert "密码不能包含您的手机号码" in weak.content.decode()


@pytest.mark.parametrize("who", ["city_regulator", "superuser"])
def test_the_user_history_shows_id_card_numbers_masked(client_for, inst_staff, who):
    old_number, new_number = inst_staff.id_card_number, make_id_card(9876)
    inst_staff.id_card_number = new_number
    inst_staff.save()
    client = client_for(who)
    page = client.get(reverse("admin:accounts_user_history", args=[inst_staff.pk])).content.decode()
    assert "身份证号" in page  # the change is listed ...
    for number in (old_number, new_number):
        assert number not in page  # ... but not the numbers
        assert f"{number[:6]}********{number[-4:]}" in page
    if who == "city_regulator":
        first = inst_staff.history.order_by("history_date").first()
        url = reverse("admin:accounts_user_simple_history", args=[inst_staff.pk, first.history_id])
        record = client.get(url).content.decode()
        assert old_number not in record and f"{old_number[:6]}********{old_number[-4:]}" in record


# --- Issue 10 item 13: admin changes memberships through the services --------------------------


def test_admin_role_changes_go_through_the_service_and_leave_a_history_reason(
    client_for, inst_admin, inst_staff, institution
):
    membership = Membership.objects.get(user=inst_staff)
    response = client_for("superuser").post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {"role": "admin", "is_active": "on"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "admin"
    assert membership.history.latest().history_change_reason.startswith("模块权限")


def test_admin_cannot_disable_the_last_active_admin(client_for, inst_admin):
    membership = Membership.objects.get(user=inst_admin)
    response = client_for("superuser").post(
        reverse("admin:accounts_membership_change", args=[membership.pk]), {"role": "admin"}
    )
    assert response.status_code == 200
    assert "机构必须至少保留一名启用状态的机构管理员" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_active


def test_memberships_are_not_added_in_admin(client_for):
    assert client_for("superuser").get(reverse("admin:accounts_membership_add")).status_code == 403


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions need PostgreSQL (DATABASE_URL=postgres://…); SQLite serialises writes",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(3))
def test_two_superusers_demoting_two_admins_at_once_leave_one(institution, rounds):
    """The form's old check counted admins without a lock: both saves passed and no admin was left."""
    first = MembershipFactory(institution=institution, role=MembershipRole.ADMIN)
    second = MembershipFactory(institution=institution, role=MembershipRole.ADMIN)
    start = threading.Barrier(2)
    statuses: dict[int, int] = {}

    def demote(target_pk: int) -> None:
        try:
            client = Client()
            client.force_login(UserFactory(is_staff=True, is_superuser=True))
            start.wait(timeout=10)
            url = reverse("admin:accounts_membership_change", args=[target_pk])
            statuses[target_pk] = client.post(url, {"role": "staff", "is_active": "on"}).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=demote, args=(m.pk,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses.values()) == [200, 302]
    assert active_admin_count(institution_id=institution.pk) == 1
