"""K05 未按期填报运营数据 from the domain events of 07/08 运营数据填报 (credit/integrations/events.py): an
assignment marked 逾期未报 costs an institution in credit's scope (a valid CMA certificate issued by
Jiangsu) 3 points, recorded once however often the event is delivered, and nothing for one out of
scope; a regulator's 免于逾期 voids it (已撤销) and the score comes back; excused before the overdue
event was handled, no K05 is recorded at all. Handlers run after the commit, as the worker runs them
(events_sweep)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from credit.choices import Direction, EventSource, EventState
from credit.models import CreditEvent, CreditScore
from reporting import events as reporting_events
from reporting import services
from reporting.integrations.deadlines import ASSIGNMENT_DEADLINE
from reporting.models import ReportAssignment, ReportTask
from sujt.core.choices import EventDeliveryStatus
from sujt.core.deadlines import deadlines_run
from sujt.core.events import events_sweep, subscriptions
from sujt.core.models import EventDelivery
from tests.factories import CertificateFactory, make_cma_number
from tests.reporting.factories import INSTITUTION_ANSWERS, assignment_of, task_published

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


def deliver() -> None:
    """Runs every pending delivery, as the worker would."""
    events_sweep(now=timezone.now() + ONE_DAY)


def k05(institution=None):
    rows = CreditEvent.objects.filter(item__code="K05")
    return rows if institution is None else rows.filter(institution=institution)


def score_of(institution) -> Decimal:
    return CreditScore.objects.get(institution=institution).score


@pytest.fixture
def jiangsu(institution):
    """The institution, in credit's scope."""
    CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    return institution


@pytest.fixture
def task(institution, other_institution, province_regulator):
    """Published, then its deadline moved to last week: the job runs on a real past day, as it would, so
    the K05 it causes is dated by the day the report became overdue and already counts."""
    task = task_published(province_regulator, criteria={"usccs": [institution.uscc, other_institution.uscc]})
    past = timezone.localdate() - 7 * ONE_DAY
    ReportTask.objects.filter(pk=task.pk).update(due_on=past)
    ReportAssignment.objects.filter(task=task).update(due_on=past)
    task.refresh_from_db()
    return task


def overdue(task, institution):
    """The deadline job the day after the due date marks the institution's assignment 逾期未报."""
    deadlines_run(today=task.due_on + ONE_DAY, keys=[ASSIGNMENT_DEADLINE])
    assignment = assignment_of(task, institution)
    assert assignment.status == "overdue"
    return assignment


def test_credit_subscribes_to_both_reporting_events():
    assert any("on_report_overdue" in name for name in subscriptions(reporting_events.ASSIGNMENT_OVERDUE))
    assert any("on_report_excused" in name for name in subscriptions(reporting_events.ASSIGNMENT_EXCUSED))


def test_an_overdue_report_costs_an_institution_in_scope_k05_once(
    jiangsu, task, django_capture_on_commit_callbacks
):
    assignment = overdue(task, jiangsu)
    with django_capture_on_commit_callbacks(execute=True):
        deliver()
        deliver()
    event = k05().get()
    assert event.institution == jiangsu and event.source_object == assignment
    assert (event.direction, event.points, event.state) == (
        Direction.DEDUCTION,
        Decimal("3"),
        EventState.COUNTING,
    )
    assert event.source == EventSource.REPORT_OVERDUE
    assert event.source_key == f"reporting.assignment:{assignment.pk}:overdue"
    assert event.occurred_on == task.due_on + ONE_DAY
    assert event.details["due_on"] == task.due_on.isoformat()
    assert score_of(jiangsu) == Decimal("97")  # recalculated after the commit
    # The deadline job running again, or the service called again, records nothing more.
    deadlines_run(today=task.due_on + 2 * ONE_DAY, keys=[ASSIGNMENT_DEADLINE])
    services.assignment_mark_overdue(assignment=assignment)
    deliver()
    assert k05().count() == 1


def test_only_the_late_institution_is_deducted(jiangsu, other_institution, other_inst_admin, task):
    CertificateFactory(institution=other_institution, number=make_cma_number(authority="10"))
    services.assignment_save(
        assignment=assignment_of(task, other_institution),
        by=other_inst_admin,
        values=INSTITUTION_ANSWERS,
        submit=True,
    )
    overdue(task, jiangsu)
    deliver()
    assert list(k05().values_list("institution_id", flat=True)) == [jiangsu.pk]


@pytest.mark.parametrize("certificate", ["none", "national", "expired"])
def test_an_institution_out_of_credit_scope_is_not_deducted(institution, task, certificate):
    if certificate == "national":
        CertificateFactory(institution=institution, number=make_cma_number(authority="00"))
    elif certificate == "expired":
        CertificateFactory(
            institution=institution,
            number=make_cma_number(authority="10"),
            expires_on=timezone.localdate() - ONE_DAY,
        )
    overdue(task, institution)
    deliver()
    assert not k05().exists() and not CreditEvent.objects.exists()
    handled = EventDelivery.objects.filter(event__kind=reporting_events.ASSIGNMENT_OVERDUE)
    assert set(handled.values_list("status", flat=True)) == {EventDeliveryStatus.DONE}


def test_excusing_voids_the_k05_and_the_score_comes_back(
    jiangsu, task, city_regulator, django_capture_on_commit_callbacks
):
    assignment = overdue(task, jiangsu)
    with django_capture_on_commit_callbacks(execute=True):
        deliver()
    assert score_of(jiangsu) == Decimal("97")
    services.assignment_excuse(assignment=assignment, by=city_regulator, reason="平台故障期间无法提交。")
    with django_capture_on_commit_callbacks(execute=True):
        deliver()
        deliver()
    event = k05().get()
    assert event.state == EventState.VOIDED and event.state_changed_at is not None
    assert event.history.first().history_change_reason == "监管部门准予免于逾期，扣分撤销"
    assert score_of(jiangsu) == Decimal("100")


def test_a_late_submission_keeps_the_k05_until_it_is_excused(
    jiangsu, task, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    assignment = overdue(task, jiangsu)
    deliver()
    services.assignment_save(assignment=assignment, by=inst_admin, values=INSTITUTION_ANSWERS, submit=True)
    services.assignment_accept(assignment=assignment, by=city_regulator)
    deliver()
    assert k05().get().state == EventState.COUNTING
    services.assignment_excuse(assignment=assignment, by=city_regulator, reason="已补报并说明原因。")
    deliver()
    assert k05().get().state == EventState.VOIDED


def test_excused_before_the_overdue_event_was_handled_no_k05_is_recorded(
    jiangsu, task, city_regulator, django_capture_on_commit_callbacks
):
    assignment = overdue(task, jiangsu)  # the worker has not run yet
    services.assignment_excuse(assignment=assignment, by=city_regulator, reason="系统维护导致无法提交。")
    with django_capture_on_commit_callbacks(execute=True):
        deliver()
    assert not k05().exists()
    assert not CreditScore.objects.filter(institution=jiangsu, score__lt=100).exists()
    statuses = EventDelivery.objects.filter(event__kind__startswith="reporting.").values_list(
        "status", flat=True
    )
    assert set(statuses) == {EventDeliveryStatus.DONE}


def test_an_excused_report_of_an_institution_out_of_scope_changes_nothing(institution, task, city_regulator):
    assignment = overdue(task, institution)
    deliver()
    services.assignment_excuse(assignment=assignment, by=city_regulator, reason="理由。")
    deliver()
    assert not CreditEvent.objects.exists()
