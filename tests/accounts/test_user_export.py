import datetime
import io
from urllib.parse import quote

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from sujt.accounts.choices import LoginEventKind, MembershipRole
from sujt.accounts.models import LoginEvent, Membership, User
from sujt.core.excel import XLSX_CONTENT_TYPE
from sujt.core.validators import mask_id_card
from tests.factories import MembershipFactory, UserFactory

EXPORT_URL = reverse("accounts:user_export")
LIST_URL = reverse("accounts:user_list")
HEADER = ("手机号", "姓名", "身份证号", "角色", "状态", "模块权限")


def rows_of(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


def names_in(response) -> list[str]:
    rows = rows_of(response)
    assert rows[0] == HEADER
    return sorted(row[1] for row in rows[1:])


def cells_of(response) -> set:
    return {value for row in rows_of(response) for value in row}


@pytest.fixture
def user_manager(institution, grant):
    """A staff member (not admin) holding manage_users."""
    user = MembershipFactory(institution=institution, role=MembershipRole.STAFF, user__name="人事经办").user
    grant(user, institution, "manage_users")
    return user


# --- The workspace export -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["anonymous", "inst_staff", "city_regulator", "inst_admin", "other_inst_admin"]
)
def test_user_export_permission_matrix(client_for, inst_admin, inst_staff, other_inst_admin, who):
    response = client_for(who).get(EXPORT_URL)
    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    elif who == "inst_staff":  # a member without manage_users
        assert response.status_code == 403
    elif who == "city_regulator":  # no institution: the workspace does not exist
        assert response.status_code == 404
    elif who == "inst_admin":
        assert names_in(response) == sorted(["机构管理员甲", "经办人乙"])
    else:
        assert names_in(response) == ["他机构管理员"]


def test_a_staff_member_holding_manage_users_may_export(institution, inst_admin, user_manager):
    client = Client()
    client.force_login(user_manager)
    assert names_in(client.get(EXPORT_URL)) == sorted(["机构管理员甲", "人事经办"])


def test_another_institutions_members_never_appear(client_for, inst_admin, other_inst_admin):
    cells = cells_of(client_for("inst_admin").get(EXPORT_URL))
    assert other_inst_admin.phone not in cells
    assert "他机构管理员" not in cells


def test_id_card_numbers_are_masked(client_for, inst_admin, inst_staff):
    response = client_for("inst_admin").get(EXPORT_URL)
    cells = cells_of(response)
    assert inst_staff.id_card_number not in cells
    assert inst_admin.id_card_number not in cells
    assert mask_id_card(inst_staff.id_card_number) in cells
    assert inst_staff.id_card_number.encode() not in response.content


def test_each_row_reads_like_the_list(client_for, institution, inst_admin, inst_staff, grant):
    grant(inst_staff, institution, "submit_news", "manage_profile")
    rows = {row[1]: row for row in rows_of(client_for("inst_admin").get(EXPORT_URL))[1:]}
    assert rows["经办人乙"] == (
        inst_staff.phone,
        "经办人乙",
        mask_id_card(inst_staff.id_card_number),
        "经办人",
        "启用",
        "机构风采管理、新闻资讯发布",
    )
    assert rows["机构管理员甲"][3:] == ("机构管理员", "启用", "全部模块")


def test_a_member_without_module_permissions_reads_none(client_for, inst_admin, inst_staff):
    rows = {row[1]: row for row in rows_of(client_for("inst_admin").get(EXPORT_URL))[1:]}
    assert rows["经办人乙"][5] == "无"


def test_the_status_column_tells_disabled_members_and_accounts_apart(
    client_for, institution, inst_admin, inst_staff
):
    Membership.objects.filter(user=inst_staff).update(is_active=False)
    blocked = MembershipFactory(institution=institution, user__name="被监管端停用").user
    User.objects.filter(pk=blocked.pk).update(is_active=False)
    rows = {row[1]: row for row in rows_of(client_for("inst_admin").get(EXPORT_URL))[1:]}
    assert rows["经办人乙"][4] == "停用"
    assert rows["被监管端停用"][4] == "账号已被监管端停用"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["机构管理员甲", "经办人乙"]),
        ({"q": "经办人乙"}, ["经办人乙"]),
        ({"role": "admin"}, ["机构管理员甲"]),
        ({"status": "inactive"}, ["经办人乙"]),
        ({"status": "active"}, ["机构管理员甲"]),
        ({"q": "没有这个人"}, []),
    ],
)
def test_the_export_honours_the_lists_search_and_filters(client_for, inst_admin, inst_staff, query, expected):
    Membership.objects.filter(user=inst_staff).update(is_active=False)
    assert names_in(client_for("inst_admin").get(EXPORT_URL, query)) == sorted(expected)


def test_the_export_is_not_paginated(client_for, institution, inst_admin):
    MembershipFactory.create_batch(24, institution=institution)
    assert len(rows_of(client_for("inst_admin").get(EXPORT_URL, {"page": "2"}))) == 1 + 25


