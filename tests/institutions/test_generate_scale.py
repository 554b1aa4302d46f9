"""`manage.py generate_scale` (issue 13): deterministic, public, in every city's range, searchable."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from institutions.choices import InstitutionStatus
from institutions.models import Capability, CapabilitySearch, Certificate, Institution, Site
from institutions.selectors import public_institutions
from sujt.core.regions import CITIES
from sujt.core.validators import validate_cma_number, validate_uscc

SMALL = {"institutions": 6, "capabilities": 10, "seed": 7}


def _snapshot() -> list[tuple]:
    """Everything generated, without database ids or timestamps (they differ between runs)."""
    rows = []
    for institution in Institution.objects.order_by("uscc"):
        certificates = list(
            Certificate.objects.filter(institution=institution)
            .order_by("number")
            .values_list("number", "issued_on", "expires_on", "status")
        )
        sites = list(
            Site.objects.filter(institution=institution).order_by("name").values_list("name", "address")
        )
        capabilities = list(
            Capability.objects.filter(institution=institution)
            .order_by("certificate__number", "seq")
            .values_list(
                "certificate__number", "seq", "category", "item", "standard", "limitation", "site__name"
            )
        )
        fields = list(institution.fields.order_by("code").values_list("code", flat=True))
        values = (institution.name, institution.uscc, institution.region_code, institution.status)
        rows.append((values, fields, certificates, sites, capabilities))
    return rows


def _generate(**options) -> None:
    call_command("generate_scale", **{**SMALL, **options}, stdout=io.StringIO())


@pytest.mark.django_db
def test_the_same_seed_generates_the_same_rows():
    _generate()
    first = _snapshot()
    Institution.objects.all().delete()
    _generate()
    assert _snapshot() == first
    Institution.objects.all().delete()
    _generate(seed=8)
    assert _snapshot() != first


@pytest.mark.django_db
def test_generated_institutions_are_public_valid_and_fully_indexed():
    _generate()
    institutions = list(Institution.objects.all())
    assert len(institutions) == SMALL["institutions"]
    for institution in institutions:
        assert institution.status == InstitutionStatus.NORMAL and institution.withdrawn_at is None
        assert institution.region_code[:4] + "00" in CITIES
        validate_uscc(institution.uscc)
        assert institution.fields.exists()
    for number in Certificate.objects.values_list("number", flat=True):
        validate_cma_number(number)
    assert Capability.objects.count() == SMALL["institutions"] * SMALL["capabilities"]
    assert CapabilitySearch.objects.count() == Capability.objects.count()
    assert public_institutions().count() == SMALL["institutions"]


@pytest.mark.django_db
def test_the_directory_finds_a_generated_capability(client):
    _generate()
    capability = next(
        row
        for row in Capability.objects.select_related("institution").order_by("pk")
        if re.fullmatch(r"[\u4e00-\u9fff]{2,}", row.item)
    )
    response = client.get(reverse("institutions:directory"), {"q": capability.item})
    assert response.status_code == 200
    assert capability.institution.name in response.content.decode()


@pytest.mark.django_db
def test_it_refuses_a_database_with_public_institutions_unless_appending():
    _generate()
    with pytest.raises(CommandError, match="已有公开机构"):
        _generate()
    _generate(append=True, institutions=2)
    assert Institution.objects.count() == SMALL["institutions"] + 2
    assert CapabilitySearch.objects.count() == (SMALL["institutions"] + 2) * SMALL["capabilities"]
