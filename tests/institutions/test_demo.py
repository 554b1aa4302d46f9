"""`seed_demo`'s module-02 data: realistic, valid, fictional, varied, and created only once.

The demo is seeded once for the module (inside a transaction rolled back at the end) and every test runs
in its own savepoint on top of it.
"""

import datetime
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from institutions import demo, demo_data
from institutions.choices import CertificateStatus, SupervisingDepartment
from institutions.models import (
    Capability,
    Certificate,
    Equipment,
    ErrorReport,
    Institution,
    Patent,
    Personnel,
    Signatory,
    Site,
    SoftwareCopyright,
    Trademark,
)
from institutions.models.institution import validate_phone_number
from institutions.services.completeness import completeness_score
from institutions.services.confirmation import EVIDENCE_PURPOSE
from institutions.services.profile import HIGH_TECH_CERTIFICATE_PURPOSE
from sujt.core.attachments import attachments_of
from sujt.core.choices import AttachmentKind, ReviewStatus
from sujt.core.choices import TestingField as Field
from sujt.core.models import ReviewTransition
from sujt.core.validators import parse_cma_number, validate_mobile, validate_uscc
from tests.demo_checks import row_counts

pytestmark = pytest.mark.django_db

# A standard as cited in a capability schedule: code, number with its year, then its title.
STANDARD_RE = re.compile(r"^(GB|GB/T|HJ|JGJ|JGJ/T|YY|YY/T|NB/T|FZ/T) \d+(\.\d+)*-(19|20)\d{2} \S")


@pytest.fixture(autouse=True)
def _seeded(demo_seeded, settings):
    settings.PRIVATE_MEDIA_ROOT = demo_seeded[1]  # where the seed stored its attachments


def today() -> datetime.date:
    return timezone.localdate()


def test_seed_reports_what_it_created(demo_seeded):
    output, _private = demo_seeded
    assert "补充基础信息 30 家" in output
    assert re.search(r"能力 \d{3,} 项", output)


def test_second_run_creates_nothing_and_changes_nothing():
    before = row_counts()
    stamps = list(Institution.objects.order_by("pk").values_list("updated_at", "completeness"))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert row_counts() == before  # history rows included: nothing was saved again
    assert list(Institution.objects.order_by("pk").values_list("updated_at", "completeness")) == stamps
    output = out.getvalue()
    assert "补充基础信息 0 家，填写完善信息 0 家，确认机构信息 0 家" in output
    assert "新建 证书 0 张，场所 0 个，能力 0 项，设备 0 台，授权签字人 0 名，人员 0 名" in output
    assert "知识产权 0 项，纠错报告 0 份" in output


def test_an_institution_missing_one_part_gets_only_that_part():
    institution = Institution.objects.get(uscc=demo.demo_institution_spec(2)["uscc"])
    Equipment.objects.filter(institution=institution).delete()
    before = row_counts()
    call_command("seed_demo", stdout=StringIO())
    after = row_counts()
    changed = {label for label in after if after[label] != before[label]}
    assert changed == {"institutions.Equipment", "institutions.HistoricalEquipment"}
    assert 5 <= Equipment.objects.filter(institution=institution).count() <= 40


def demo_institutions():
    """The 30 hand-made demo institutions; the five imported through the sync carry source ids."""
    return Institution.objects.filter(source_id__isnull=True)


def test_basic_info_is_complete_valid_and_fictional():
    institutions = list(demo_institutions())
    assert len(institutions) == demo.INSTITUTION_COUNT
    for inst in institutions:
        validate_uscc(inst.uscc)
        inst.full_clean()
        assert inst.legal_representative and inst.contact_person and inst.introduction
        assert inst.address.startswith(inst.region_name)
        assert re.fullmatch(r"2\d{5}", inst.postcode)
        validate_phone_number(inst.phone)
        assert re.fullmatch(r"0\d{2,3}-8555\d{4}", inst.phone)
        validate_mobile(inst.contact_phone)
        assert inst.contact_phone.startswith("13955500")
        assert inst.email.endswith(".example.cn")
        assert re.fullmatch(r"https://www\.[a-z]+\.example\.cn", inst.website)
        assert inst.established_on < today()
    assert len({inst.phone for inst in institutions}) == len(institutions)
    assert len({inst.website for inst in institutions}) == len(institutions)


