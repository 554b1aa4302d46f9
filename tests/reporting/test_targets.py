"""Who a task goes to (reporting.targets): institutions in business chosen by city, testing field,
legal-person type and credit scope (a valid CMA certificate issued by Jiangsu), or listed by 统一社会信用代码;
centers in operation chosen through the report-subject registry by city, level and kind, or listed; always
inside the issuing regulator's jurisdiction."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from centers.choices import CenterKind, CenterLevel, CenterStatus
from centers.models import Center
from institutions.choices import CertificateStatus, InstitutionStatus, LegalPersonType
from institutions.models import InstitutionField
from reporting import services, targets
from reporting.choices import CreditScope, TargetKind
from reporting.targets import Target
from sujt.accounts.choices import MembershipRole
from tests.centers.factories import building_center
from tests.factories import CertificateFactory, InstitutionFactory, MembershipFactory, make_cma_number
from tests.reporting.factories import task_draft

pytestmark = pytest.mark.django_db

PROVINCE, NANJING, SUZHOU = "320000", "320100", "320500"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def chosen(criteria: dict, region_code: str = PROVINCE) -> set[int]:
    """The institutions a task with `criteria` issued in `region_code` reaches (and the count agrees)."""
    found = targets.targets_of(target_kind=TargetKind.INSTITUTION, criteria=criteria, region_code=region_code)
    assert targets.target_count(
        target_kind=TargetKind.INSTITUTION, criteria=criteria, region_code=region_code
    ) == len(found)
    assert all(target.subject_id is None and target.subject_name == "" for target in found)
    return {target.institution_id for target in found}


def ids(*institutions) -> set[int]:
    return {institution.pk for institution in institutions}


def certified(institution, **facts):
    facts.setdefault("number", make_cma_number(authority="10"))
    return CertificateFactory(institution=institution, **facts)


# --- Institutions ----------------------------------------------------------------------------------------


@pytest.fixture
def nanjing():
    return InstitutionFactory(name="玄武示例检测有限公司", region_code="320102")


@pytest.fixture
def jiangning():
    return InstitutionFactory(name="江宁示例检测有限公司", region_code="320115")


@pytest.fixture
def suzhou():
    return InstitutionFactory(name="姑苏示例检测有限公司", region_code="320508")


@pytest.fixture
def wuxi():
    return InstitutionFactory(name="梁溪示例检测有限公司", region_code="320213")


def test_without_filters_every_institution_in_business_of_the_jurisdiction_is_chosen(
    nanjing, jiangning, suzhou, wuxi
):
    assert chosen({}) == ids(nanjing, jiangning, suzhou, wuxi)
    assert chosen({}, NANJING) == ids(nanjing, jiangning)
    assert chosen({}, "320115") == ids(jiangning)  # a district bureau's own district only


def test_cities_choose_the_institutions_of_those_cities_and_their_districts(nanjing, jiangning, suzhou, wuxi):
    assert chosen({"cities": [NANJING]}) == ids(nanjing, jiangning)
    assert chosen({"cities": [NANJING, SUZHOU]}) == ids(nanjing, jiangning, suzhou)
    assert chosen({"cities": ["320900"]}) == set()


def test_a_testing_field_chooses_the_institutions_working_in_it(nanjing, jiangning, suzhou):
    InstitutionField.objects.create(institution=nanjing, code="13")
    InstitutionField.objects.create(institution=nanjing, code="00")  # two fields: still chosen once
    InstitutionField.objects.create(institution=jiangning, code="00")
    InstitutionField.objects.create(institution=suzhou, code="12")
    assert chosen({"fields": ["13"]}) == ids(nanjing)
    assert chosen({"fields": ["00"]}) == ids(nanjing, jiangning)
    assert chosen({"fields": ["13", "12"]}) == ids(nanjing, suzhou)
    assert (
        len(
            targets.targets_of(
                target_kind=TargetKind.INSTITUTION, criteria={"fields": ["13", "00"]}, region_code=PROVINCE
            )
        )
        == 2
    )
    assert chosen({"fields": ["21"]}) == set()


def test_the_legal_person_type_chooses(nanjing, jiangning, suzhou):
    nanjing.legal_person_type = LegalPersonType.ENTERPRISE
    nanjing.save()
    jiangning.legal_person_type = LegalPersonType.PUBLIC_INSTITUTION
    jiangning.save()
    assert chosen({"legal_person_types": ["enterprise"]}) == ids(nanjing)
    assert chosen({"legal_person_types": ["enterprise", "public"]}) == ids(nanjing, jiangning)


def test_filters_combine(nanjing, jiangning, suzhou):
    for institution in (nanjing, jiangning, suzhou):
        InstitutionField.objects.create(institution=institution, code="13")
        institution.legal_person_type = LegalPersonType.ENTERPRISE
        institution.save()
    jiangning.legal_person_type = LegalPersonType.OTHER
    jiangning.save()
    certified(suzhou)
    certified(nanjing)
    criteria = {"cities": [NANJING, SUZHOU], "fields": ["13"], "legal_person_types": ["enterprise"]}
    assert chosen(criteria) == ids(nanjing, suzhou)
    assert chosen({**criteria, "credit_scope": CreditScope.IN}, NANJING) == ids(nanjing)


@pytest.fixture
def scopes(db):
    """One institution per certificate situation; only `jiangsu` is in credit's scope."""
    made = {
        name: InstitutionFactory(name=f"{name}检测有限公司")
        for name in ["jiangsu", "national", "expired", "suspended", "withdrawn", "none", "both"]
    }
    certified(made["jiangsu"])
    certified(made["national"], number=make_cma_number(authority="00"))
    certified(made["expired"], expires_on=days(-1))
    certified(made["suspended"], status=CertificateStatus.SUSPENDED)
    certified(made["withdrawn"], withdrawn_at=timezone.now())
    certified(made["both"], number=make_cma_number(authority="00"))
    certified(made["both"], expires_on=days(0))  # expires today: still valid today
    return made


