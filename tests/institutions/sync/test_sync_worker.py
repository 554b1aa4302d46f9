"""The sync task sent through the Redis broker and executed by a real Celery worker (not eagerly).

Runs when REDIS_URL is set (the CI pass on PostgreSQL + Redis); skipped otherwise, with the reason.
Same pattern as tests/core/test_celery_worker.py.
"""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from institutions.choices import SyncStatus
from institutions.models import Institution, SyncRun, SyncState
from institutions.tasks import sync_qualifications_task
from sujt.celery import app as celery_app

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="REDIS_URL 未设置：真实 worker 测试需要 Redis broker（CI 的 PostgreSQL + Redis 一遍会运行）",
    ),
]


@pytest.fixture
def broker_app():
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield celery_app
    finally:
        celery_app.conf.task_always_eager = eager


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_503_and_syncs(broker_app, fake_api, province_regulator):
    fake_api.script(503)
    with start_worker(
        broker_app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30
    ):
        result = sync_qualifications_task.delay("incremental", province_regulator.pk)
        assert not isinstance(result, EagerResult)
        assert wait_for(lambda: SyncRun.objects.filter(status=SyncStatus.SUCCEEDED).exists()), (
            "the worker did not finish the retried sync within 60 s"
        )

    runs = list(SyncRun.objects.order_by("pk"))
    assert [run.status for run in runs] == [SyncStatus.FAILED, SyncStatus.SUCCEEDED]
    assert all(run.triggered_by_id == province_regulator.pk for run in runs)
    assert Institution.objects.count() == 12
    assert SyncState.objects.get().watermark == runs[1].watermark
