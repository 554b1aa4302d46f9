"""seed_demo ends with an up-to-date capability search index, and the directory finds the demo data."""

import re

import pytest
from django.urls import reverse

from institutions.models import Capability, CapabilitySearch

pytestmark = pytest.mark.django_db


def test_the_demo_capabilities_are_indexed_and_found(demo_seeded, client):
    assert (
        CapabilitySearch.objects.count() == Capability.objects.filter(withdrawn_at__isnull=True).count() > 0
    )
    for q in ("钢筋", "水质", "GB 5009", "GB/T 5750"):
        html = client.get(reverse("institutions:directory"), {"q": q}).content.decode()
        assert re.search(r"共找到 \d+ 家机构", html), q
        assert "<mark>" in html, q
