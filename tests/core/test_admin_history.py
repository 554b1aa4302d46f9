"""Issue 10 item 9: admin pages answer a malformed object id with a 404 or Django's "not found" redirect,
never a 500 (the history pages used to pass "abc" straight into a query)."""

import pytest

PAGES = [
    "/admin/accounts/user/{}/change/",
    "/admin/accounts/user/{}/history/",
    "/admin/institutions/institution/{}/change/",
    "/admin/institutions/institution/{}/history/",
    "/admin/news/article/{}/history/",
    "/admin/accounts/loginevent/{}/change/",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("pk", ["abc", "9" * 30, "-1"])
def test_a_malformed_id_is_not_found(client_for, url, pk):
    assert client_for("superuser").get(url.format(pk)).status_code in (302, 404)


def test_history_outside_the_region_is_still_a_404(client_for, other_institution):
    url = f"/admin/institutions/institution/{other_institution.pk}/history/"
    assert client_for("city_regulator").get(url).status_code == 404
    assert client_for("province_regulator").get(url).status_code == 200


@pytest.mark.parametrize("value", ["abc", "9" * 30])
def test_a_malformed_group_id_on_the_user_form_is_a_form_error(client_for, inst_staff, value):
    url = f"/admin/accounts/user/{inst_staff.pk}/change/"
    data = {"phone": inst_staff.phone, "name": inst_staff.name, "is_active": "on", "groups": [value]}
    data.update({"must_change_password": "", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00"})
    response = client_for("superuser").post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["groups"]


@pytest.mark.parametrize("value", ["9" * 30])
def test_a_malformed_id_filter_on_the_login_log_is_refused(client_for, value):
    response = client_for("superuser").get(f"/admin/accounts/loginevent/?user__id__in={value}")
    assert response.status_code in (400, 302)


def test_the_history_page_speaks_chinese_and_has_no_inline_style(client_for, institution):
    institution.address = "南京市秦淮区示例路 1 号"
    institution.save()
    response = client_for("province_regulator").get(
        f"/admin/institutions/institution/{institution.pk}/history/"
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "变更内容" in text and "操作人" in text and "共 " in text
    assert "Changes" not in text and "Changed by" not in text
    assert "style=" not in text


def test_history_changes_read_as_labels_not_stored_codes(client_for, institution):
    institution.legal_person_type = "enterprise"
    institution.is_high_tech = True
    institution.business_scope = "<p><strong>许可项目</strong>：检验检测服务</p>"
    institution.save()
    response = client_for("province_regulator").get(
        f"/admin/institutions/institution/{institution.pk}/history/"
    )
    changes = " ".join(
        " ".join(f"{c['field']} {c['old']} {c['new']}" for c in row.history_delta_changes)
        for row in response.context["page_obj"]
        if getattr(row, "history_delta_changes", None)
    )
    assert "企业法人" in changes and "enterprise" not in changes
    assert "是" in changes and "True" not in changes
    assert "<strong>" not in changes and "许可项目" in changes
