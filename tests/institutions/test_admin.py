import datetime

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from institutions.choices import CertificateStatus, InstitutionStatus
from institutions.models import Capability, Certificate, Equipment, Institution
from institutions.services.completeness import completeness_recalculate
from sujt.accounts.services import regulator_group_ensure
from tests.factories import (
    CapabilityFactory,
    CertificateFactory,
    EquipmentFactory,
    InstitutionFactory,
    PatentFactory,
    PersonnelFactory,
    RegulatorFactory,
    SignatoryFactory,
    SiteFactory,
    SoftwareCopyrightFactory,
    TrademarkFactory,
    make_cma_number,
)

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


# The change page's inlines (their formset prefixes); an institution without rows posts empty formsets.
INLINE_PREFIXES = ("memberships", "fields", "certificates", "sites", "equipment", "signatories", "personnel")


def form_data(institution, **changes) -> dict:
    data = {
        "name": institution.name,
        "uscc": institution.uscc,
        "region_code": institution.region_code,
        "status": institution.status,
    }
    for prefix in INLINE_PREFIXES:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "0",
            }
        )
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


# --- Module 02: filters, inlines, the qualification-data admins ----------------------------------------


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_filter_by_declared_testing_field(client_for, institution, other_institution):
    institution.fields.create(code="13")
    other_institution.fields.create(code="00")
    assert listed(client_for("province_regulator").get(LIST_URL, {"field": "13"})) == {institution}


def test_filter_by_completeness_range(client_for, institution, other_institution, wuxi, nanjing_other):
    for inst, score in [(institution, 45), (other_institution, 60), (wuxi, 85), (nanjing_other, 100)]:
        Institution.objects.filter(pk=inst.pk).update(completeness=score)
    client = client_for("province_regulator")
    assert listed(client.get(LIST_URL, {"completeness": "lt60"})) == {institution}
    assert listed(client.get(LIST_URL, {"completeness": "60-79"})) == {other_institution}
    assert listed(client.get(LIST_URL, {"completeness": "80-99"})) == {wuxi}
    assert listed(client.get(LIST_URL, {"completeness": "100"})) == {nanjing_other}


def test_filter_by_certificate_expiry(client_for, institution, other_institution, wuxi, nanjing_other):
    CertificateFactory(institution=institution, expires_on=in_days(-3))  # still valid, past its date
    CertificateFactory(institution=other_institution, expires_on=in_days(60))
    CertificateFactory(institution=wuxi, expires_on=in_days(150))
    CertificateFactory(institution=nanjing_other, expires_on=in_days(60), status=CertificateStatus.SUSPENDED)
    client = client_for("province_regulator")
    assert listed(client.get(LIST_URL, {"expiry": "expired"})) == {institution}
    assert listed(client.get(LIST_URL, {"expiry": "3m"})) == {other_institution}
    assert listed(client.get(LIST_URL, {"expiry": "6m"})) == {other_institution, wuxi}


def test_the_change_page_shows_qualification_inlines_and_links_to_the_capabilities(client_for, institution):
    certificate = CertificateFactory(institution=institution)
    SiteFactory(institution=institution, name="鼓楼实验室")
    EquipmentFactory(institution=institution, name="气相色谱仪")
    SignatoryFactory(institution=institution, name="签字人甲")
    PersonnelFactory(institution=institution, name="检测员乙")
    CapabilityFactory.create_batch(3, institution=institution, certificate=certificate)
    Institution.objects.filter(pk=institution.pk).update(completeness=72)
    body = client_for("city_regulator").get(change_url(institution)).content.decode()
    for text in (
        certificate.number,
        "鼓楼实验室",
        "气相色谱仪",
        "签字人甲",
        "检测员乙",
        "72",
        "查看能力附表（3 条）",
    ):
        assert text in body
    capability_list = reverse("admin:institutions_capability_changelist")
    assert f"{capability_list}?institution={institution.pk}" in body
    # Long lists are listed, not posted back: their formsets carry no forms.
    assert 'name="equipment-TOTAL_FORMS" value="0"' in body
    assert 'name="certificates-0-number"' in body


