"""The permission matrix of every portal view: who gets what."""

import pytest
from django.urls import reverse


def login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "url_name",
    ["portal:home", "portal:help", "portal:manual_download", "portal:healthz", "institutions:directory"],
)
@pytest.mark.parametrize("who", ["anonymous", "inst_admin", "inst_staff", "city_regulator"])
def test_public_pages_answer_everyone(client_for, url_name, who):
    assert client_for(who).get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", ["portal:dashboard", "portal:notifications"])
def test_workspace_pages_send_anonymous_users_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert login_redirect(response)
    assert response["Location"].endswith(f"?next={reverse(url_name)}")


def test_notification_pages_send_anonymous_users_to_login(client, inst_admin, make_notification):
    notification = make_notification(inst_admin)
    assert login_redirect(client.get(reverse("portal:notification_open", args=[notification.pk])))
    assert login_redirect(client.post(reverse("portal:notifications_read_all")))


@pytest.mark.parametrize(
    ("who", "expected"), [("inst_admin", 200), ("inst_staff", 200), ("other_inst_admin", 200)]
)
def test_dashboard_is_open_to_every_institution_member(client_for, who, expected):
    assert client_for(who).get(reverse("portal:dashboard")).status_code == expected


@pytest.mark.parametrize("who", ["city_regulator", "province_regulator", "superuser"])
def test_dashboard_sends_staff_without_an_institution_to_admin(client_for, who):
    response = client_for(who).get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_dashboard_is_a_404_for_a_user_without_institution_or_staff_status(client_for):
    assert client_for("lone_user").get(reverse("portal:dashboard")).status_code == 404


@pytest.mark.parametrize("who", ["inst_admin", "inst_staff", "city_regulator", "lone_user"])
def test_every_logged_in_user_has_a_notification_centre(client_for, who):
    assert client_for(who).get(reverse("portal:notifications")).status_code == 200


def test_read_all_refuses_get(client_for):
    assert client_for("inst_admin").get(reverse("portal:notifications_read_all")).status_code == 405


def test_display_toggle_refuses_get(client):
    assert client.get(reverse("portal:a11y")).status_code == 405