def test_certificate_numbers_are_valid_and_match_their_dates_and_institutions():
    certificates = list(Certificate.objects.select_related("institution"))
    assert certificates
    authorities = Counter()
    for cert in certificates:
        parsed = parse_cma_number(cert.number)
        cert.full_clean()
        assert parsed.issue_year == cert.issued_on.year
        assert (cert.authority_code, cert.field_code, cert.department_code) == (
            parsed.authority_code,
            parsed.field_code,
            parsed.department_code,
        )
        assert cert.department_code in SupervisingDepartment.values
        assert cert.expires_on == demo._years_later(cert.issued_on, 6) - datetime.timedelta(days=1)
        authorities[cert.authority_code] += 1
    assert set(authorities) == {"00", "10"}
    assert authorities["10"] > 3 * authorities["00"] >= 3
    # Every institution holds a current certificate in the field its name says.
    for number in range(1, demo.INSTITUTION_COUNT + 1):
        spec = demo.demo_institution_spec(number)
        assert Certificate.objects.filter(
            institution__uscc=spec["uscc"], field_code=demo.demo_field(number), status=CertificateStatus.VALID
        ).exists()


def test_certificates_expire_soon_later_and_in_the_past():
    valid = Certificate.objects.filter(status=CertificateStatus.VALID)
    soon = today() + datetime.timedelta(days=90)
    half_year = today() + datetime.timedelta(days=183)
    assert valid.filter(expires_on__gte=today(), expires_on__lte=soon).exists()
    assert valid.filter(expires_on__gt=soon, expires_on__lte=half_year).exists()
    assert not valid.filter(expires_on__lt=today()).exists()
    expired = Certificate.objects.filter(status=CertificateStatus.EXPIRED)
    assert expired.exists()
    assert all(cert.expires_on < today() for cert in expired)


def test_every_institution_has_20_to_300_capabilities_citing_standards():
    per_institution = dict(
        Capability.objects.values_list("institution").annotate(n=Count("id")).values_list("institution", "n")
    )
    assert set(per_institution) == set(Institution.objects.values_list("pk", flat=True))
    assert all(20 <= n <= 300 for n in per_institution.values())
    assert len(set(per_institution.values())) > 10  # sizes vary

    seqs = defaultdict(list)
    for cap in Capability.objects.select_related("certificate", "site").order_by("certificate_id", "seq"):
        assert STANDARD_RE.match(cap.standard), cap.standard
        assert cap.item and cap.category
        assert cap.certificate.institution_id == cap.institution_id
        assert cap.certificate.status == CertificateStatus.VALID
        assert cap.site.institution_id == cap.institution_id
        seqs[cap.certificate_id].append(cap.seq)
    assert all(values == list(range(1, len(values) + 1)) for values in seqs.values())
    assert Capability.objects.exclude(limitation="").exists()
    assert Capability.objects.exclude(note="").exists()
    assert Capability.objects.filter(standard__startswith="GB 5009.3-2016 ").exists()


def test_capability_pools_cover_every_field_in_use_with_enough_rows():
    for field in {demo.demo_field(n) for n in range(1, 13)} | set(demo_data.SECOND_FIELD.values()):
        rows = demo_data.capability_pool(field)
        assert len(rows) >= 20, field
        assert all(STANDARD_RE.match(standard) for _c, _i, standard, _l in rows), field
        assert field in demo_data.EQUIPMENT
        assert field in demo_data.DEPARTMENT_OF_FIELD
    assert set(demo_data.TRADE_PINYIN) == set(demo._TRADE_NAMES)


