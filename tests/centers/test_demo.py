"""`seed_demo` shows module 04: centers in every state at the enabled demo institutions, applications
waiting at each review step for the right regulators, the demo login 13800000001 reaching 中心建设 with
its centers, and the centers in operation on the public directory and in the credit ledger."""

import datetime
import re
from io import StringIO

import pytest
from django.urls import reverse
from django.utils import timezone

from centers import demo
from centers.choices import (
    AcceptanceGrade,
    AcceptanceStatus,
    CenterOrigin,
    CenterStatus,
    TaskBookKind,
    TwoStepStatus,
)
from centers.integrations.public import host_levels
from centers.models import (
    AcceptanceApplication,
    Center,
    CenterRegistration,
    ConstructionApplication,
    ProgressReport,
    TaskBook,
)
from credit.models import CreditEvent
from institutions.demo import admin_phone, demo_institution_spec
from sujt.accounts.demo import PROVINCE_REGULATOR_PHONE, city_regulator_phone
from sujt.accounts.models import User
from sujt.core.choices import ReviewStatus
from sujt.core.models import DeadlineNotice
from sujt.core.regions import CITIES, city_code_of
from sujt.core.registries import review_queues_for
from sujt.core.todos import todos_for
from sujt.core.workflow import transitions_of
from tests.demo_checks import row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]
TODAY = timezone.localdate()
APPROVAL_NUMBER = re.compile(r"^苏市监中心筹〔(\d{4})〕\d+号$")


def uscc(number: int) -> str:
    return demo_institution_spec(number)["uscc"]


def city_regulator_of(number: int) -> User:
    city = city_code_of(demo_institution_spec(number)["region_code"])
    return User.objects.get(phone=city_regulator_phone(list(CITIES).index(city) + 1))


def queue_counts(user: User) -> dict[str, int]:
    return {
        queue.key: queue.count for queue in review_queues_for(user=user) if queue.key.startswith("centers.")
    }


def test_seeding_again_changes_nothing():
    before = row_counts()
    out = StringIO()
    demo.seed(out)
    assert row_counts() == before
    assert "新建 0 家机构的中心与申请" in out.getvalue()


def test_the_summary_line_names_every_state_and_the_demo_login(demo_seeded):
    output, _private = demo_seeded
    line = next(line for line in output.splitlines() if "中心建设" in line)
    for label in CenterStatus.labels:
        assert label in line, label
    assert admin_phone(1) in line


def test_every_center_state_is_present_at_enabled_institutions_only():
    centers = Center.objects.all()
    assert set(centers.values_list("status", flat=True)) == set(CenterStatus.values)
    hosts = set(centers.values_list("institution__uscc", flat=True))
    assert hosts == {uscc(1), uscc(8), uscc(15), uscc(22)}  # 29 has a registration and a draft only
    assert not centers.filter(institution__centers_enabled=False).exists()
    for center in centers.exclude(status=CenterStatus.APPLYING).filter(origin=CenterOrigin.APPLIED):
        # Approved centers carry a generated number of their approval's year (moved back with it).
        match = APPROVAL_NUMBER.match(center.approval_number)
        assert match and int(match.group(1)) == center.approved_on.year, center.approval_number


def test_applications_for_construction_wait_at_the_city_and_at_the_province():
    applying = Center.objects.filter(status=CenterStatus.APPLYING)
    steps = set(ConstructionApplication.objects.filter(center__in=applying).values_list("status", flat=True))
    assert steps == {TwoStepStatus.CITY_REVIEW, TwoStepStatus.PROVINCE_REVIEW}
    draft = ConstructionApplication.objects.get(status=TwoStepStatus.DRAFT)
    assert draft.center_id is None  # a draft creates no center


def test_a_center_being_built_has_task_book_v1_and_approved_and_pending_progress():
    center = Center.objects.get(
        institution__uscc=uscc(1), status=CenterStatus.BUILDING, task_book__isnull=False
    )
    assert center.task_book.version == 1 and center.task_book.status == ReviewStatus.APPROVED
    assert center.task_book.indicators.count() == 4
    reports = ProgressReport.objects.filter(center=center)
    assert set(reports.values_list("status", flat=True)) == {ReviewStatus.APPROVED, ReviewStatus.SUBMITTED}
    assert all(report.entries.count() == 4 for report in reports)
    assert center.construction_due_on > TODAY


def test_a_center_with_a_pending_change_and_one_whose_task_book_is_owed():
    change = TaskBook.objects.get(kind=TaskBookKind.CHANGE, status=ReviewStatus.SUBMITTED)
    center = change.center
    assert center.status == CenterStatus.BUILDING and change.based_on_id == center.task_book_id
    assert change.reason and change.construction_due_on > center.construction_due_on
    owed = Center.objects.get(institution__uscc=uscc(1), status=CenterStatus.BUILDING, task_book__isnull=True)
    assert not TaskBook.objects.filter(center=owed).exists()
    assert TODAY < owed.task_book_due_on <= TODAY + datetime.timedelta(days=31)
    admin = User.objects.get(phone=admin_phone(1))
    assert any(owed.name in todo.title and "提交筹建任务书" in todo.title for todo in todos_for(admin))