def certificate_inline_data(institution, certificate, *, number=None, status=None) -> dict:
    """The institution's change form with its one certificate in the inline, changed as given."""
    data = form_data(institution)
    data.update(
        {
            "certificates-TOTAL_FORMS": "1",
            "certificates-INITIAL_FORMS": "1",
            "certificates-0-id": str(certificate.pk),
            "certificates-0-institution": str(institution.pk),
            "certificates-0-number": certificate.number if number is None else number,
            "certificates-0-issued_on": str(certificate.issued_on),
            "certificates-0-expires_on": str(certificate.expires_on),
            "certificates-0-status": certificate.status if status is None else status,
        }
    )
    return data


def test_saving_the_institution_with_a_certificate_inline_updates_it(client_for, institution):
    certificate = CertificateFactory(institution=institution, expires_on=in_days(400))
    data = certificate_inline_data(institution, certificate, status=CertificateStatus.SUSPENDED)
    before = completeness_recalculate(institution_id=institution.pk)
    response = client_for("city_regulator").post(change_url(institution), data)
    assert response.status_code == 302
    certificate.refresh_from_db()
    institution.refresh_from_db()
    assert certificate.status == CertificateStatus.SUSPENDED
    assert institution.completeness == before - 5


def test_capabilities_are_filtered_by_institution_and_searched_by_item_or_standard(
    client_for, institution, other_institution
):
    certificate = CertificateFactory(institution=institution)
    lead = CapabilityFactory(
        institution=institution, certificate=certificate, item="铅", standard="GB 5009.12-2023"
    )
    water = CapabilityFactory(
        institution=institution, certificate=certificate, item="水分", standard="GB 5009.3-2016"
    )
    CapabilityFactory(
        certificate=CertificateFactory(institution=other_institution), standard="GB 4789.2-2022"
    )
    url = reverse("admin:institutions_capability_changelist")
    client = client_for("province_regulator")
    assert listed(client.get(url, {"institution": institution.pk})) == {lead, water}
    assert listed(client.get(url, {"q": "5009.12"})) == {lead}
    assert listed(client.get(url, {"q": "水分"})) == {water}
    assert client.get(url).context["cl"].show_full_result_count is False


QUALIFICATION_ADMINS = {
    "certificate": lambda inst: CertificateFactory(institution=inst),
    "site": lambda inst: SiteFactory(institution=inst),
    "capability": lambda inst: CapabilityFactory(certificate=CertificateFactory(institution=inst)),
    "equipment": lambda inst: EquipmentFactory(institution=inst),
    "signatory": lambda inst: SignatoryFactory(institution=inst),
    "personnel": lambda inst: PersonnelFactory(institution=inst),
    "softwarecopyright": lambda inst: SoftwareCopyrightFactory(institution=inst),
    "patent": lambda inst: PatentFactory(institution=inst),
    "trademark": lambda inst: TrademarkFactory(institution=inst),
}


@pytest.mark.parametrize("model_name", list(QUALIFICATION_ADMINS))
def test_each_qualification_admin_is_scoped_to_the_regulators_region(
    client_for, institution, other_institution, model_name
):
    make = QUALIFICATION_ADMINS[model_name]
    nanjing, suzhou = make(institution), make(other_institution)
    url = reverse(f"admin:institutions_{model_name}_changelist")
    assert listed(client_for("city_regulator").get(url)) == {nanjing}
    assert listed(client_for("other_city_regulator").get(url)) == {suzhou}
    assert listed(client_for("province_regulator").get(url)) == {nanjing, suzhou}
    change = reverse(f"admin:institutions_{model_name}_change", args=[suzhou.pk])
    assert client_for("city_regulator").get(change).status_code == 302
    history = reverse(f"admin:institutions_{model_name}_history", args=[suzhou.pk])
    assert client_for("city_regulator").get(history).status_code == 404


def certificate_data(certificate, **changes) -> dict:
    data = {
        "number": certificate.number,
        "issued_on": str(certificate.issued_on),
        "expires_on": str(certificate.expires_on),
        "status": certificate.status,
        "reminders-TOTAL_FORMS": "0",
        "reminders-INITIAL_FORMS": "0",
        "reminders-MIN_NUM_FORMS": "0",
        "reminders-MAX_NUM_FORMS": "0",
    }
    data.update(changes)
    return data


def test_a_regulator_corrects_a_certificate_and_the_derived_fields_follow(
    client_for, institution, city_regulator
):
    certificate = CertificateFactory(
        institution=institution, number=make_cma_number(authority="10", field="13")
    )
    number = make_cma_number(year=2022, authority="00", field="05", department="04")
    url = reverse("admin:institutions_certificate_change", args=[certificate.pk])
    response = client_for("city_regulator").post(url, certificate_data(certificate, number=number))
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (
        certificate.number,
        certificate.authority_code,
        certificate.field_code,
        certificate.department_code,
    ) == (
        number,
        "00",
        "05",
        "04",
    )
    assert certificate.history.order_by("-history_date").first().history_user == city_regulator