def test_credit_scope_in_is_a_valid_unexpired_certificate_issued_by_jiangsu(scopes):
    assert chosen({"credit_scope": CreditScope.IN}) == ids(scopes["jiangsu"], scopes["both"])


def test_credit_scope_out_is_every_other_institution(scopes):
    out = {name for name in scopes if name not in ("jiangsu", "both")}
    assert chosen({"credit_scope": CreditScope.OUT}) == {scopes[name].pk for name in out}
    assert chosen({}) == {institution.pk for institution in scopes.values()}


def test_the_jiangsu_authority_is_digits_3_and_4_of_the_number(db):
    """An “10” elsewhere in the number (the field, the serial) does not make a certificate Jiangsu's."""
    lookalike = InstitutionFactory()
    certified(lookalike, number=make_cma_number(year=2010, authority="00", field="10", department="10"))
    assert lookalike.certificates.get().number.startswith("1000")
    assert chosen({"credit_scope": CreditScope.IN}) == set()
    assert chosen({"credit_scope": CreditScope.OUT}) == ids(lookalike)


def test_explicit_codes_replace_the_filters(nanjing, jiangning, suzhou):
    criteria = {"usccs": [nanjing.uscc, suzhou.uscc], "cities": ["320900"], "fields": ["13"]}
    assert chosen(criteria) == ids(nanjing, suzhou)


def test_listed_codes_outside_the_jurisdiction_or_unknown_are_not_chosen(nanjing, suzhou):
    unknown = "91320100MA1XXXXXX0"
    assert chosen({"usccs": [nanjing.uscc, suzhou.uscc, unknown]}, NANJING) == ids(nanjing)
    assert targets.usccs_unknown(usccs=[nanjing.uscc, suzhou.uscc, unknown], region_code=NANJING) == [
        suzhou.uscc,
        unknown,
    ]