def test_the_file_is_named_after_the_institution(client_for, institution, inst_admin):
    disposition = client_for("inst_admin").get(EXPORT_URL)["Content-Disposition"]
    assert f"filename*=UTF-8''{quote(institution.name + '-用户列表-')}" in disposition
    assert disposition.endswith(".xlsx")


def test_the_user_list_links_to_the_export_with_its_filters(client_for, inst_admin):
    client = client_for("inst_admin")
    plain = client.get(LIST_URL)
    assert plain.context["export_url"] == EXPORT_URL
    assert f'href="{EXPORT_URL}"' in plain.content.decode()
    filtered = client.get(LIST_URL, {"q": "经办", "role": "staff", "status": "", "page": "1"})
    assert filtered.context["export_url"] == f"{EXPORT_URL}?q=%E7%BB%8F%E5%8A%9E&role=staff"
    assert f'href="{EXPORT_URL}?q=%E7%BB%8F%E5%8A%9E&amp;role=staff"' in filtered.content.decode()
    assert "导出 Excel" in filtered.content.decode()


@pytest.mark.parametrize("members", [10, 20])
def test_the_export_queries_stay_constant_when_members_double(
    members, institution, inst_admin, grant, client_for, django_assert_max_num_queries
):
    for membership in MembershipFactory.create_batch(members, institution=institution):
        grant(membership.user, institution, "fill_reports")
    client = client_for("inst_admin")
    with django_assert_max_num_queries(10):
        response = client.get(EXPORT_URL)
    assert len(rows_of(response)) == members + 2


# --- Admin exports: users and the login audit -----------------------------------------------------


def admin_export(client, url_name: str, model, *, select_across=True):
    return client.post(
        reverse(url_name),
        {
            "action": "export_xlsx",
            "index": "0",
            "select_across": "1" if select_across else "0",
            ACTION_CHECKBOX_NAME: [str(model.objects.values_list("pk", flat=True).first())],
        },
    )


def test_the_user_admin_export_is_scoped_and_masks_id_cards(
    client_for, inst_admin, inst_staff, other_inst_admin, city_regulator
):
    rows = rows_of(admin_export(client_for("city_regulator"), "admin:accounts_user_changelist", User))
    assert rows[0] == ("手机号", "姓名", "身份证号", "邮箱", "启用", "最近登录")
    phones = {row[0] for row in rows[1:]}
    assert phones == {inst_admin.phone, inst_staff.phone, city_regulator.phone}
    assert other_inst_admin.phone not in phones
    staff_row = next(row for row in rows if row[0] == inst_staff.phone)
    assert staff_row[2] == mask_id_card(inst_staff.id_card_number)
    assert staff_row[4] == "是"
    assert all(inst_staff.id_card_number not in row for row in rows)


def test_the_login_audit_export_is_scoped_and_in_local_time(
    client_for, inst_admin, other_inst_admin, city_regulator
):
    client = client_for("city_regulator")
    LoginEvent.objects.all().delete()  # forget the regulator's own login
    moment = datetime.datetime(2026, 2, 1, 18, 0, tzinfo=datetime.UTC)
    LoginEvent.objects.create(
        kind=LoginEventKind.LOGIN,
        user=inst_admin,
        phone=inst_admin.phone,
        ip_address="10.1.2.3",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0",
        created_at=moment,
    )
    LoginEvent.objects.create(
        kind=LoginEventKind.LOGIN, user=other_inst_admin, phone=other_inst_admin.phone, created_at=moment
    )
    rows = rows_of(admin_export(client, "admin:accounts_loginevent_changelist", LoginEvent))
    assert rows[0] == ("时间", "事件", "账号", "用户姓名", "IP", "浏览器", "操作人")
    assert rows[1:] == [
        (
            datetime.datetime(2026, 2, 2, 2, 0),
            LoginEvent(kind=LoginEventKind.LOGIN).get_kind_display(),
            inst_admin.phone,
            "机构管理员甲",
            "10.1.2.3",
            "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0",
            None,
        )
    ]


def test_a_failed_login_without_a_user_exports_an_empty_name(client_for, province_regulator):
    LoginEvent.objects.create(kind=LoginEventKind.FAILED, phone="13512345678")
    client = client_for("province_regulator")
    rows = rows_of(admin_export(client, "admin:accounts_loginevent_changelist", LoginEvent))
    failed = [row for row in rows if row[2] == "13512345678"]
    assert failed == [(failed[0][0], "登录失败", "13512345678", None, None, None, None)]


def test_the_user_admin_export_writes_formula_like_names_as_text(db):
    user = UserFactory(name="=HYPERLINK(1)", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    rows = rows_of(admin_export(client, "admin:accounts_user_changelist", User))
    assert "'=HYPERLINK(1)" in {row[1] for row in rows}
