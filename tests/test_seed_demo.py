"""`manage.py seed_demo`: idempotent, the published demo logins work, regulators see their own city."""

from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import RequestFactory

from institutions.models import Institution
from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import Membership, Regulator, User
from sujt.accounts.permissions import has_module_perm
from sujt.accounts.services import REGULATOR_GROUP
from sujt.core.admin import RegionScopedAdmin
from sujt.core.choices import RegionLevel
from sujt.core.regions import CITIES, DISTRICTS, PROVINCE_CODE, city_code_of
from sujt.core.validators import validate_id_card, validate_uscc
from tests.demo_checks import row_counts

# The demo is seeded once for the module (tests/conftest.py `demo_seeded`); `seed()` below runs the
# command again on top of it, which must find everything in place.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]

CITY_CODES = list(CITIES)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_running_seed_demo_twice_changes_nothing():
    seed()
    first = row_counts()
    output = seed()
    assert row_counts() == first
    assert first["accounts.User"] >= 1 + 1 + 13 + 30 * 2
    assert first["institutions.Institution"] == 30 + 5  # five more arrive through the demo sync
    assert "新建 0 个" in output
    assert "新建 0 家" in output


def test_seed_prints_every_demo_account():
    output = seed()
    for phone in ["13900000000", "13900000001", "13900000101", "13900000113", "13800000001", "13800000030"]:
        assert phone in output
    assert "13700000030" in output
    assert "Sujt@Admin2026" in output
    assert "Sujt@Demo2026" in output


@pytest.mark.parametrize(
    ("phone", "password"),
    [
        ("13900000000", "Sujt@Admin2026"),
        ("13900000001", "Sujt@Demo2026"),
        ("13900000101", "Sujt@Demo2026"),
        ("13900000113", "Sujt@Demo2026"),
        ("13800000001", "Sujt@Demo2026"),
        ("13800000030", "Sujt@Demo2026"),
        ("13700000001", "Sujt@Demo2026"),
        ("13700000030", "Sujt@Demo2026"),
    ],
)
def test_demo_account_logs_in_with_no_first_login_steps_left(phone, password):
    seed()
    user = authenticate(RequestFactory().post("/accounts/login/"), username=phone, password=password)
    assert user is not None
    assert user.phone == phone
    assert not user.must_change_password
    assert not user.needs_password_change
    assert user.info_confirmed_at is not None
    assert user.password_changed_at is not None
    wrong = authenticate(RequestFactory().post("/accounts/login/"), username=phone, password="Wrong@Pass2026")
    assert wrong is None


def test_superuser_is_superuser_and_the_rest_are_not():
    seed()
    assert User.objects.get(phone="13900000000").is_superuser
    assert list(User.objects.filter(is_superuser=True).values_list("phone", flat=True)) == ["13900000000"]


def test_regulators_follow_the_city_order_and_see_only_their_city():
    seed()
    group = Group.objects.get(name=REGULATOR_GROUP)
    scoped_admin = RegionScopedAdmin(Institution, admin.site)
    factory = RequestFactory()
    for position, city_code in enumerate(CITY_CODES, start=1):
        regulator = Regulator.objects.select_related("user").get(user__phone=f"139000001{position:02d}")
        assert regulator.level == RegionLevel.CITY
        assert regulator.region_code == city_code
        assert regulator.bureau == f"{CITIES[city_code]}市场监督管理局"
        assert regulator.user.is_staff
        assert group in regulator.user.groups.all()

        request = factory.get("/admin/institutions/institution/")
        request.user = regulator.user
        visible = list(scoped_admin.get_queryset(request))
        assert visible
        assert {city_code_of(inst.region_code) for inst in visible} == {city_code}
        assert len(visible) == Institution.objects.filter(region_code__startswith=city_code[:4]).count()

    province = Regulator.objects.select_related("user").get(user__phone="13900000001")
    assert province.level == RegionLevel.PROVINCE
    assert province.region_code == PROVINCE_CODE
    assert province.bureau == "江苏省市场监督管理局"
    request = factory.get("/admin/institutions/institution/")
    request.user = province.user
    assert scoped_admin.get_queryset(request).count() == Institution.objects.count()


def test_institutions_spread_over_all_cities_with_valid_generated_identifiers():
    seed()
    institutions = list(Institution.objects.filter(source_id__isnull=True))  # the hand-made ones
    assert len(institutions) == 30
    assert {city_code_of(inst.region_code) for inst in institutions} == set(CITY_CODES)
    assert all(inst.region_code in DISTRICTS for inst in institutions)
    assert len({inst.name for inst in institutions}) == 30
    for inst in institutions:
        validate_uscc(inst.uscc)
        assert inst.uscc[2:8] == inst.region_code
    assert 3 <= sum(inst.centers_enabled for inst in institutions) < 30
    for user in User.objects.exclude(id_card_number=""):
        validate_id_card(user.id_card_number)


def test_each_institution_has_its_admin_and_a_staff_member_with_two_module_permissions():
    seed()
    for number in (1, 17, 30):
        admin_user = User.objects.get(phone=f"138000000{number:02d}")
        staff_user = User.objects.get(phone=f"137000000{number:02d}")
        admin_membership = Membership.objects.get(user=admin_user)
        staff_membership = Membership.objects.get(user=staff_user)
        institution = admin_membership.institution
        assert admin_membership.role == MembershipRole.ADMIN
        assert staff_membership.role == MembershipRole.STAFF
        assert staff_membership.institution == institution
        for perm in ("submit_news", "fill_reports"):
            assert has_module_perm(user=staff_user, institution_id=institution.pk, perm=perm)
        assert not has_module_perm(user=staff_user, institution_id=institution.pk, perm="manage_users")
        assert has_module_perm(user=admin_user, institution_id=institution.pk, perm="manage_users")


def test_history_rows_of_the_demo_data_name_the_demo_system_user():
    seed()
    record = Institution.history.order_by("history_id").first()
    assert record.history_user is not None
    assert record.history_user.is_system
    assert record.history_user.name == "演示数据"


def test_the_suzhou_regulator_takes_review_notices_as_a_daily_digest_and_the_others_immediately():
    from sujt.core.choices import ReviewNoticeMode
    from sujt.core.notifications import review_mode_of

    seed()
    suzhou = User.objects.get(phone="13900000105")
    nanjing = User.objects.get(phone="13900000101")
    assert review_mode_of(user=suzhou) == ReviewNoticeMode.DIGEST
    assert review_mode_of(user=nanjing) == ReviewNoticeMode.IMMEDIATE
