"""profile_update: one transaction, history with the acting user, the rules, files cleaned up on failure."""

import pytest
from django.core.exceptions import ValidationError

from institutions.models import Institution, InstitutionField
from institutions.services.completeness import completeness_score
from institutions.services.profile import profile_update
from sujt.core.models import Attachment
from tests.core.samples import PDF_BYTES, png_bytes, upload

BASE = {
    "is_high_tech": False,
    "is_listed": False,
    "legal_person_type": "enterprise",
    "investor_type": "private",
}


def stored_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_saves_fields_with_history_naming_the_acting_user(institution, inst_admin):
    updated = profile_update(institution=institution, by=inst_admin, data={**BASE, "unit_type": "research"})
    assert updated.unit_type == "research"
    record = Institution.history.filter(id=institution.pk).first()
    assert record.history_user == inst_admin and record.unit_type == "research"


def test_only_the_profile_fields_are_written(institution, inst_admin):
    profile_update(
        institution=institution,
        by=inst_admin,
        data={**BASE, "name": "改名", "completeness": 100, "status": "revoked"},
    )
    institution.refresh_from_db()
    assert institution.name != "改名" and institution.status == "normal"
    assert institution.completeness == completeness_score(institution=institution)


def test_missing_keys_are_left_unchanged(institution, inst_admin):
    profile_update(
        institution=institution, by=inst_admin, data={**BASE, "ownership": "state", "fields": ["00"]}
    )
    profile_update(institution=institution, by=inst_admin, data={"unit_type": "other"})
    institution.refresh_from_db()
    assert (institution.ownership, institution.unit_type) == ("state", "other")
    assert list(institution.fields.values_list("code", flat=True)) == ["00"]


def test_testing_fields_are_synced_with_history(institution, inst_admin):
    profile_update(institution=institution, by=inst_admin, data={**BASE, "fields": ["00", "05", "13"]})
    profile_update(institution=institution, by=inst_admin, data={**BASE, "fields": ["13", "20", "99"]})
    assert sorted(
        InstitutionField.objects.filter(institution=institution).values_list("code", flat=True)
    ) == [
        "13",
        "20",
    ]
    removed = InstitutionField.history.filter(institution_id=institution.pk, history_type="-")
    assert sorted(removed.values_list("code", flat=True)) == ["00", "05"]
    assert {record.history_user for record in removed} == {inst_admin}


def test_a_broken_rule_saves_nothing_and_leaves_no_file(institution, inst_admin, settings):
    with pytest.raises(ValidationError) as caught:
        profile_update(
            institution=institution,
            by=inst_admin,
            data={**BASE, "is_high_tech": True, "fields": ["00"]},  # no date
            logo=upload("logo.png", png_bytes(), "image/png"),
            high_tech_certificate=upload("证书.pdf", PDF_BYTES, "application/pdf"),
        )
    assert set(caught.value.message_dict) == {"high_tech_obtained_on"}
    institution.refresh_from_db()
    assert institution.is_high_tech is None and institution.logo_id is None
    assert not InstitutionField.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_listed_without_market_is_refused(institution, inst_admin):
    with pytest.raises(ValidationError) as caught:
        profile_update(
            institution=institution, by=inst_admin, data={**BASE, "is_listed": True, "stock_code": "600000"}
        )
    assert set(caught.value.message_dict) == {"listed_market"}


def test_a_refused_upload_is_refused_by_the_service_too(institution, inst_admin):
    with pytest.raises(ValidationError):
        profile_update(
            institution=institution, by=inst_admin, data=BASE, logo=upload("logo.png", b"text", "image/png")
        )
    assert not Attachment.objects.exists()


def test_completeness_is_recalculated_and_stored(institution, inst_admin):
    assert institution.completeness == 0
    updated = profile_update(
        institution=institution,
        by=inst_admin,
        data={**BASE, "fields": ["00"], "business_scope": "<p>食品</p>"},
        logo=upload("logo.png", png_bytes(), "image/png"),
    )
    # 是否高新 5 + Logo 5 + 法人类型 5 + 是否上市 4 + 出资人类型 4 + 领域 6 + 业务范围 6
    assert updated.completeness == 35 == completeness_score(institution=updated)
    assert Institution.objects.get(pk=institution.pk).completeness == 35
