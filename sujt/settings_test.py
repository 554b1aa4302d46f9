"""Settings of the test suite (pyproject.toml points pytest here): the project's settings with what
tests need made explicit. Nothing in sujt/settings.py changes behaviour because a test runner is loaded.

The environment still chooses the database and Redis (the CI runs the suite on both SQLite and
PostgreSQL + Redis); only what the tests themselves require is fixed here.
"""

import os

# A key of its own, so that importing the project settings never needs the development fallback.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-any-deployment-5d1e8c")

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS, PASSWORD_HASHERS, STORAGES, env_bool

TESTING = True

# A concrete model of the abstract review workflow, used only by the core tests.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.core.workflow_app"]

# Tasks run in the test's own process even with a broker configured (the CI pass on Redis included);
# tests/core/test_celery_worker.py turns that off for itself to run a task on a real worker.
CELERY_TASK_ALWAYS_EAGER = True

# Argon2 is deliberately slow; the tests that check the hasher itself ask for it back.
if not env_bool("SUJT_REAL_HASHER_IN_TESTS"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# The test client and the browser tests' live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# No collectstatic before the tests: serve the source files.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "sujt.core.notifications.LocmemSmsBackend"
