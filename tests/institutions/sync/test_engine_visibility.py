"""What the sync withdrew is kept but hidden: workspace lists and counts, the directory, completeness."""

import copy

import pytest
from django.urls import reverse

from institutions.choices import SyncMode
from institutions.models import Certificate, SyncRun
from institutions.selectors import public_institutions
from institutions.selectors.public import public_institution_get
from institutions.selectors.qualification import (
    capabilities_of,
    capability_categories,
    certificate_choices,
    certificates_of,
    equipment_of,
    personnel_departments,
    personnel_of,
    signatories_of,
    site_choices,
    sites_of,
)
from institutions.selectors.workspace import profile_counts
from institutions.services.completeness import completeness_items
from institutions.sync.engine import apply_page
from tests.institutions.sync.builders import certificate_number, make_record

pytestmark = pytest.mark.django_db

SECOND_NUMBER = certificate_number(9001)


def sync(records: list[dict]) -> None:
    apply_page(run=SyncRun(mode=SyncMode.INCREMENTAL), records=records, full=False, seen=None)


@pytest.fixture
def synced(institution):
    """`institution` (matched by USCC) with synced data, then everything but the first certificate, the
    site and two capabilities withdrawn."""
    record = make_record(1)
    record["uscc"] = institution.uscc
    record["certificates"].append(
        {**record["certificates"][0], "id": "INS-0001-CERT-2", "number": SECOND_NUMBER}
    )
    sync([record])
    withdrawn = copy.deepcopy(record)
    withdrawn["certificates"][1]["withdrawn"] = True
    withdrawn["capabilities"][0]["withdrawn"] = True
    for key in ("equipment", "signatories", "personnel"):
        withdrawn[key][0]["withdrawn"] = True
    sync([withdrawn])
    institution.refresh_from_db()
    return institution


def test_workspace_lists_hide_withdrawn_items(synced):
    pk = synced.pk
    assert sorted(capabilities_of(institution_id=pk).values_list("seq", flat=True)) == [2, 3]
    assert list(certificates_of(institution_id=pk).values_list("number", flat=True)) == [
        certificate_number(1)
    ]
    assert [number for _pk, number in certificate_choices(institution_id=pk)] == [certificate_number(1)]
    assert sites_of(institution_id=pk).count() == 1
    assert len(site_choices(institution_id=pk)) == 1
    assert capability_categories(institution_id=pk) == ["粮食加工品"]
    assert not equipment_of(institution_id=pk).exists()
    assert not signatories_of(institution_id=pk).exists()
    assert not personnel_of(institution_id=pk).exists()
    assert personnel_departments(institution_id=pk) == []


def test_workspace_counts_leave_withdrawn_items_out(synced):
    counts = profile_counts(institution_id=synced.pk)
    assert (counts["certificates"], counts["capabilities"], counts["sites"]) == (1, 2, 1)
    assert (counts["equipment"], counts["signatories"], counts["personnel"]) == (0, 0, 0)


def test_a_withdrawn_certificate_is_not_listed_nor_opened_in_the_workspace(synced, client_for):
    client = client_for("inst_admin")
    html = client.get(reverse("institutions:certificate_list")).content.decode()
    assert certificate_number(1) in html
    assert SECOND_NUMBER not in html
    hidden = Certificate.objects.get(number=SECOND_NUMBER)
    assert client.get(reverse("institutions:certificate_detail", args=[hidden.pk])).status_code == 404


def test_the_public_profile_leaves_withdrawn_certificates_out(synced):
    profile = public_institution_get(pk=synced.pk)
    assert [c.number for c in profile.certificates.all()] == [certificate_number(1)]


def test_a_withdrawn_institution_is_not_public(synced, client):
    record = make_record(1)
    record["uscc"] = synced.uscc
    sync([{**record, "withdrawn": True}])
    assert synced not in public_institutions()
    assert client.get(reverse("institutions:public_detail", args=[synced.pk])).status_code == 404
    assert synced.name not in client.get(reverse("institutions:directory")).content.decode()


def test_only_a_valid_certificate_that_is_not_withdrawn_counts_for_completeness(institution):
    record = make_record(1)
    record["uscc"] = institution.uscc
    record["certificates"][0]["withdrawn"] = True
    sync([record])
    items = {item.key: item.done for item in completeness_items(institution=institution)}
    assert items["certificate"] is False
    record["certificates"][0]["withdrawn"] = False
    sync([record])
    items = {item.key: item.done for item in completeness_items(institution=institution)}
    assert items["certificate"] is True
