"""A task sent through the Redis broker and executed by a real Celery worker (not eagerly).

Runs when REDIS_URL is set (the CI pass on PostgreSQL + Redis); skipped otherwise, with the reason.
The suite runs tasks eagerly even then (settings), so this test switches eager mode off for itself.
"""

import os
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from celery.signals import task_postrun

from sujt.accounts.models import User
from sujt.celery import app as celery_app
from sujt.core.audit import SYSTEM_TASK_ACTOR
from sujt.core.notifications import SmsMessage, sms_outbox
from sujt.core.tasks import send_sms_task

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="REDIS_URL 未设置：真实 worker 测试需要 Redis broker（CI 的 PostgreSQL + Redis 一遍会运行）",
    ),
]


@pytest.fixture
def broker_app():
    """The project's Celery app sending to the broker instead of running tasks in place."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield celery_app
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def task_threads():
    """task id -> name of the thread that finished it, recorded by the worker's postrun signal."""
    seen: dict[str, str] = {}

    def record(task_id=None, **_kwargs):
        seen[task_id] = threading.current_thread().name

    task_postrun.connect(record, weak=False)
    try:
        yield seen
    finally:
        task_postrun.disconnect(record)


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_sms_task_is_executed_by_a_real_worker_through_redis(broker_app, task_threads):
    sms_outbox.clear()
    expected = SmsMessage(phone="13800000001", message="【苏检通】真实 worker 测试消息")
    with start_worker(
        broker_app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30
    ):
        result = send_sms_task.delay(expected.phone, expected.message)
        assert not isinstance(result, EagerResult)
        assert wait_for(lambda: result.id in task_threads), "the worker did not run the task within 30 s"

    assert sms_outbox == [expected]
    assert task_threads[result.id] != threading.current_thread().name
    # The worker acted as the named system user, which it created in the test database.
    assert User.objects.filter(is_system=True, name=SYSTEM_TASK_ACTOR).exists()
