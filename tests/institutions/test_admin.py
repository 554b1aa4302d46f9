import pytest
from django.test import Client
from django.urls import reverse

from institutions.choices import InstitutionStatus
from institutions.models import Institution
from sujt.accounts.services import regulator_group_ensure
from tests.factories import InstitutionFactory, RegulatorFactory

LIST_URL = reverse("admin:institutions_institution_changelist")


def listed(response) -> set:
    return set(response.context["cl"].result_list)


def change_url(institution) -> str:
    return reverse("admin:institutions_institution_change", args=[institution.pk])


@pytest.fixture
def wuxi(db):
    return InstitutionFactory(
        name="梁溪示例检测中心", region_code="320213", status=InstitutionStatus.SUSPENDED
    )


@pytest.fixture
def nanjing_other(db):
    return InstitutionFactory(name="江宁示例质检有限公司", region_code="320115")


def form_data(institution, **changes) -> dict:
    data = {
        "name": institution.name,
        "uscc": institution.uscc,
        "region_code": institution.region_code,
        "status": institution.status,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "0",
    }
    data.update(changes)
    return data


def test_a_city_regulator_sees_only_institutions_of_their_city(
    client_for, institution, other_institution, wuxi, nanjing_other
):
    assert listed(client_for("city_regulator").get(LIST_URL)) == {institution, nanjing_other}


def test_the_province_and_superusers_see_every_institution(client_for, institution, other_institution, wuxi):
    for who in ("province_regulator", "superuser"):
        assert listed(client_for(who).get(LIST_URL)) == {institution, other_institution, wuxi}


def test_a_district_regulator_sees_only_their_district(institution, nanjing_other):
    regulator = RegulatorFactory(region_code="320102").user
    regulator.groups.add(regulator_group_ensure())
    client = Client()
    client.force_login(regulator)
    assert listed(client.get(LIST_URL)) == {institution}


def test_another_citys_institution_does_not_exist_for_a_city_regulator(client_for, other_institution):
    client = client_for("city_regulator")
    response = client.get(change_url(other_institution))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    history = reverse("admin:institutions_institution_history", args=[other_institution.pk])
    assert client.get(history).status_code == 404
    assert (
        client.post(change_url(other_institution), form_data(other_institution, name="越权修改")).status_code
        == 302
    )
    other_institution.refresh_from_db()
    assert other_institution.name == "姑苏示例检验检测有限公司"


def test_search_by_name_and_uscc(client_for, institution, other_institution):
    client = client_for("province_regulator")
    assert listed(client.get(LIST_URL, {"q": "金陵"})) == {institution}
    assert listed(client.get(LIST_URL, {"q": other_institution.uscc})) == {other_institution}


def test_filters_by_status_and_city(client_for, institution, other_institution, wuxi):
    client = client_for("province_regulator")
    assert listed(client.get(LIST_URL, {"status__exact": InstitutionStatus.SUSPENDED})) == {wuxi}
    assert listed(client.get(LIST_URL, {"city": "320500"})) == {other_institution}
    assert listed(client.get(LIST_URL, {"city": "320200"})) == {wuxi}


def test_the_city_filter_offers_a_city_regulator_only_their_city(client_for, institution):
    body = client_for("city_regulator").get(LIST_URL).content.decode()
    assert "?city=320100" in body and "?city=320500" not in body


def test_a_city_regulator_edits_an_institution_of_their_city_and_history_names_them(
    client_for, institution, city_regulator
):
    response = client_for("city_regulator").post(
        change_url(institution), form_data(institution, status=InstitutionStatus.SUSPENDED)
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.SUSPENDED
    row = institution.history.order_by("-history_date").first()
    assert row.history_user == city_regulator


def test_a_city_regulator_cannot_move_an_institution_out_of_their_region(client_for, institution):
    response = client_for("city_regulator").post(
        change_url(institution), form_data(institution, region_code="320505")
    )
    assert response.status_code == 200
    assert "只能选择您管辖范围内的地区" in response.content.decode()
    institution.refresh_from_db()
    assert institution.region_code == "320102"


def test_the_change_page_lists_the_members_read_only(client_for, institution, inst_admin, inst_staff):
    body = client_for("city_regulator").get(change_url(institution)).content.decode()
    assert "机构用户" in body
    assert inst_admin.phone in body and inst_staff.phone in body
    assert 'name="memberships-0-role"' not in body


def test_the_revert_form_is_refused(client_for, institution):
    institution.name = "新名称检测有限公司"
    institution.save()
    first = institution.history.order_by("history_date").first()
    url = reverse("admin:institutions_institution_simple_history", args=[institution.pk, first.history_id])
    client = client_for("superuser")
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(url, form_data(institution, name="金陵测试检测技术有限公司"))
    assert response.status_code == 403
    institution.refresh_from_db()
    assert institution.name == "新名称检测有限公司"


def test_regulators_cannot_add_or_delete_institutions(client_for, institution):
    client = client_for("province_regulator")
    assert client.get(reverse("admin:institutions_institution_add")).status_code == 403
    assert (
        client.get(reverse("admin:institutions_institution_delete", args=[institution.pk])).status_code == 403
    )
    assert Institution.objects.filter(pk=institution.pk).exists()