@pytest.mark.parametrize(
    "status", [InstitutionStatus.SUSPENDED, InstitutionStatus.REVOKED, InstitutionStatus.CANCELLED]
)
def test_an_institution_not_in_business_is_never_chosen(nanjing, jiangning, status):
    jiangning.status = status
    jiangning.save()
    certified(jiangning)
    assert chosen({}) == ids(nanjing)
    assert chosen({"usccs": [jiangning.uscc]}) == set()
    assert chosen({"credit_scope": CreditScope.IN}) == set()
    assert targets.usccs_unknown(usccs=[jiangning.uscc], region_code=PROVINCE) == [jiangning.uscc]


def test_a_city_regulators_task_never_reaches_another_city(nanjing, suzhou, city_regulator):
    task = task_draft(city_regulator, criteria={"cities": [SUZHOU]})
    assert task.region_code == NANJING
    with pytest.raises(ValidationError):
        services.task_publish(task=task, by=city_regulator)
    listed = task_draft(city_regulator, criteria={"usccs": [nanjing.uscc, suzhou.uscc]})
    assert services.task_publish(task=listed, by=city_regulator) == 1
    assert list(listed.assignments.values_list("institution_id", flat=True)) == [nanjing.pk]


def test_a_province_task_reaches_every_city(nanjing, suzhou, province_regulator):
    task = task_draft(province_regulator, criteria={"cities": [NANJING, SUZHOU]})
    assert services.task_publish(task=task, by=province_regulator) == 2


def test_targets_come_in_a_stable_order(nanjing, jiangning, suzhou):
    found = targets.targets_of(target_kind=TargetKind.INSTITUTION, criteria={}, region_code=PROVINCE)
    assert found == sorted(found, key=lambda target: target.institution_id)
    assert found[0] == Target(institution_id=min(ids(nanjing, jiangning, suzhou)))


def test_too_many_targets_are_refused(nanjing, jiangning, suzhou, monkeypatch):
    monkeypatch.setattr(targets, "MAX_TARGETS", 2)
    with pytest.raises(ValidationError) as caught:
        targets.targets_of(target_kind=TargetKind.INSTITUTION, criteria={}, region_code=PROVINCE)
    assert caught.value.messages == ["一次任务最多发给 2 个对象，请缩小范围。"]
    assert (
        len(
            targets.targets_of(
                target_kind=TargetKind.INSTITUTION, criteria={"cities": [NANJING]}, region_code=PROVINCE
            )
        )
        == 2
    )


# --- Centers ---------------------------------------------------------------------------------------------


def admin_of(institution):
    return MembershipFactory(institution=institution, role=MembershipRole.ADMIN, user__name="中心填报员").user


@pytest.fixture
def centers(institution, inst_admin, city_regulator, province_regulator):
    """金陵 (Nanjing) hosts a provincial quality center and a national measurement one in operation and
    one being built; 姑苏 (Suzhou) a provincial metrology one in operation; 暂停 (Nanjing, suspended) a
    provincial quality one in operation."""
    suzhou_host = InstitutionFactory(name="姑苏示例检验检测有限公司", region_code="320508")
    paused = InstitutionFactory(name="暂停示例检测有限公司", region_code="320104")
    for host in (institution, suzhou_host, paused):
        host.centers_enabled = True
        host.save()

    def build(host, by, **facts):
        return building_center(host, by, city_regulator, province_regulator, **facts)

    made = {
        "provincial": build(institution, inst_admin),
        "national": build(
            institution,
            inst_admin,
            name="国家计量测试中心（南京）",
            level=CenterLevel.NATIONAL,
            kind=CenterKind.MEASUREMENT,
        ),
        "building": build(institution, inst_admin, name="江苏省在建质检中心"),
        "suzhou": build(
            suzhou_host, admin_of(suzhou_host), name="江苏省计量中心（苏州）", kind=CenterKind.METROLOGY
        ),
        "paused": build(paused, admin_of(paused), name="江苏省电线电缆产品质量检验中心"),
    }
    running = [made[name].pk for name in ("provincial", "national", "suzhou", "paused")]
    Center.objects.filter(pk__in=running).update(status=CenterStatus.RUNNING)
    paused.status = InstitutionStatus.SUSPENDED
    paused.save()
    return made


