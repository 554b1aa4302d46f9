"""/healthz: database, cache and broker; 200 when all are up, 503 otherwise. Anyone gets each part's
status; only staff get the details (database vendor, cache backend, broker mode, error text)."""

import os
import time

import pytest
from django.urls import reverse

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_all_up_is_200_and_tells_an_anonymous_caller_only_the_status(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": {"status": "ok"},
        "cache": {"status": "ok"},
        "broker": {"status": "ok"},
    }
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["anonymous", "inst_admin"])
def test_a_caller_who_is_not_staff_learns_no_vendor_backend_or_mode(client_for, who):
    body = client_for(who).get("/healthz").json()
    assert all(set(part) == {"status"} for name, part in body.items() if name != "status")


def test_staff_get_the_details(client_for):
    body = client_for("city_regulator").get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok" and body["database"]["vendor"]
    assert body["cache"]["status"] == "ok" and body["cache"]["backend"]
    assert body["broker"] == {"status": "ok", "mode": "eager"}


def test_url_name(client):
    assert reverse("portal:healthz") == "/healthz"


def test_needs_no_login_even_for_a_user_who_must_change_password(client, inst_admin):
    inst_admin.must_change_password = True
    inst_admin.save()
    client.force_login(inst_admin)
    assert client.get("/healthz").status_code == 200


def test_broken_cache_is_503(client_for, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    }
    response = client_for("anonymous").get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": {"status": "ok"},
        "cache": {"status": "error"},
        "broker": {"status": "ok"},
    }
    body = client_for("province_regulator").get("/healthz").json()
    assert body["cache"]["status"] == "error" and body["cache"]["error"]
    assert body["database"]["status"] == "ok"


def test_unreachable_broker_is_503_and_fails_fast(client_for, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    started = time.monotonic()
    response = client_for("city_regulator").get("/healthz")
    assert time.monotonic() - started < 8
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["status"] == "error" and body["broker"]["error"]
    assert body["cache"]["status"] == "ok"
    assert client_for("anonymous").get("/healthz").json()["broker"] == {"status": "error"}


def test_broken_database_is_503_with_the_error_for_staff_only(client_for, monkeypatch, caplog):
    from sujt.portal import health

    class BrokenConnection:
        vendor = "broken"

        def cursor(self):
            raise RuntimeError("数据库不可用")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    anonymous = client_for("anonymous").get("/healthz")
    assert anonymous.status_code == 503
    assert anonymous.json()["database"] == {"status": "error"}
    assert (
        "数据库不可用" not in anonymous.content.decode() and "RuntimeError" not in anonymous.content.decode()
    )
    assert "RuntimeError: 数据库不可用" in caplog.text  # the operators still find it in the log
    staff = client_for("city_regulator").get("/healthz")
    assert staff.status_code == 503
    assert staff.json()["database"] == {"status": "error", "error": "RuntimeError: 数据库不可用"}


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no broker to reach")
def test_reachable_broker_is_ok(client_for, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response = client_for("city_regulator").get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"]["status"] == "ok"
    assert response.json()["broker"]["mode"] == "broker"
