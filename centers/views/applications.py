"""中心建设 › 申请记录: every application of the institution across the five kinds, newest first, filtered by
kind and by where it stands (草稿 / 审核中 / 已退回 / 已办结), paginated. An institution files tens of these,
not thousands; each kind is read once (bounded), then merged."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors
from ..access import centers_member_required
from ..choices import TaskBookKind

PAGE_SIZE = 20
PER_KIND = 500  # the most of one kind read for the page: far beyond what one institution files

KINDS = {
    "construction": ("筹建申请", selectors.construction_applications_of),
    "registration": ("系统外中心登记", selectors.registrations_of),
    "taskbook": ("任务书与变更", selectors.task_books_of),
    "progress": ("筹建进展报告", selectors.progress_reports_of),
    "acceptance": ("验收申请", selectors.acceptance_applications_of),
}
STAGES = {
    "draft": ("草稿", {"draft"}),
    "review": ("审核中", {"submitted", "city_review", "province_review"}),
    "returned": ("已退回", {"returned"}),
    "done": ("已办结", {"approved", "rejected", "passed", "failed", "withdrawn"}),
}


@dataclass
class Row:
    kind: str
    noun: str
    obj: Any

    @property
    def title(self) -> str:
        """The link's text: the kind, and for a task book which one (任务书 第 2 版, 任务书变更申请)."""
        if self.kind != "taskbook":
            return self.noun
        version = f" 第 {self.obj.version} 版" if self.obj.version else ""
        if self.obj.kind == TaskBookKind.CHANGE:
            return f"任务书变更申请{version}"
        return f"任务书{version}"

    @property
    def center_name(self) -> str:
        center = getattr(self.obj, "center", None)
        return center.name if center is not None else self.obj.name


@require_safe
@centers_member_required
def application_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    stage = request.GET.get("stage", "")
    stage = stage if stage in STAGES else ""
    rows: list[Row] = []
    for key, (noun, of) in KINDS.items():
        if kind and key != kind:
            continue
        queryset = of(institution_id=request.institution.pk)
        if stage:
            queryset = queryset.filter(status__in=STAGES[stage][1])
        rows += [Row(key, noun, obj) for obj in queryset.order_by("-created_at", "-pk")[:PER_KIND]]
    rows.sort(key=lambda row: row.obj.created_at, reverse=True)
    context = {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "kind": kind,
        "stage": stage,
        "kinds": [(key, noun) for key, (noun, _of) in KINDS.items()],
        "stages": [(key, label) for key, (label, _states) in STAGES.items()],
        "filtered": bool(kind or stage),
    }
    return render(request, "centers/application_list.html", context)