def chosen_centers(criteria: dict, region_code: str = PROVINCE) -> set[int]:
    found = targets.targets_of(target_kind=TargetKind.CENTER, criteria=criteria, region_code=region_code)
    assert targets.target_count(
        target_kind=TargetKind.CENTER, criteria=criteria, region_code=region_code
    ) == len(found)
    return {target.subject_id for target in found}


def pks(centers, *names) -> set[int]:
    return {centers[name].pk for name in names}


def test_center_targets_are_the_running_centers_of_hosts_in_business(centers):
    assert chosen_centers({}) == pks(centers, "provincial", "national", "suzhou")


def test_a_center_target_is_its_host_with_the_centers_name(centers, institution):
    found = targets.targets_of(
        target_kind=TargetKind.CENTER,
        criteria={"subject_ids": [centers["national"].pk]},
        region_code=PROVINCE,
    )
    assert found == [
        Target(
            institution_id=institution.pk,
            subject_id=centers["national"].pk,
            subject_name="国家计量测试中心（南京）",
        )
    ]


def test_centers_are_chosen_by_level_and_kind(centers):
    assert chosen_centers({"level": [CenterLevel.NATIONAL]}) == pks(centers, "national")
    assert chosen_centers({"level": [CenterLevel.PROVINCIAL]}) == pks(centers, "provincial", "suzhou")
    assert chosen_centers({"kind": [CenterKind.QUALITY]}) == pks(centers, "provincial")
    assert chosen_centers({"kind": [CenterKind.METROLOGY, CenterKind.MEASUREMENT]}) == pks(
        centers, "national", "suzhou"
    )
    assert chosen_centers({"level": [CenterLevel.PROVINCIAL], "kind": [CenterKind.METROLOGY]}) == pks(
        centers, "suzhou"
    )


def test_centers_are_chosen_by_their_hosts_city(centers):
    assert chosen_centers({"cities": [SUZHOU]}) == pks(centers, "suzhou")
    assert chosen_centers({"cities": [NANJING], "level": [CenterLevel.PROVINCIAL]}) == pks(
        centers, "provincial"
    )


def test_listed_centers_replace_the_filters_but_only_running_ones_count(centers):
    listed = {
        "subject_ids": [centers["suzhou"].pk, centers["building"].pk, centers["paused"].pk],
        "cities": [NANJING],
    }
    assert chosen_centers(listed) == pks(centers, "suzhou")


def test_a_city_regulator_reaches_only_the_centers_of_their_city(centers, city_regulator):
    assert chosen_centers({}, NANJING) == pks(centers, "provincial", "national")
    assert chosen_centers({"subject_ids": [centers["suzhou"].pk]}, NANJING) == set()
    task = task_draft(city_regulator, kind=TargetKind.CENTER, criteria={"kind": [CenterKind.METROLOGY]})
    with pytest.raises(ValidationError):
        services.task_publish(task=task, by=city_regulator)


def test_publishing_a_center_task_gives_each_center_its_own_assignment(centers, institution, city_regulator):
    task = task_draft(city_regulator, kind=TargetKind.CENTER, criteria={})
    assert services.task_publish(task=task, by=city_regulator) == 2
    rows = {a.subject_id: a for a in task.assignments.all()}
    assert set(rows) == pks(centers, "provincial", "national")
    assert {a.institution_id for a in rows.values()} == {institution.pk}  # one host, two reports
    national = rows[centers["national"].pk]
    assert (
        national.subject_name == "国家计量测试中心（南京）" and national.subject_type.model_class() is Center
    )


def test_an_unregistered_subject_kind_is_unavailable(monkeypatch, db):
    monkeypatch.setattr(targets, "report_subject", lambda key: None)
    with pytest.raises(ValidationError) as caught:
        targets.targets_of(target_kind=TargetKind.CENTER, criteria={}, region_code=PROVINCE)
    assert caught.value.message_dict == {"target_kind": ["该填报对象类型暂不可用。"]}
    assert targets.target_count(target_kind=TargetKind.CENTER, criteria={}, region_code=PROVINCE) == 0