def test_acceptance_waiting_accepted_with_a_grade_and_not_passed():
    waiting = Center.objects.get(status=CenterStatus.ACCEPTANCE)
    assert AcceptanceApplication.objects.get(center=waiting).status == AcceptanceStatus.CITY_REVIEW
    running = Center.objects.get(status=CenterStatus.RUNNING, origin=CenterOrigin.APPLIED)
    assert running.acceptance_grade == AcceptanceGrade.GOOD and running.accepted_on == TODAY
    failed = Center.objects.get(status=CenterStatus.FAILED)
    refusal = AcceptanceApplication.objects.get(center=failed)
    assert refusal.status == AcceptanceStatus.FAILED
    assert transitions_of(refusal).last().comment
    assert failed.construction_due_on > TODAY  # construction goes on against its deadline


def test_the_overdue_center_went_through_the_deadline_job_and_the_revoked_one_has_its_comment():
    overdue = Center.objects.get(status=CenterStatus.OVERDUE)
    assert overdue.construction_due_on < TODAY and overdue.overdue_at is not None
    assert not AcceptanceApplication.objects.filter(center=overdue).exists()
    assert DeadlineNotice.objects.filter(
        deadline=demo.CONSTRUCTION_DEADLINE, object_id=overdue.pk, step="overdue"
    ).exists()
    revoked = Center.objects.get(status=CenterStatus.REVOKED)
    revocation = transitions_of(revoked).last()
    assert revocation.to_status == CenterStatus.REVOKED and revocation.comment
    assert revocation.by.phone == PROVINCE_REGULATOR_PHONE


def test_one_registration_waits_and_one_was_verified_into_a_running_center():
    waiting = CenterRegistration.objects.get(status=ReviewStatus.SUBMITTED)
    assert waiting.center_id is None
    verified = CenterRegistration.objects.get(status=ReviewStatus.APPROVED)
    assert verified.center.status == CenterStatus.RUNNING
    assert verified.center.origin == CenterOrigin.REGISTERED and verified.center.acceptance_grade


def test_the_review_queues_wait_for_the_right_regulators():
    nanjing, huaian, xuzhou = city_regulator_of(1), city_regulator_of(8), city_regulator_of(29)
    assert queue_counts(nanjing)["centers.construction_city"] == 1
    assert queue_counts(nanjing)["centers.progress"] == 1
    assert "centers.construction_province" not in queue_counts(nanjing)
    assert queue_counts(huaian)["centers.acceptance_city"] == 1
    assert queue_counts(huaian)["centers.task_book_changes"] == 1
    assert queue_counts(huaian)["centers.construction_city"] == 0  # the 筹建申请 has moved on
    assert queue_counts(xuzhou)["centers.registrations"] == 1
    province = queue_counts(User.objects.get(phone=PROVINCE_REGULATOR_PHONE))
    assert province["centers.construction_province"] == 1
    assert "centers.construction_city" not in province and "centers.acceptance_city" not in province
    # The single-step queues are open to the province too, across the cities.
    assert province["centers.progress"] == 1 and province["centers.registrations"] == 1


def test_the_demo_login_sees_module_04_and_its_centers(client):
    client.force_login(User.objects.get(phone=admin_phone(1)))
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("centers:center_list")}"' in dashboard
    response = client.get(reverse("centers:center_list"))
    assert response.status_code == 200
    html = response.content.decode()
    mine = Center.objects.filter(institution__uscc=uscc(1))
    assert mine.count() == 4
    for center in mine:
        assert center.name in html
        assert client.get(reverse("centers:center_detail", args=[center.pk])).status_code == 200
    others = Center.objects.exclude(institution__uscc=uscc(1))
    assert not any(center.name in html for center in others)
    assert client.get(reverse("centers:application_list")).status_code == 200


def test_an_institution_without_the_module_sees_no_menu(client):
    client.force_login(User.objects.get(phone=admin_phone(2)))
    assert not demo_institution_spec(2)["centers_enabled"]
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("centers:center_list")}"' not in dashboard
    assert client.get(reverse("centers:center_list")).status_code == 404


def test_the_centers_in_operation_reach_the_public_directory_and_the_credit_ledger():
    running = Center.objects.filter(status=CenterStatus.RUNNING).select_related("institution")
    levels = host_levels([center.institution_id for center in running])
    assert {center.institution.uscc: levels[center.institution_id] for center in running} == {
        uscc(1): "national",
        uscc(15): "provincial",
    }
    bonuses = CreditEvent.objects.filter(source_key__startswith="centers.center:")
    assert dict(bonuses.values_list("source_key", "item__code")) == {
        f"centers.center:{center.pk}": "J05" if center.level == "national" else "J06" for center in running
    }


def test_regulators_find_the_centers_of_their_region_in_admin(client):
    changelist = reverse("admin:centers_center_changelist")
    client.force_login(User.objects.get(phone=PROVINCE_REGULATOR_PHONE))
    html = client.get(changelist).content.decode()
    assert all(center.name in html for center in Center.objects.all())
    overdue = Center.objects.get(status=CenterStatus.OVERDUE)
    assert client.get(reverse("admin:centers_center_change", args=[overdue.pk])).status_code == 200
    client.force_login(city_regulator_of(1))
    html = client.get(changelist).content.decode()
    assert all(center.name in html for center in Center.objects.filter(institution__uscc=uscc(1)))
    assert not any(center.name in html for center in Center.objects.exclude(institution__uscc=uscc(1)))
