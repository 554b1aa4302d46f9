"""Centers on the public side (centers.integrations.public): the directory filters institutions by the
centers they host in operation and shows it; its JSON carries it; the profile shows it. A center being
built (or applied for) says nothing to the public."""

import json

import pytest
from django.urls import reverse

from centers.choices import CenterLevel, CenterStatus
from centers.models import Center
from tests.centers.factories import building_center
from tests.factories import InstitutionFactory

DIRECTORY = reverse("institutions:directory")


@pytest.fixture
def hosts(db, inst_admin, city_regulator, province_regulator, institution):
    """institution hosts a national center in operation and a provincial one being built; 乙 hosts a
    provincial center in operation; 丙 only a center being built."""
    second = InstitutionFactory(name="乙中心检测所", region_code="320102")
    third = InstitutionFactory(name="丙中心检测所", region_code="320102")
    for host in (institution, second, third):
        host.centers_enabled = True
        host.save()
    national = building_center(institution, inst_admin, city_regulator, province_regulator, level="national")
    building_center(institution, inst_admin, city_regulator, province_regulator, name="在建中心")
    provincial = building_center(second, inst_admin, city_regulator, province_regulator, name="乙的中心")
    building_center(third, inst_admin, city_regulator, province_regulator, name="丙的中心")
    # Accepted: the lifecycle itself is tested in test_services; here only the public reading of it.
    Center.objects.filter(pk__in=[national.pk, provincial.pk]).update(status=CenterStatus.RUNNING)
    return institution, second, third


def test_the_directory_filters_by_the_centers_in_operation(client, hosts):
    first, second, third = hosts
    html = client.get(DIRECTORY, {"center_level": CenterLevel.PROVINCIAL}).content.decode()
    assert second.name in html and first.name not in html and third.name not in html
    assert '<span class="badge badge-facet" data-facet="center_level">依托中心 省级中心</span>' in html
    html = client.get(DIRECTORY, {"center_level": CenterLevel.NATIONAL}).content.decode()
    assert first.name in html and second.name not in html
    data = json.loads(client.get(reverse("institutions:directory_json"), {"q": "检测"}).content)
    facets = {row["name"]: row["facets"].get("center_level") for row in data["results"]}
    assert facets[first.name] == "national" and facets[second.name] == "provincial"
    assert facets.get(third.name) is None


def test_the_profile_shows_the_highest_level(client, hosts):
    first, _, third = hosts
    html = client.get(reverse("institutions:public_detail", args=[first.pk])).content.decode()
    assert '<dt>依托中心</dt><dd data-facet="center_level">国家级中心</dd>' in html
    html = client.get(reverse("institutions:public_detail", args=[third.pk])).content.decode()
    assert "依托中心" not in html