def test_sites_equipment_signatories_and_personnel_are_in_range():
    for inst in demo_institutions().annotate(
        n_sites=Count("sites", distinct=True),
        n_equipment=Count("equipment", distinct=True),
        n_signatories=Count("signatories", distinct=True),
        n_personnel=Count("personnel", distinct=True),
    ):
        assert 1 <= inst.n_sites <= 3
        assert 5 <= inst.n_equipment <= 40
        assert 1 <= inst.n_signatories <= 4
        assert 5 <= inst.n_personnel <= 30
        expired = Equipment.objects.filter(institution=inst, valid_until__lt=today())
        assert expired.exists()  # every equipment list has a calibration to flag
        people = set(Personnel.objects.filter(institution=inst).values_list("name", flat=True))
        assert set(Signatory.objects.filter(institution=inst).values_list("name", flat=True)) <= people
    assert {"fixed", "multiple", "mobile", "temporary"} <= set(
        Site.objects.values_list("site_type", flat=True)
    )
    assert {"owned", "leased"} == set(Site.objects.values_list("tenure", flat=True))
    assert len(set(Equipment.objects.values_list("traceability", flat=True))) == 3
    for model in (Site, Equipment, Signatory, Personnel):
        for row in model.objects.all():
            row.full_clean()


def test_profile_extras_are_filled_for_about_two_thirds_and_follow_the_rules():
    institutions = list(Institution.objects.prefetch_related("fields"))
    full = [inst for inst in institutions if inst.business_scope]
    assert len(full) == 20
    assert any(not inst.legal_person_type for inst in institutions)
    assert any(inst.legal_person_type and not inst.business_scope for inst in institutions)
    for inst in institutions:
        inst.full_clean()
    high_tech = [inst for inst in institutions if inst.is_high_tech]
    assert high_tech
    for inst in high_tech:
        assert inst.high_tech_obtained_on < today()
        scan = inst.high_tech_certificate
        assert scan.kind == AttachmentKind.IMAGE
        assert scan.purpose == HIGH_TECH_CERTIFICATE_PURPOSE
        assert scan.owner == inst
        assert scan.file.read(8) == b"\x89PNG\r\n\x1a\n"
    assert Institution.objects.exclude(logo=None).exists()
    listed = [inst for inst in institutions if inst.is_listed]
    assert len(listed) == 3
    assert all(inst.listed_market and inst.stock_code for inst in listed)
    assert "<script" not in "".join(inst.business_scope for inst in full)
    # The declared testing fields match the certificates they hold.
    for inst in full:
        declared = {field.code for field in inst.fields.all()}
        held = set(inst.certificates.values_list("field_code", flat=True))
        assert declared == held


def test_completeness_is_stored_and_varies():
    scores = []
    for inst in Institution.objects.all():
        assert inst.completeness == completeness_score(institution=inst)
        scores.append(inst.completeness)
    assert len(set(scores)) >= 5
    assert min(scores) < 60
    assert max(scores) == 100


def test_motor_vehicle_institutions_are_not_confirmed_and_others_are():
    confirmed = Institution.objects.exclude(info_confirmed_at=None)
    assert confirmed.exists()
    assert not confirmed.filter(certificates__field_code=Field.MOTOR_VEHICLE).exists()
    assert confirmed.count() < Institution.objects.count()


def test_intellectual_property_is_valid():
    assert SoftwareCopyright.objects.exists() and Patent.objects.exists() and Trademark.objects.exists()
    for model in (SoftwareCopyright, Patent, Trademark):
        for row in model.objects.all():
            row.full_clean()
    for patent in Patent.objects.all():
        digits = patent.patent_number[2:14]
        expected = demo.patent_number(
            year=int(digits[:4]), patent_type=patent.patent_type, serial=int(digits[5:])
        )
        assert patent.patent_number == expected
        assert patent.granted_on is None or patent.applied_on < patent.granted_on <= today()
    assert all(1 <= mark.nice_class <= 45 and mark.valid_until > today() for mark in Trademark.objects.all())
    assert Institution.objects.filter(software_copyrights=None, patents=None, trademarks=None).exists()


