"""A center in operation earns its host the bonus of the point table (J05 国家级质检中心, J06 省级质检中心),
through the domain event 04 中心建设 records: once per center, from its acceptance date; metrology centers
earn none (the table names quality-inspection centers only)."""

import datetime

import pytest
from django.utils import timezone

from centers import services
from centers.choices import CenterKind, CenterLevel
from credit.choices import Direction, EventSource
from credit.models import CreditEvent
from sujt.core.events import events_sweep
from sujt.core.workflow import Side, transition
from tests.centers.factories import acceptance_submitted, building_center, pdf, task_book_approved

pytestmark = pytest.mark.django_db


def deliver() -> None:
    events_sweep(now=timezone.now() + datetime.timedelta(days=1))


@pytest.fixture
def enabled(institution):
    institution.centers_enabled = True
    institution.save()
    return institution


def accepted(institution, inst_admin, city_regulator, province_regulator, **facts):
    center = building_center(institution, inst_admin, city_regulator, province_regulator, **facts)
    task_book_approved(center, inst_admin, city_regulator)
    application = acceptance_submitted(center, inst_admin)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    services.acceptance_pass(application=application, decision="pass_pass", by=province_regulator)
    return center


@pytest.mark.parametrize(("level", "code"), [(CenterLevel.NATIONAL, "J05"), (CenterLevel.PROVINCIAL, "J06")])
def test_an_accepted_quality_center_earns_its_bonus_once(
    level, code, enabled, inst_admin, city_regulator, province_regulator
):
    center = accepted(enabled, inst_admin, city_regulator, province_regulator, level=level)
    deliver()
    deliver()
    event = CreditEvent.objects.get(institution=enabled)
    assert (event.item.code, event.direction, event.source) == (code, Direction.BONUS, EventSource.CENTER)
    assert event.occurred_on == timezone.localdate() and event.source_object == center


def test_a_metrology_center_earns_nothing(enabled, inst_admin, city_regulator, province_regulator):
    accepted(enabled, inst_admin, city_regulator, province_regulator, kind=CenterKind.METROLOGY)
    deliver()
    assert not CreditEvent.objects.exists()


def test_a_verified_registration_of_a_running_center_earns_from_its_acceptance(
    enabled, inst_admin, city_regulator
):
    registration = services.registration_save(
        institution=enabled,
        by=inst_admin,
        data={
            "name": "江苏省纺织品质量检验中心",
            "level": CenterLevel.PROVINCIAL,
            "kind": CenterKind.QUALITY,
            "product_scope": "纺织品",
            "industry": "纺织",
            "approval_number": "苏质监函〔2020〕9号",
            "approved_on": datetime.date(2020, 1, 6),
            "stage": "running",
            "construction_due_on": None,
            "accepted_on": datetime.date(2021, 3, 2),
            "acceptance_grade": "good",
        },
        documents=[pdf("批文.pdf")],
        submit=True,
    )
    services.registration_approve(registration=registration, by=city_regulator, side=Side.CITY)
    deliver()
    event = CreditEvent.objects.get(institution=enabled)
    assert (event.item.code, event.occurred_on) == ("J06", datetime.date(2021, 3, 2))
