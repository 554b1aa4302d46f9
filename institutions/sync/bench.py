"""Benchmark of the sync engine: `python -m institutions.sync.bench --institutions 1000 --capabilities 200`.

Generates the fake approval system's records in memory (no HTTP) and applies them page by page, each page in
its own transaction, then withdraws what the snapshot did not mention — the work of a full sync — twice:
the first run fills an empty database, the second (identical data) must write nothing. Like the real sync
(institutions.sync.services), a run ends by rebuilding the search rows of the institutions it touched —
in the real sync on the worker (search_index_update_task), after the sync itself: the benchmark runs it
in this process after the sync and reports it apart from the sync's time. It runs in a
throwaway test database of the configured backend (DATABASE_URL; SQLite in memory unless SQLITE_TEST_NAME
names a file), so no real data is touched.

The temporary passwords of the new admin accounts are hashed by a Celery task after each page commits, not
by the sync (Argon2 costs about 0.1 s per password); the benchmark counts the queued accounts and times the
activation of a sample of them separately.
"""

import argparse
import os
import secrets
import sys
import time
from contextlib import contextmanager


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sujt.settings")
    # A secret key only for this process; the benchmark runs with DEBUG off, as production does.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    # The sampled activations send their SMS into memory, not to the console.
    os.environ.setdefault("SMS_BACKEND", "sujt.core.notifications.LocmemSmsBackend")
    import django

    django.setup()


@contextmanager
def _query_counter():
    from django.db import connection

    counts = {"queries": 0, "writes": 0}

    def wrapper(execute, sql, params, many, context):
        counts["queries"] += 1
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            counts["writes"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counts


def bench_run(*, institutions: int, capabilities: int, page_size: int, seed: int, queued: list) -> dict:
    """One full sync of generated records in the current database; account activations go to `queued`."""
    from unittest import mock

    from django.db import transaction

    from institutions import tasks
    from institutions.choices import SyncMode, SyncStatus
    from institutions.models import SyncRun
    from institutions.search.services import search_index_update
    from institutions.sync.engine import SeenIds, apply_page, withdraw_unseen
    from institutions.sync.fake_server import generate_institution

    def collect(activate, notify):
        queued.extend(activate)

    generating = 0.0
    touched: set[int] = set()
    started = time.perf_counter()
    with _query_counter() as counts, mock.patch.object(tasks.sync_accounts_activate_task, "delay", collect):
        run = SyncRun.objects.create(mode=SyncMode.FULL, source="bench")
        seen = SeenIds()
        for first in range(0, institutions, page_size):
            t0 = time.perf_counter()
            records = [
                generate_institution(seed=seed, index=index, capabilities=capabilities)
                for index in range(first, min(first + page_size, institutions))
            ]
            generating += time.perf_counter() - t0
            with transaction.atomic():
                apply_page(run=run, records=records, full=True, seen=seen, touched=touched)
                run.pages += 1
                run.save()
        with transaction.atomic():
            withdraw_unseen(run=run, seen=seen, touched=touched)
            run.status = SyncStatus.PARTIAL if run.failed else SyncStatus.SUCCEEDED
            run.save()
    total = time.perf_counter() - started
    # What the worker then does for the touched institutions (sync.services._run queues it).
    indexing = time.perf_counter()
    indexed = search_index_update(institution_ids=touched) if touched else 0
    indexing = time.perf_counter() - indexing
    return {
        "seconds": total,
        "indexing": indexing,
        "indexed": indexed,
        "generating": generating,
        "queries": counts["queries"],
        "writes": counts["writes"],
        "run": run,
    }


def _activation_sample(queued: list, sample: int) -> float | None:
    from institutions.sync.accounts import sync_accounts_activate

    chosen = queued[:sample]
    if not chosen:
        return None
    started = time.perf_counter()
    sync_accounts_activate(activate=chosen, notify=[])
    return (time.perf_counter() - started) / len(chosen)


def _report(label: str, result: dict) -> str:
    run = result["run"]
    return (
        f"{label}: 同步 {result['seconds']:.1f} s（其中生成测试数据 {result['generating']:.1f} s），"
        f"随后 worker 重建检索索引 {result['indexing']:.1f} s / {result['indexed']} 行；"
        f"{result['queries']} 条 SQL，其中写入 {result['writes']} 条；"
        f"新增 {run.created}、更新 {run.updated}、未变 {run.unchanged}、撤回 {run.withdrawn}、"
        f"失败 {run.failed}、新建账号 {run.accounts_created}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="资质认定同步引擎性能测试")
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--capabilities", type=int, default=200)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--activation-sample", type=int, default=10, help="timed account activations")
    args = parser.parse_args(argv)

    _setup_django()
    from django.conf import settings
    from django.db import connection

    from institutions.models import (
        Capability,
        Certificate,
        Equipment,
        Institution,
        Personnel,
        Signatory,
        Site,
    )

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        version = connection.Database.sqlite_version if connection.vendor == "sqlite" else ""
        vendor = f"{connection.vendor} {version}"
        print(
            f"数据库：{vendor.strip()}（{settings.DATABASES['default']['NAME']}），CPU 核数：{os.cpu_count()}"
        )
        print(
            f"规模：{args.institutions} 家机构 × {args.capabilities} 条能力，每页 {args.page_size} 家",
            flush=True,
        )
        queued: list = []
        options = {
            "institutions": args.institutions,
            "capabilities": args.capabilities,
            "page_size": args.page_size,
            "seed": args.seed,
        }
        first = bench_run(**options, queued=queued)
        print(_report("第一次（空库）", first), flush=True)
        rows = {
            model._meta.verbose_name: model.objects.count()
            for model in (Institution, Certificate, Site, Capability, Equipment, Signatory, Personnel)
        }
        print("行数：" + "，".join(f"{name} {count}" for name, count in rows.items()))
        second = bench_run(**options, queued=[])
        print(_report("第二次（相同数据）", second), flush=True)
        per_account = _activation_sample(queued, args.activation_sample)
        if per_account is not None:
            print(
                f"账号激活（同步提交后由 Celery 任务执行）：{len(queued)} 个待发临时密码，"
                f"抽样 {min(args.activation_sample, len(queued))} 个，平均 {per_account:.3f} s/个"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
