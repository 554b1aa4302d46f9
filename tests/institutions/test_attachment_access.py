"""Who downloads module 02's files (/files/<id>/): the rule of the page that shows each file.

The institution's own files (logo, high-tech certificate scan, certificate scans, error-report evidence)
are shown on the 机构风采管理 pages, which need the manage_profile permission, and in admin, to the
regulators over the institution's region, for the rows admin lists them: an error report still a draft
is the institution's own and is not listed.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from institutions.choices import ErrorItemType
from institutions.models import ErrorReport
from sujt.core.attachments import attachment_create
from sujt.core.choices import AttachmentKind, ReviewStatus
from tests.core.samples import PDF_BYTES, upload
from tests.factories import CertificateFactory, RegulatorFactory


@pytest.fixture
def staff_with_perm(institution, clerk):
    return clerk(institution, "经办人丙", "manage_profile")


@pytest.fixture
def staff_with_other_perm(institution, clerk):
    return clerk(institution, "经办人丁", "submit_news", "manage_credit")


@pytest.fixture
def district_regulator_elsewhere(db):
    return RegulatorFactory(region_code="320104", user__name="秦淮区监管员").user


def stored_file(owner, by):
    return attachment_create(
        owner=owner, file=upload("材料.pdf", PDF_BYTES), kinds=[AttachmentKind.PDF], purpose="evidence", by=by
    )


def status_for(client_for, who: str, attachment) -> int:
    return client_for(who).get(reverse("core:attachment_download", args=[attachment.pk])).status_code


OWN_FILE_MATRIX = [
    ("inst_admin", 200),
    ("staff_with_perm", 200),
    ("inst_staff", 404),  # a member without 机构风采管理: the pages showing the file are refused
    ("staff_with_other_perm", 404),
    ("city_regulator", 200),
    ("province_regulator", 200),
    ("superuser", 200),
    ("other_inst_admin", 404),
    ("other_city_regulator", 404),
    ("district_regulator_elsewhere", 404),
]


@pytest.mark.parametrize(("who", "expected"), OWN_FILE_MATRIX)
@pytest.mark.parametrize("owner", ["institution", "certificate"])
def test_the_institutions_own_files_follow_the_profile_pages(
    client_for, institution, inst_admin, owner, who, expected
):
    target = institution if owner == "institution" else CertificateFactory(institution=institution)
    assert status_for(client_for, who, stored_file(target, inst_admin)) == expected


def test_the_high_tech_certificate_scan_needs_manage_profile(
    client_for, institution, inst_admin, grant, inst_staff
):
    institution.high_tech_certificate = stored_file(institution, inst_admin)
    institution.save()
    scan = institution.high_tech_certificate
    assert status_for(client_for, "inst_staff", scan) == 404
    assert client_for("inst_staff").get(reverse("institutions:overview")).status_code == 403
    grant(inst_staff, institution, "manage_profile")
    assert status_for(client_for, "inst_staff", scan) == 200


def make_report(institution, by, *, status: str, submitted: bool) -> ErrorReport:
    return ErrorReport.objects.create(
        institution=institution,
        item_type=ErrorItemType.BASIC,
        item_label="法定代表人",
        description="法定代表人已于今年变更。",
        created_by=by,
        status=status,
        submitted_at=timezone.now() if submitted else None,
    )


REPORT_STATES = {
    # name: (status, ever submitted, listed in admin)
    "draft": (ReviewStatus.DRAFT, False, False),
    "withdrawn_draft": (ReviewStatus.WITHDRAWN, False, False),
    "submitted": (ReviewStatus.SUBMITTED, True, True),
    "withdrawn_after_submission": (ReviewStatus.WITHDRAWN, True, True),
    "approved": (ReviewStatus.APPROVED, True, True),
}


@pytest.mark.parametrize("state", list(REPORT_STATES))
def test_error_report_evidence_is_for_its_institution_and_for_regulators_once_submitted(
    client_for, institution, inst_admin, state
):
    status, submitted, listed = REPORT_STATES[state]
    report = make_report(institution, inst_admin, status=status, submitted=submitted)
    evidence = stored_file(report, inst_admin)
    assert status_for(client_for, "inst_admin", evidence) == 200
    assert status_for(client_for, "staff_with_perm", evidence) == 200
    assert status_for(client_for, "inst_staff", evidence) == 404
    assert status_for(client_for, "other_city_regulator", evidence) == 404
    for who in ("city_regulator", "province_regulator", "superuser"):
        assert status_for(client_for, who, evidence) == (200 if listed else 404), who
    # The regulator downloads exactly the reports admin lists them.
    changelist = client_for("city_regulator").get(reverse("admin:institutions_errorreport_changelist"))
    assert (report in changelist.context["cl"].result_list) is listed
