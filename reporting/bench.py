"""Benchmark of a task's export (issue 17): `python -m reporting.bench`.

    python -m reporting.bench                                   # 5,000 submissions × 40 fields, throwaway DB
    DATABASE_URL=postgres://…/sujt_bench python -m reporting.bench --submissions 5000 --fields 40

In a throwaway test database: `--submissions` institutions (institutions.scale.generate, no capabilities),
a template of `--fields` fields of every type, a province task published to all of them through
reporting.services.task_publish (timed), the answers written in bulk as submitted; then the export the
admin serves (reporting.exports.task_export_response, read to the end as a download is) is timed
`--repeat` times, with the peak of Python memory allocated during one export (tracemalloc) for the full
task and for half of it (both more than one chunk of rows read): a flat export keeps the two close.
"""

import argparse
import random
import statistics
import sys
import time
import tracemalloc

TYPES = [
    "integer",
    "money",
    "decimal",
    "percent",
    "text",
    "boolean",
    "single",
    "multiple",
    "date",
    "long_text",
]


def _template(fields: int):
    from reporting.models import ReportTemplate, TemplateField

    template = ReportTemplate.objects.create(name=f"性能测试模板（{fields} 项）")
    TemplateField.objects.bulk_create(
        TemplateField(
            template=template,
            position=number,
            group=f"第{number // 10 + 1}组",
            key=f"f{number:02d}",
            label=f"指标{number:02d}",
            field_type=TYPES[number % len(TYPES)],
            required=False,
            options="甲\n乙\n丙" if TYPES[number % len(TYPES)] in ("single", "multiple") else "",
        )
        for number in range(fields)
    )
    return template


def _answer(field_type: str, rng: random.Random):
    if field_type == "integer":
        return rng.randrange(0, 100_000)
    if field_type in ("money", "decimal"):
        return f"{rng.randrange(0, 10_000_000) / 100:.2f}"
    if field_type == "percent":
        return f"{rng.randrange(0, 10_000) / 100:.2f}"
    if field_type == "boolean":
        return rng.random() < 0.5
    if field_type == "single":
        return rng.choice(["甲", "乙", "丙"])
    if field_type == "multiple":
        return ["甲", "丙"]
    if field_type == "date":
        return f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"
    return "本期运营情况说明，" * rng.randrange(1, 6)


def _fill(task, *, seed: int) -> int:
    from django.utils import timezone

    from reporting.choices import AssignmentStatus
    from reporting.models import ReportAssignment

    rng = random.Random(seed)
    now = timezone.now()
    rows = list(task.assignments.only("pk"))
    for row in rows:
        row.values = row.submitted_values = {spec["key"]: _answer(spec["type"], rng) for spec in task.schema}
        row.status = AssignmentStatus.SUBMITTED
        row.submitted_at = now
    ReportAssignment.objects.bulk_update(
        rows, ["values", "submitted_values", "status", "submitted_at"], batch_size=1000
    )
    return len(rows)


def _export(task, user, *, limit: int | None = None) -> int:
    from reporting import exports, selectors

    if limit is not None:
        original = selectors.export_assignments
        exports.export_assignments = lambda **kwargs: original(**kwargs)[:limit]
    try:
        response = exports.task_export_response(task=task, user=user)
        size = sum(len(block) for block in response.streaming_content)
        response.close()
    finally:
        exports.export_assignments = selectors.export_assignments
    return size


def _peak(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="运营数据导出性能测试")
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--fields", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="再导出一次并打印 cProfile 统计")
    args = parser.parse_args(argv)

    from sujt.core.bench import setup_django, throwaway_database

    setup_django()
    import datetime

    from django.utils import timezone

    from institutions.scale import generate
    from reporting import services
    from reporting.choices import TargetKind
    from reporting.models import ReportTask
    from sujt.accounts.models import User

    with throwaway_database():
        started = time.perf_counter()
        generate(institutions=args.submissions, capabilities=0, seed=args.seed)
        print(f"生成机构 {args.submissions} 家：{time.perf_counter() - started:.1f} s", flush=True)
        regulator = User.objects.create_superuser(phone="13900009999", password=None, name="性能测试")
        template = _template(args.fields)
        task = services.task_save(
            task=ReportTask(
                template=template,
                title="",
                period_label="2026年度",
                due_on=timezone.localdate() + datetime.timedelta(days=30),
                target_kind=TargetKind.INSTITUTION,
            ),
            criteria={},
            by=regulator,
        )
        started = time.perf_counter()
        count = services.task_publish(task=task, by=regulator)
        print(f"发布任务：{count} 个对象，{time.perf_counter() - started:.2f} s", flush=True)
        task.refresh_from_db()
        started = time.perf_counter()
        filled = _fill(task, seed=args.seed)
        print(
            f"写入填报数据：{filled} 份 × {args.fields} 项，{time.perf_counter() - started:.1f} s", flush=True
        )
        timings, size = [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            size = _export(task, regulator)
            timings.append(time.perf_counter() - started)
        print(
            f"导出 {filled} 行 × {args.fields + 8} 列：中位数 {statistics.median(timings):.2f} s，"
            f"最长 {max(timings):.2f} s（{args.repeat} 次），文件 {size / 1024 / 1024:.1f} MB",
            flush=True,
        )
        half = max(1, filled // 2)
        small = _peak(lambda: _export(task, regulator, limit=half))
        full = _peak(lambda: _export(task, regulator))
        print(f"导出期间 Python 内存峰值：{half} 行 {small:.1f} MB，{filled} 行 {full:.1f} MB", flush=True)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(lambda: _export(task, regulator))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
