"""/healthz: database, cache and broker; 200 when all are up, 503 with the error otherwise."""

import os
import time

import pytest
from django.urls import reverse

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_all_up_is_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["cache"]["status"] == "ok"
    assert body["broker"] == {"status": "ok", "mode": "eager"}
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_url_name(client):
    assert reverse("portal:healthz") == "/healthz"


def test_needs_no_login_even_for_a_user_who_must_change_password(client, inst_admin):
    inst_admin.must_change_password = True
    inst_admin.save()
    client.force_login(inst_admin)
    assert client.get("/healthz").status_code == 200


def test_broken_cache_is_503(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["cache"]["status"] == "error" and body["cache"]["error"]
    assert body["database"]["status"] == "ok"


def test_unreachable_broker_is_503_and_fails_fast(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 8
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["status"] == "error" and body["broker"]["error"]
    assert body["cache"]["status"] == "ok"


def test_broken_database_is_503(client, monkeypatch):
    from sujt.portal import health

    class BrokenConnection:
        vendor = "broken"

        def cursor(self):
            raise RuntimeError("数据库不可用")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"status": "error", "error": "RuntimeError: 数据库不可用"}


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no broker to reach")
def test_reachable_broker_is_ok(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"]["status"] == "ok"
    assert response.json()["broker"]["mode"] == "broker"