def test_a_regulators_certificate_change_recomputes_completeness(client_for, institution):
    certificate = CertificateFactory(institution=institution)
    before = completeness_recalculate(institution_id=institution.pk)
    url = reverse("admin:institutions_certificate_change", args=[certificate.pk])
    client_for("city_regulator").post(url, certificate_data(certificate, status=CertificateStatus.REVOKED))
    institution.refresh_from_db()
    assert institution.completeness == before - 5


def test_a_regulator_cannot_move_a_certificate_to_another_institution(
    client_for, institution, other_institution
):
    certificate = CertificateFactory(institution=institution)
    url = reverse("admin:institutions_certificate_change", args=[certificate.pk])
    client_for("province_regulator").post(
        url, certificate_data(certificate, institution=other_institution.pk)
    )
    certificate.refresh_from_db()
    assert certificate.institution == institution


def test_equipment_cannot_be_put_at_another_institutions_site(client_for, institution, other_institution):
    equipment = EquipmentFactory(institution=institution)
    foreign_site = SiteFactory(institution=other_institution)
    url = reverse("admin:institutions_equipment_change", args=[equipment.pk])
    response = client_for("province_regulator").post(
        url,
        {
            "name": equipment.name,
            "model_spec": equipment.model_spec,
            "traceability": equipment.traceability,
            "valid_until": str(equipment.valid_until),
            "site": foreign_site.pk,
        },
    )
    assert response.status_code == 200
    assert f"只能选择{institution.name}的检验检测场所" in response.content.decode()
    equipment.refresh_from_db()
    assert equipment.site is None


def test_institution_users_have_no_way_to_edit_a_certificate(client_for, institution):
    certificate = CertificateFactory(institution=institution)
    url = reverse("admin:institutions_certificate_change", args=[certificate.pk])
    client = client_for("inst_admin")
    response = client.post(url, certificate_data(certificate, status=CertificateStatus.REVOKED))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    for name in ("certificate_edit", "certificate_change", "certificate_update"):
        with pytest.raises(NoReverseMatch):
            reverse(f"institutions:{name}", args=[certificate.pk])
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_regulators_view_but_do_not_change_intellectual_property(client_for, institution):
    patent = PatentFactory(institution=institution)
    url = reverse("admin:institutions_patent_change", args=[patent.pk])
    client = client_for("city_regulator")
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"name": "监管改名"}).status_code == 403
    patent.refresh_from_db()
    assert patent.name != "监管改名"


def test_regulators_cannot_add_or_delete_qualification_data(client_for, institution):
    certificate = CertificateFactory(institution=institution)
    client = client_for("province_regulator")
    assert client.get(reverse("admin:institutions_certificate_add")).status_code == 403
    assert (
        client.get(reverse("admin:institutions_certificate_delete", args=[certificate.pk])).status_code == 403
    )
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_the_certificate_list_filters_by_expiry(client_for, institution):
    expiring = CertificateFactory(institution=institution, expires_on=in_days(30))
    CertificateFactory(institution=institution, expires_on=in_days(1000))
    url = reverse("admin:institutions_certificate_changelist")
    assert listed(client_for("city_regulator").get(url, {"expiry": "3m"})) == {expiring}


def test_equipment_list_filters_expired_calibrations(client_for, institution):
    expired = EquipmentFactory(institution=institution, valid_until=in_days(-1))
    EquipmentFactory(institution=institution, valid_until=in_days(100))
    url = reverse("admin:institutions_equipment_changelist")
    assert listed(client_for("city_regulator").get(url, {"calibration": "expired"})) == {expired}
    assert Equipment.objects.count() == 2 and Capability.objects.count() == 0


# --- Malformed input is a form error, never a server error ------------------------------------------


MALFORMED_NUMBERS = ["12ab", "2110130100011", "211099010001"]  # letters, 13 digits, field code 99


@pytest.mark.parametrize("number", MALFORMED_NUMBERS)
def test_a_malformed_number_on_the_certificate_form_is_a_form_error(client_for, institution, number):
    certificate = CertificateFactory(institution=institution)
    url = reverse("admin:institutions_certificate_change", args=[certificate.pk])
    response = client_for("city_regulator").post(url, certificate_data(certificate, number=number))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["number"]
    certificate.refresh_from_db()
    assert certificate.number != number