def test_patent_check_digit_follows_the_application_number_rule():
    # 2019 2 0123456: weights 2,3,4,5,6,7,8,9,2,3,4,5 → 4+0+4+45+12+0+8+18+6+12+20+30 = 159; 159 % 11 = 5
    assert demo.patent_number(year=2019, patent_type="utility", serial=123456) == "ZL201920123456.5"


def test_error_reports_in_three_review_states_with_evidence():
    reports = {report.status: report for report in ErrorReport.objects.select_related("institution")}
    assert set(reports) == {ReviewStatus.SUBMITTED, ReviewStatus.APPROVED, ReviewStatus.RETURNED}
    assert reports[ReviewStatus.APPROVED].review_comment
    assert reports[ReviewStatus.RETURNED].review_comment
    content_type = ContentType.objects.get_for_model(ErrorReport)
    for report in reports.values():
        assert report.created_by.memberships.filter(institution=report.institution).exists()
        assert attachments_of(report, purpose=EVIDENCE_PURPOSE).count() == 1
        log = ReviewTransition.objects.filter(content_type=content_type, object_id=report.pk)
        assert log.filter(to_status=ReviewStatus.SUBMITTED).exists()
    decided = ReviewTransition.objects.filter(
        content_type=content_type, to_status__in=[ReviewStatus.APPROVED, ReviewStatus.RETURNED]
    )
    assert decided.count() == 2
    assert all(log.by.is_staff for log in decided.select_related("by"))


def test_bulk_created_rows_keep_their_history_attributed_to_the_demo_user():
    history = Capability.history.model.objects
    assert history.count() == Capability.objects.count()
    demo_rows = history.filter(institution__source_id__isnull=True)
    assert set(demo_rows.values_list("history_user__name", flat=True).distinct()) == {"演示数据"}
    synced_rows = history.filter(institution__source_id__isnull=False)
    assert synced_rows.exists()
    assert set(synced_rows.values_list("history_user__name", flat=True).distinct()) == {"资质认定同步"}


def test_five_institutions_arrive_through_the_sync_with_first_accounts():
    from institutions.models import SyncRun
    from sujt.accounts.models import Membership

    run = SyncRun.objects.get(source=demo.SYNC_DEMO_FILE)
    assert (run.mode, run.status, run.created, run.failed) == ("file", "succeeded", 5, 0)
    assert run.accounts_created == 5
    synced = Institution.objects.filter(source_id__isnull=False)
    assert synced.count() == 5
    for inst in synced:
        admin = Membership.objects.select_related("user").get(institution=inst, role="admin").user
        assert admin.phone == inst.contact_phone
        assert admin.must_change_password
        assert inst.capabilities.count() == 30
    # A second seed does not import again.
    call_command("seed_demo", stdout=StringIO())
    assert SyncRun.objects.count() == 1


def test_the_demo_shows_a_shared_account_and_a_pending_invitation():
    from sujt.accounts.choices import InvitationStatus
    from sujt.accounts.models import Invitation, Membership
    from sujt.accounts.selectors import account_only_here

    shared = Membership.objects.filter(user__phone=demo.admin_phone(3))
    assert shared.count() == 2
    assert not account_only_here(user_id=shared.first().user_id, institution_id=shared.first().institution_id)
    invitation = Invitation.objects.get(user__phone=demo.staff_phone(1))
    assert invitation.status == InvitationStatus.PENDING and not invitation.is_expired
    assert not Membership.objects.filter(user=invitation.user, institution=invitation.institution).exists()
