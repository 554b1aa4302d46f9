"""Settings read from the environment (DESIGN §4), checked in a fresh interpreter per environment.

The suite itself runs on sujt/settings_test.py; each case here runs Python in a subprocess on
sujt/settings.py with exactly the environment the case names.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

PROBE = """
import json
from django.conf import settings
from sujt.celery import app

print(json.dumps({
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "app_eager": app.conf.task_always_eager,
    "app_broker": app.conf.broker_url,
    "secure_cookies": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "csrf_secure": getattr(settings, "CSRF_COOKIE_SECURE", False),
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "hashers": settings.PASSWORD_HASHERS[:1],
    "proxy_ssl_header": list(getattr(settings, "SECURE_PROXY_SSL_HEADER", None) or []),
    "session_engine": settings.SESSION_ENGINE,
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "testing": settings.TESTING,
    "installed_test_app": "tests.core.workflow_app" in settings.INSTALLED_APPS,
}))
"""

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "jyjc.example.gov.cn",
    # Never connected to: settings and the deploy checks only parse it.
    "DATABASE_URL": "postgres://sujt:secret@db.invalid:5432/sujt",
    "REDIS_URL": "redis://cache.invalid:6379/0",
}


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Runs python with `env` only (plus what an interpreter needs to start), never importing pytest."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "sujt.settings",
        "PYTHONIOENCODING": "utf-8",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def probe(env: dict[str, str]) -> dict:
    result = run_python(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_but_debug_set_means_sqlite_locmem_cache_and_eager_celery():
    values = probe({"DJANGO_DEBUG": "1"})
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(BASE_DIR / "db.sqlite3")
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["eager"] is True
    assert values["app_eager"] is True
    assert values["broker"] == "memory://"
    assert values["hashers"] == ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_database_and_redis_urls_select_postgres_redis_cache_and_broker():
    values = probe(
        {
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": "postgres://sujt:secret@db.example.cn:5432/sujt_prod",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        }
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "sujt_prod"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["cache_location"] == "redis://127.0.0.1:6379/3"
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["app_broker"] == "redis://127.0.0.1:6379/3"
    assert values["eager"] is False
    assert values["app_eager"] is False


def test_debug_off_without_secret_key_refuses_to_start():
    result = run_python(["manage.py", "check"], {})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_debug_off_with_secret_key_turns_on_production_security():
    values = probe(PRODUCTION_ENV)
    assert values["debug"] is False
    assert values["secure_cookies"] is True
    assert values["csrf_secure"] is True
    assert values["ssl_redirect"] is True
    assert values["hsts"] >= 31536000
    assert values["allowed_hosts"] == ["jyjc.example.gov.cn"]
    assert values["static_storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def documented_deliberate_warnings() -> set[str]:
    """Check ids listed under docs/deploy.md's heading about deliberate check --deploy warnings."""
    text = (BASE_DIR / "docs" / "deploy.md").read_text(encoding="utf-8")
    match = re.search(r"^### 有意保留的检查项.*?$(.*?)(?=^#)", text, flags=re.MULTILINE | re.DOTALL)
    assert match, "docs/deploy.md must have a '### 有意保留的检查项' section"
    return set(re.findall(r"`([a-z_]+\.[WE]\d{3})`", match.group(1)))


def test_check_deploy_shows_no_warning_that_is_not_documented_as_deliberate():
    result = run_python(["manage.py", "check", "--deploy"], PRODUCTION_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    shown = set(re.findall(r"\(([a-z_]+\.[WE]\d{3})\)", output))
    assert shown <= documented_deliberate_warnings(), output


@pytest.mark.parametrize(
    ("extra", "expected"),
    [({}, "no issues (2 silenced)"), ({"DJANGO_HSTS_PRELOAD": "1"}, "no issues (1 silenced)")],
)
def test_only_the_documented_checks_are_silenced(extra, expected):
    result = run_python(["manage.py", "check", "--deploy"], {**PRODUCTION_ENV, **extra})
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout + result.stderr
    assert {"security.W021", "axes.W006"} <= documented_deliberate_warnings()


# --- Issue 10: explicit test settings, strict switches, proxy header, CSP, sessions, SQLite -------


def test_importing_pytest_relaxes_nothing():
    """The switch used to be `"pytest" in sys.modules`: a deployment that happened to import pytest ran
    with the development key and without the security block."""
    result = run_python(["-c", "import pytest\n" + PROBE], {})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    result = run_python(["-c", "import pytest\n" + PROBE], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["testing"] is False and values["installed_test_app"] is False
    assert values["ssl_redirect"] is True and values["secure_cookies"] is True


def test_the_test_settings_are_a_module_of_their_own():
    values = probe({"DJANGO_SETTINGS_MODULE": "sujt.settings_test"})
    assert values["testing"] is True and values["installed_test_app"] is True
    assert values["eager"] is True and values["ssl_redirect"] is False


@pytest.mark.parametrize("value", ["ture", "enabled", "2"])
def test_a_switch_with_an_unknown_value_refuses_to_start(value):
    result = run_python(["-c", PROBE], {**PRODUCTION_ENV, "DJANGO_SECURE_COOKIES": value})
    assert result.returncode != 0
    assert "DJANGO_SECURE_COOKIES" in result.stderr and "不是有效的开关值" in result.stderr


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("off", False), ("YES", True), ("", True)])
def test_switch_values_are_read_case_insensitively(value, expected):
    assert probe({**PRODUCTION_ENV, "DJANGO_SECURE_COOKIES": value})["secure_cookies"] is expected


def test_a_non_integer_number_refuses_to_start():
    result = run_python(["-c", PROBE], {**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "one"})
    assert result.returncode != 0 and "TRUSTED_PROXY_COUNT" in result.stderr


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, []),
        ({"TRUSTED_PROXY_COUNT": "1"}, ["HTTP_X_FORWARDED_PROTO", "https"]),
        ({"TRUSTED_PROXY_COUNT": "1", "DJANGO_PROXY_SSL_HEADER": ""}, []),
        ({"DJANGO_PROXY_SSL_HEADER": "X-Scheme"}, ["HTTP_X_SCHEME", "https"]),
    ],
)
def test_the_proxy_ssl_header_is_trusted_only_behind_a_proxy(extra, expected):
    assert probe({**PRODUCTION_ENV, **extra})["proxy_ssl_header"] == expected


def test_sessions_are_cached_with_redis_and_in_the_database_without():
    assert probe(PRODUCTION_ENV)["session_engine"] == "sujt.core.sessions"
    without_redis = {key: value for key, value in PRODUCTION_ENV.items() if key != "REDIS_URL"}
    assert probe(without_redis)["session_engine"] == "django.contrib.sessions.backends.db"


def test_sqlite_writers_queue_instead_of_failing():
    options = probe({"DJANGO_DEBUG": "1"})["db_options"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