@pytest.mark.parametrize("number", MALFORMED_NUMBERS)
def test_a_malformed_number_in_the_certificate_inline_is_a_form_error(client_for, institution, number):
    certificate = CertificateFactory(institution=institution, expires_on=in_days(400))
    data = certificate_inline_data(institution, certificate, number=number)
    response = client_for("city_regulator").post(change_url(institution), data)
    assert response.status_code == 200
    inlines = response.context["inline_admin_formsets"]
    (formset,) = [inline.formset for inline in inlines if inline.formset.prefix == "certificates"]
    assert formset.errors[0]["number"]
    certificate.refresh_from_db()
    assert certificate.number != number


def test_a_malformed_number_stored_by_an_old_import_still_shows_its_pages(client_for, institution):
    certificate = CertificateFactory(institution=institution)
    Certificate.objects.filter(pk=certificate.pk).update(number="21101301000X")
    client = client_for("city_regulator")
    for url in (
        reverse("admin:institutions_certificate_change", args=[certificate.pk]),
        reverse("admin:institutions_certificate_changelist"),
        change_url(institution),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "21101301000X" in response.content.decode()


# An id no row can have: letters, a negative or fractional number, one beyond any integer column.
BAD_KEYS = ["abc", "-1", "1.5", "1" * 30, str(2**63)]


@pytest.mark.parametrize("value", BAD_KEYS)
def test_a_bad_key_in_an_autocomplete_field_is_a_form_error(client_for, institution, value):
    equipment = EquipmentFactory(institution=institution)
    url = reverse("admin:institutions_equipment_change", args=[equipment.pk])
    response = client_for("city_regulator").post(
        url, {"name": equipment.name, "traceability": equipment.traceability, "site": value}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["site"]
    equipment.refresh_from_db()
    assert equipment.site is None


@pytest.mark.parametrize("value", BAD_KEYS)
def test_a_bad_institution_key_when_adding_is_a_form_error(client_for, value):
    response = client_for("superuser").post(
        reverse("admin:institutions_equipment_add"),
        {"name": "电子天平", "traceability": "calibration", "institution": value},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["institution"]
    assert not Equipment.objects.exists()


@pytest.mark.parametrize("term", ["abc", "1" * 30, str(2**63)])
def test_the_autocomplete_search_answers_any_term(client_for, institution, term):
    response = client_for("city_regulator").get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "institutions", "model_name": "equipment", "field_name": "site"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


# --- 已过期: one rule for the institution and its regulator -------------------------------------------


def test_a_suspended_certificate_past_its_date_is_expired_for_the_institution_and_its_regulator(
    client_for, institution, inst_admin
):
    lapsed = CertificateFactory(
        institution=institution, status=CertificateStatus.SUSPENDED, expires_on=in_days(-3)
    )
    CertificateFactory(institution=institution, status=CertificateStatus.SUSPENDED, expires_on=in_days(300))
    # The workspace: the list's 已过期 filter and the row's flag.
    workspace = client_for("inst_admin").get(reverse("institutions:certificate_list"), {"expiry": "expired"})
    assert [row.number for row in workspace.context["rows"]] == [lapsed.number]
    assert workspace.context["rows"][0].expiry_label == "已过期"
    # Admin: the same certificate under 已过期 on the certificate and institution lists, and flagged.
    regulator = client_for("city_regulator")
    certificates = regulator.get(reverse("admin:institutions_certificate_changelist"), {"expiry": "expired"})
    assert listed(certificates) == {lapsed}
    assert "已过期" in certificates.content.decode()
    assert listed(regulator.get(LIST_URL, {"expiry": "expired"})) == {institution}


@pytest.mark.parametrize("lookup", ["id__in", "pk__in", "site__id__in", "institution__in"])
def test_a_list_filtered_by_an_id_beyond_any_integer_is_refused_not_a_500(client_for, institution, lookup):
    EquipmentFactory(institution=institution)
    url = reverse("admin:institutions_equipment_changelist")
    client = client_for("superuser")
    assert client.get(url, {lookup: f"1,{'1' * 30}"}).status_code == 400
    assert client.get(url, {lookup: "abc"}).status_code == 302  # Django's own "?e=1" page
    assert client.get(url, {lookup: "1,2"}).status_code == 200
