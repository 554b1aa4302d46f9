"""The health check's probes: database, cache and Celery broker. Each returns a JSON-ready dict whose
"status" is "ok" or "error" (with the error text), plus what it found (vendor, backend, mode).

Only staff see those details: to anyone else the report is each part's status, since the software the
platform runs on and the text of its errors help an attacker more than a load balancer. A failing part
is logged with its error either way.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

BROKER_TIMEOUT_SECONDS = 2

logger = logging.getLogger(__name__)


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


def health(*, details: bool) -> tuple[bool, dict]:
    """(all up, report); without `details` each part of the report is only its status."""
    report = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    for name, part in report.items():
        if part["status"] != "ok":
            logger.error("health check: %s is down: %s", name, part.get("error", ""))
    healthy = all(part["status"] == "ok" for part in report.values())
    if not details:
        report = {name: {"status": part["status"]} for name, part in report.items()}
    return healthy, {"status": "ok" if healthy else "error", **report}
