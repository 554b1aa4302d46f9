"""What the benchmark commands share (`python -m news.bench`, `python -m sujt.portal.bench_admin`,
`python -m institutions.search.bench`): Django set up as in production for one process, a timed request
through the test client, a throwaway test database. Benchmarks measure; nothing here runs in the app."""

import contextlib
import os
import secrets
import statistics
import time
import warnings
from collections.abc import Iterator


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sujt.settings")
    # A secret key only for this process; DEBUG off as in production, the test client's host allowed.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django
    from django.conf import settings

    django.setup()
    # WhiteNoise warns that STATIC_ROOT is missing (no collectstatic here); the files are not served.
    warnings.filterwarnings("ignore", message="No directory at")
    # The manifest storage of production needs `collectstatic`; the pages measured here only name their
    # static files, so plain URLs do and the benchmark runs on a fresh checkout.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def measure(client, url: str, *, repeat: int, before=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = 0
    for _ in range(repeat):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            if response.streaming:
                # A file (an Excel export): read it to the end, as a download does; the test client then
                # closes the response and its temporary file.
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        queries = len(captured)
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[min(len(timings) - 1, round(len(timings) * 0.95) - 1)],
        "queries": queries,
    }


@contextlib.contextmanager
def throwaway_database() -> Iterator[None]:
    """A test database (test_<name>) made for one benchmark run, said aloud, and dropped afterwards."""
    from django.conf import settings
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        version = f" {connection.Database.sqlite_version}" if connection.vendor == "sqlite" else ""
        print(f"数据库：{connection.vendor}{version}（{settings.DATABASES['default']['NAME']}）", flush=True)
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
