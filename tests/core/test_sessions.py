"""Sessions with Redis (sujt/core/sessions.py): a cache outage costs database reads, not every logged-in
page. Django's own cached_db store raised when it refilled the cache after reading the database."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

UNREACHABLE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}
PAGE = reverse("accounts:user_list")


def test_logged_in_pages_survive_a_cache_outage(settings, inst_admin):
    settings.SESSION_ENGINE = "sujt.core.sessions"
    client = Client()
    client.force_login(inst_admin)
    assert client.get(PAGE).status_code == 200
    settings.CACHES = UNREACHABLE
    assert client.get(PAGE).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(PAGE).status_code == 302


def test_djangos_cached_db_store_would_fail_there(settings, inst_admin):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = Client()
    client.force_login(inst_admin)
    settings.CACHES = UNREACHABLE
    with pytest.raises(Exception, match=r"127\.0\.0\.1:1"):
        client.get(PAGE)


def test_sessions_are_read_from_the_cache_when_it_is_up(settings, inst_admin):
    settings.SESSION_ENGINE = "sujt.core.sessions"
    client = Client()
    client.force_login(inst_admin)
    Session.objects.all().delete()  # only the cached copy is left
    assert client.get(PAGE).status_code == 200
