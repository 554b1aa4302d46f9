"""Tasks and assignments of module 07/08 built through reporting.services, as a regulator publishes them."""

import datetime
import importlib
from typing import Any

from django.apps import apps as django_apps
from django.utils import timezone

from reporting import services
from reporting.choices import TargetKind
from reporting.models import ReportAssignment, ReportTask, ReportTemplate

INSTITUTION_TEMPLATE = "检验检测机构年度运营情况"
CENTER_TEMPLATE = "中心运营情况"


def builtin(kind: str = TargetKind.INSTITUTION) -> ReportTemplate:
    name = INSTITUTION_TEMPLATE if kind == TargetKind.INSTITUTION else CENTER_TEMPLATE
    if not ReportTemplate.objects.filter(name=name).exists():
        # A browser test's live server runs on a database that an earlier transactional test flushed,
        # rows of data migrations included: the built-ins are put back the way migration 0002 creates them.
        migration = importlib.import_module("reporting.migrations.0002_builtin_templates")
        migration.create(django_apps, None)
    return ReportTemplate.objects.get(name=name)


def task_draft(
    by: Any,
    *,
    criteria: dict | None = None,
    kind: str = TargetKind.INSTITUTION,
    period: str = "2026年度",
    due_in_days: int = 30,
    template: ReportTemplate | None = None,
) -> ReportTask:
    task = ReportTask(
        template=template or builtin(kind),
        title="",
        period_label=period,
        due_on=timezone.localdate() + datetime.timedelta(days=due_in_days),
        target_kind=kind,
    )
    return services.task_save(task=task, criteria=criteria or {}, by=by)


def task_published(by: Any, **kwargs: Any) -> ReportTask:
    task = task_draft(by, **kwargs)
    services.task_publish(task=task, by=by)
    task.refresh_from_db()
    return task


def assignment_of(task: ReportTask, institution: Any) -> ReportAssignment:
    return task.assignments.get(institution=institution)


INSTITUTION_ANSWERS = {
    "revenue": "1200.50",
    "testing_revenue": "1000",
    "testing_revenue_share": "83.3",
    "reports_issued": 5200,
    "rd_investment": "80",
    "staff_total": 96,
    "senior_titles": 12,
    "middle_titles": 30,
    "equipment_count": 420,
    "equipment_value": "3600",
    "lab_area": "5200.5",
    "specialized": True,
    "service_fields": ["食品", "水质"],
    "last_review_on": datetime.date(2025, 6, 18),
    "remarks": "运营平稳。",
}
