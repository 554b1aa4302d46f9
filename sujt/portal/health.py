"""The health check's probes: database, cache and Celery broker. Each returns a JSON-ready dict whose
"status" is "ok" or "error" (with the error text)."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

BROKER_TIMEOUT_SECONDS = 2


def _error(exc: BaseException) -> dict:
    return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _error(exc)
    return {"status": "ok", "vendor": connection.vendor}


def check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 30)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return _error(exc)
    if value != "ok":
        return {"status": "error", "error": "写入缓存的值未能读回"}
    return {"status": "ok", "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "mode": "eager"}
    from sujt import celery_app

    try:
        # The URL is read from settings each time (the Celery app caches its configuration).
        with celery_app.connection_for_write(
            url=settings.CELERY_BROKER_URL,
            connect_timeout=BROKER_TIMEOUT_SECONDS,
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                "socket_timeout": BROKER_TIMEOUT_SECONDS,
                "max_retries": 1,
            },
        ) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
            transport = conn.transport_cls
    except Exception as exc:
        return _error(exc)
    return {"status": "ok", "mode": "broker", "transport": str(transport)}


def health() -> tuple[bool, dict]:
    """(all up, report)."""
    report = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    healthy = all(part["status"] == "ok" for part in report.values())
    return healthy, {"status": "ok" if healthy else "error", **report}
