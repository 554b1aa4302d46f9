"""The sections of module 02 are declared once (institutions.sections): every page that names or counts
them says the same title and reads the same registry."""

import re

import pytest
from django.urls import reverse

from institutions.choices import ErrorItemType
from institutions.lists import QUALIFICATION_LISTS
from institutions.sections import SECTIONS, SECTIONS_BY_ITEM_TYPE
from institutions.selectors.confirmation import ITEM_MODELS
from institutions.selectors.workspace import profile_counts
from institutions.views.tabs import profile_tabs
from tests.factories import PatentFactory, SiteFactory, TrademarkFactory

TITLES = {section.key: section.title for section in SECTIONS}


def test_each_section_has_one_title_everywhere():
    assert TITLES["sites"] == "检验检测场所"
    assert TITLES["personnel"] == "检验检测人员"
    tabs = {tab.key: tab.title for tab in profile_tabs("overview")}
    assert {key: tabs[key] for key in TITLES} == TITLES
    assert {spec.key: spec.title for spec in QUALIFICATION_LISTS} == {
        key: title for key, title in TITLES.items() if key != "ip"
    }
    # An error report names the synced section it points into by the section's title.
    for item_type, section in SECTIONS_BY_ITEM_TYPE.items():
        assert ErrorItemType(item_type).label == section.title


def test_error_reports_point_into_the_synced_sections():
    assert {section.item_type: section.model for section in SECTIONS if section.synced} == ITEM_MODELS
    assert set(ITEM_MODELS) == set(ErrorItemType.values) - {ErrorItemType.BASIC}


@pytest.mark.django_db
def test_counts_cover_every_section_and_the_parts_of_ip(institution):
    SiteFactory(institution=institution)
    PatentFactory(institution=institution)
    TrademarkFactory(institution=institution)
    counts = profile_counts(institution_id=institution.pk)
    assert {section.key for section in SECTIONS} <= set(counts)
    assert (counts["sites"], counts["patent"], counts["trademark"], counts["ip"]) == (1, 1, 1, 2)


def test_the_overview_and_the_confirmation_page_use_the_registrys_titles(client_for, institution):
    client = client_for("inst_admin")
    overview = client.get(reverse("institutions:overview")).content.decode()
    figures = re.findall(r'class="figure-label"[^>]*>([^<]+)<', overview)
    assert figures == list(TITLES.values())
    confirm = client.get(reverse("institutions:confirm")).content.decode()
    for key in ("sites", "capabilities", "equipment", "signatories", "personnel"):
        assert f"查看{TITLES[key]}" in confirm
