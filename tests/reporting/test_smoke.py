import pytest

from reporting import services
from reporting.choices import AssignmentStatus
from tests.reporting.factories import INSTITUTION_ANSWERS, assignment_of, task_published

pytestmark = pytest.mark.django_db


def test_a_published_task_is_filled_and_accepted(institution, inst_admin, city_regulator, client_for):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = assignment_of(task, institution)
    client = client_for("inst_admin")
    assert client.get(assignment.get_absolute_url()).status_code == 200
    assert client.get("/reports/").status_code == 200
    services.assignment_save(assignment=assignment, by=inst_admin, values=INSTITUTION_ANSWERS, submit=True)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    assert client.get(assignment.get_absolute_url()).status_code == 200
    services.assignment_accept(assignment=assignment, by=city_regulator)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED
