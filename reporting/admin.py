"""07/08 运营数据填报 for regulators in admin: report templates (two built in), tasks (issued, previewed,
published, followed by city, exported, laggards reminded) and the assignments (reviewed: 审核通过 /
退回修改; reminded; excused from lateness). Writes go through reporting.services."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from institutions.admin import InstitutionCityFilter
from sujt.core.admin import (
    ReadOnlyChangeFormMixin,
    RegionScopedAdmin,
    ReviewAdminMixin,
    action_apply_each,
    action_confirm_response,
)
from sujt.core.admin_tools import HistoryAdmin, district_filter
from sujt.core.regions import region_name
from sujt.core.workflow import InvalidTransition

from . import exports, selectors, services, targets
from .admin_forms import (
    ExcuseForm,
    ReportTaskForm,
    TemplateFieldFormSet,
    subject_filter_names,
    task_form_class,
)
from .choices import AssignmentStatus, TaskStatus
from .models import REGION_FIELD, ReportAssignment, ReportTask, ReportTemplate, TemplateField

S = AssignmentStatus
# How the reminder rule reads in messages (services.REMIND_INTERVAL is the rule).
REMIND_WINDOW = f"{int(services.REMIND_INTERVAL.total_seconds() // 3600)} 小时"
PREVIEW_NAMES = 10


# --- Templates ----------------------------------------------------------------------------------------


class TemplateFieldInline(admin.TabularInline):
    model = TemplateField
    formset = TemplateFieldFormSet
    extra = 0
    fields = [
        "position",
        "group",
        "key",
        "label",
        "field_type",
        "unit",
        "required",
        "min_value",
        "max_value",
        "options",
        "help_text",
    ]


@admin.register(ReportTemplate)
class ReportTemplateAdmin(HistoryAdmin):
    """报表模板: ordered fields with key, label, type, unit, required, range, options, help and group. A
    task freezes the fields it is published with, so editing a template never changes a task issued."""

    inlines = [TemplateFieldInline]
    list_display = ["name", "target_kind", "field_count", "task_count", "builtin", "active"]
    list_filter = ["target_kind", "active", "builtin"]
    search_fields = ["name"]
    fields = ["name", "target_kind", "description", "active", "builtin"]
    readonly_fields = ["builtin"]
    actions = ["copy_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportTemplate]:
        return (
            super()
            .get_queryset(request)
            .annotate(n_fields=Count("fields", distinct=True), n_tasks=Count("tasks", distinct=True))
        )

    @admin.display(description=_("字段数"), ordering="n_fields")
    def field_count(self, obj: ReportTemplate) -> int:
        return obj.n_fields

    @admin.display(description=_("已用于任务"), ordering="n_tasks")
    def task_count(self, obj: ReportTemplate) -> int:
        return obj.n_tasks

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and (obj.builtin or obj.tasks.exists()):
            return False  # a built-in template, or one a task used: deactivate it instead
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ReportTemplate, form: Any, change: bool) -> None:
        services.template_save(template=obj, by=request.user)

    @admin.action(description=_("复制所选模板"), permissions=["add"])
    def copy_selected(self, request: HttpRequest, queryset: QuerySet[ReportTemplate]) -> None:
        action_apply_each(
            self,
            request,
            queryset,
            lambda template: services.template_copy(template=template, by=request.user),
            success=lambda n: f"已复制 {n} 个模板（名称后加“（副本）”），请在副本中修改。",
        )


# --- Tasks ----------------------------------------------------------------------------------------------


class ReportTaskAdmin(HistoryAdmin):
    """填报任务: created as a draft with its targets' filters, previewed (符合条件的对象), then 发布; once
    published read-only, with the completion by city, 导出填报结果 and 催报."""

    form = ReportTaskForm
    change_form_template = "reporting/admin/task_change_form.html"
    list_display = ["title", "target_kind", "period_label", "due_on", "status", "progress", "issuer"]
    list_filter = ["status", "target_kind", "template"]
    search_fields = ["title", "period_label"]
    date_hierarchy = "due_on"
    readonly_fields = ["status", "issuer", "published_at", "targets_preview"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportTask]:
        queryset = selectors.tasks_visible_to(super().get_queryset(request), user=request.user)
        scoped = selectors.scoped_assignments(user=request.user)
        return queryset.select_related("template").annotate(
            n_total=Count("assignments", filter=Q(assignments__in=scoped)),
            n_done=Count(
                "assignments", filter=Q(assignments__in=scoped, assignments__status__in=selectors.HANDED_IN)
            ),
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs.setdefault("form", task_form_class())
        form = super().get_form(request, obj, change=change, **kwargs)
        scope = obj.region_code if obj is not None else request.user.region_scope

        class ScopedForm(form):
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, scope=scope, **inner)

        return ScopedForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        facts = ["template", "period_label", "title", "due_on", "target_kind", "instructions"]
        if obj is not None and obj.is_published:
            return [(None, {"fields": [*facts, "status", "issuer", "published_at"]})]
        fieldsets: list = [
            (None, {"fields": facts}),
            (
                _("机构筛选条件（填报对象为检验检测机构时）"),
                {"fields": ["cities", "testing_fields", "legal_person_types", "credit_scope", "usccs"]},
            ),
        ]
        if targets.subject_of("center") is not None:
            fieldsets.append(
                (
                    _("中心筛选条件（填报对象为中心时；所在城市同上）"),
                    {"fields": [*subject_filter_names(), "subject_ids"]},
                )
            )
        if obj is not None:
            fieldsets.append((_("发布"), {"fields": ["status", "targets_preview"]}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list:
        if obj is not None and obj.is_published:
            return [
                *self.readonly_fields,
                "template",
                "period_label",
                "title",
                "due_on",
                "target_kind",
                "instructions",
            ]
        return list(self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (not obj.is_published and selectors.may_manage_task(obj, user=request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and (obj.is_published or not selectors.may_manage_task(obj, user=request.user)):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ReportTask, form: Any, change: bool) -> None:
        services.task_save(task=obj, criteria=form.criteria(), by=request.user)

    @admin.display(description=_("进度（已提交/对象数）"))
    def progress(self, obj: ReportTask) -> str:
        if not obj.is_published:
            return "未发布"
        return f"{obj.n_done}/{obj.n_total}"

    @admin.display(description=_("发布单位"))
    def issuer(self, obj: ReportTask) -> str:
        return f"{region_name(obj.region_code)}市场监督管理局" if obj.region_code else "—"

    @admin.display(description=_("符合条件的对象"))
    def targets_preview(self, obj: ReportTask) -> Any:
        if obj.pk is None or obj.is_published:
            return "—"
        try:
            found = targets.targets_of(
                target_kind=obj.target_kind, criteria=obj.criteria, region_code=obj.region_code
            )
        except ValidationError as error:
            return "；".join(error.messages)
        if not found:
            return "没有符合条件的对象，请调整筛选条件后保存。"
        names = selectors.target_names(found[:PREVIEW_NAMES])
        more = f" 等 {len(found)} 个" if len(found) > PREVIEW_NAMES else ""
        return format_html("共 {} 个：{}{}", len(found), "、".join(names), more)

    def completion_table(self, obj: ReportTask, *, user: Any) -> SafeString | str:
        """按城市统计: per city of the regulator's jurisdiction, the count in each state (each a link to the
        filtered 填报记录) and the share handed in."""
        rows, total = selectors.task_completion(task=obj, user=user)
        if not total.total:
            return "发布范围内没有填报对象。"
        states = [S.PENDING, S.DRAFT, S.OVERDUE, S.SUBMITTED, S.RETURNED, S.ACCEPTED]
        changelist = reverse("admin:reporting_reportassignment_changelist")

        def link(code: str, status: str | None, n: int) -> SafeString | str:
            if not n:
                return "0"
            query = {"task__id__exact": obj.pk}
            if status:
                query["status__exact"] = status
            if code:
                query["city"] = code
            return format_html('<a href="{}?{}">{}</a>', changelist, urlencode(query), n)

        head = format_html_join(
            "",
            '<th scope="col">{}</th>',
            [("城市",), ("对象数",), *((S(s).label,) for s in states), ("提交率",)],
        )
        body = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td>{}<td>{}</td></tr>",
            (
                (
                    row.name,
                    link(row.code, None, row.total),
                    format_html_join("", "<td>{}</td>", ((link(row.code, s, row.count(s)),) for s in states)),
                    row.rate,
                )
                for row in [*rows, total]
            ),
        )
        return format_html(
            '<table class="reporting-completion"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>'
            '<p class="help">已提交包括待审核和已通过；逾期未报在截止日期次日由系统标记。</p>',
            head,
            body,
        )

    def changeform_view(
        self, request: HttpRequest, object_id: Any = None, form_url: str = "", extra_context: Any = None
    ):
        task = self.get_object(request, object_id) if object_id else None
        if task is not None and task.is_published:
            # Counted in the jurisdiction of whoever asks: the request's user, passed down, never kept.
            extra_context = {
                **(extra_context or {}),
                "completion_table": self.completion_table(task, user=request.user),
            }
        return super().changeform_view(request, object_id, form_url, extra_context)

    # --- 发布, 导出, 催报 ------------------------------------------------------------------------------

    def get_urls(self) -> list:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/publish/", wrap(self.publish_view), name=f"{prefix}_publish"),
            path("<int:pk>/export/", wrap(self.export_view), name=f"{prefix}_export"),
            path("<int:pk>/remind/", wrap(self.remind_view), name=f"{prefix}_remind"),
            *super().get_urls(),
        ]

    def _task(self, request: HttpRequest, pk: int) -> ReportTask:
        task = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, task):
            raise PermissionDenied
        return task

    def _change_url(self, task: ReportTask) -> str:
        return reverse("admin:reporting_reporttask_change", args=[task.pk])

    def _confirm(self, request: HttpRequest, task: ReportTask, **context: Any) -> TemplateResponse:
        return TemplateResponse(
            request,
            "reporting/admin/confirm.html",
            {**self.admin_site.each_context(request), "opts": self.opts, "task": task, **context},
        )

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = self._task(request, pk)
        if not self.has_change_permission(request, task):
            raise PermissionDenied
        if request.method == "POST":
            try:
                count = services.task_publish(task=task, by=request.user)
            except (ValidationError, InvalidTransition) as error:
                text = str(error) if isinstance(error, InvalidTransition) else "；".join(error.messages)
                self.message_user(request, f"未能发布：{text}", messages.ERROR)
                return HttpResponseRedirect(self._change_url(task))
            self.message_user(request, f"已发布“{task}”，{count} 个填报对象已收到待办和站内消息。")
            return HttpResponseRedirect(self._change_url(task))
        count = targets.target_count(
            target_kind=task.target_kind, criteria=task.criteria, region_code=task.region_code
        )
        return self._confirm(
            request,
            task,
            title="发布填报任务",
            lines=[
                f"将向 {count} 个{task.get_target_kind_display()}发布“{task.title}”，"
                f"截止日期 {task.due_on:%Y-%m-%d}。",
                "发布后任务内容和填报对象不能再修改；模板字段以发布时为准。",
            ],
            button="确认发布",
            disabled=count == 0,
        )

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = self._task(request, pk)
        if not task.is_published:
            self.message_user(request, "任务尚未发布，没有填报结果。", messages.WARNING)
            return HttpResponseRedirect(self._change_url(task))
        return exports.task_export_response(task=task, user=request.user)

    def remind_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = self._task(request, pk)
        if not request.user.has_perm("reporting.change_reportassignment") or not task.is_published:
            raise PermissionDenied
        laggards = selectors.task_assignments(task=task, user=request.user).filter(
            status__in=selectors.WAITING
        )
        if request.method == "POST":
            try:
                result = services.assignments_remind(assignments=laggards, by=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"已向 {result.sent} 个未提交的对象发送催报（站内消息和短信）"
                    + (
                        f"；{result.skipped} 个在 {REMIND_WINDOW}内已催报过，本次跳过。"
                        if result.skipped
                        else "。"
                    ),
                )
            return HttpResponseRedirect(self._change_url(task))
        count = laggards.count()
        return self._confirm(
            request,
            task,
            title="催报",
            lines=[
                f"发布范围内尚未提交的对象共 {count} 个（未填报、草稿、已退回、逾期未报）。",
                f"将向各对象有“运营数据填报”权限的人员发送站内消息和短信；{REMIND_WINDOW}内已催报过的跳过。",
            ],
            button="发送催报",
            disabled=count == 0,
        )


admin.site.register(ReportTask, ReportTaskAdmin)


# --- Assignments -------------------------------------------------------------------------------------


class WaitingFilter(admin.SimpleListFilter):
    title = _("提交情况")
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", "尚未提交"), ("0", "已提交")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "1":
            return queryset.filter(status__in=selectors.WAITING)
        if self.value() == "0":
            return queryset.exclude(status__in=selectors.WAITING)
        return queryset


class LatenessFilter(admin.SimpleListFilter):
    title = _("逾期")
    parameter_name = "late"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "逾期"), ("excused", "已免于逾期"), ("no", "未逾期")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "yes":
            return queryset.filter(overdue_at__isnull=False, excused_at__isnull=True)
        if value == "excused":
            return queryset.filter(excused_at__isnull=False)
        if value == "no":
            return queryset.filter(overdue_at__isnull=True)
        return queryset


class TaskFilter(admin.SimpleListFilter):
    title = _("填报任务")
    parameter_name = "task__id__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        tasks = selectors.tasks_visible_to(
            ReportTask.objects.filter(status=TaskStatus.PUBLISHED), user=request.user
        )
        return [
            (str(pk), title) for pk, title in tasks.order_by("-due_on", "-pk").values_list("pk", "title")[:50]
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(task_id=int(value)) if value and value.isdigit() else queryset


@admin.register(ReportAssignment)
class ReportAssignmentAdmin(ReadOnlyChangeFormMixin, ReviewAdminMixin, RegionScopedAdmin, HistoryAdmin):
    """填报记录 (运营数据审核): every assignment of the published tasks in the jurisdiction, with the
    decisions on those handed in, 催报 and 免于逾期 as list actions."""

    region_field = REGION_FIELD
    list_display = [
        "target",
        "region",
        "task",
        "status_with_lateness",
        "submitted_at",
    ]
    list_filter = [
        "status",
        TaskFilter,
        WaitingFilter,
        LatenessFilter,
        InstitutionCityFilter,
        district_filter(REGION_FIELD),
    ]
    list_select_related = ["institution", "task"]
    search_fields = ["institution__name", "institution__uscc", "subject_name", "task__title"]
    ordering = ["-task__due_on", "institution__region_code", "institution__name", "pk"]
    fields = ["task", "institution", "subject_name", "due_on", "lateness", "answers"]
    readonly_fields = fields
    actions = ["remind_selected", "excuse_selected"]
    view_on_site = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportAssignment]:
        # Every assignment, not only those handed in: following who has not reported is the point here.
        queryset = super(ReviewAdminMixin, self).get_queryset(request)
        return queryset.filter(task__status=TaskStatus.PUBLISHED)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list:
        fields = super().get_fields(request, obj)
        if obj is not None and not obj.subject_name:  # an institution's own report: no center to name
            fields = [name for name in fields if name != "subject_name"]
        return fields

    @admin.display(description=_("填报对象"), ordering="institution__name")
    def target(self, obj: ReportAssignment) -> str:
        # One column for both kinds (a second one would repeat the institution's name on every row of an
        # institution task): a center is shown with the institution that fills its report in.
        if not obj.subject_name:
            return obj.institution.name
        return format_html('{}<div class="help">{}</div>', obj.subject_name, obj.institution.name)

    @admin.display(description=_("所在地区"))
    def region(self, obj: ReportAssignment) -> str:
        return region_name(obj.institution.region_code)

    @admin.display(description=_("状态"), ordering="status")
    def status_with_lateness(self, obj: ReportAssignment) -> str:
        late = "（逾期，已免于逾期）" if obj.excused_at else ("（逾期）" if obj.overdue_at else "")
        return f"{obj.get_status_display()}{late}"

    @admin.display(description=_("逾期情况"))
    def lateness(self, obj: ReportAssignment) -> str:
        if obj.overdue_at is None:
            return "未逾期"
        if obj.excused_at:
            return f"逾期，已于 {obj.excused_at:%Y-%m-%d} 免于逾期：{obj.excuse_reason}"
        return "逾期（未按期填报，已记入信用记录）"

    @admin.display(description=_("填报内容"))
    def answers(self, obj: ReportAssignment) -> Any:
        if obj.submitted_at is None:
            return "尚未提交（草稿为机构自有，提交后可见）。"
        rows = selectors.answers_of(obj)
        return format_html(
            '<table class="reporting-answers"><thead><tr><th scope="col">项目</th><th scope="col">本期</th>'
            '<th scope="col">上期</th><th scope="col">变动说明</th></tr></thead><tbody>{}</tbody></table>',
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        f"{a.spec.group} · {a.spec.label}" if a.spec.group else a.spec.label,
                        a.value,
                        a.previous or "—",
                        ("【变动超过 50%】" if a.changed else "") + a.explanation,
                    )
                    for a in rows
                ),
            ),
        )

    @admin.action(description=_("催报所选对象（站内消息和短信）"), permissions=["change"])
    def remind_selected(self, request: HttpRequest, queryset: QuerySet[ReportAssignment]) -> None:
        try:
            result = services.assignments_remind(assignments=queryset, by=request.user)
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
            return
        skipped = (
            f"；{result.skipped} 个已提交或 {REMIND_WINDOW}内已催报过，本次跳过" if result.skipped else ""
        )
        self.message_user(request, f"已向 {result.sent} 个对象发送催报{skipped}。")

    @admin.action(description=_("免于逾期（须填写理由）"), permissions=["change"])
    def excuse_selected(self, request: HttpRequest, queryset: QuerySet[ReportAssignment]) -> Any:
        form = ExcuseForm(request.POST if "confirm_excuse" in request.POST else None)
        if form.is_bound and form.is_valid():
            action_apply_each(
                self,
                request,
                queryset,
                lambda a: services.assignment_excuse(
                    assignment=a, by=request.user, reason=form.cleaned_data["reason"]
                ),
                success=lambda n: f"已对 {n} 个逾期填报免于逾期，相应的信用扣分将撤销。",
            )
            return None
        return action_confirm_response(
            self,
            request,
            queryset,
            template="reporting/admin/excuse_confirm.html",
            action="excuse_selected",
            form=form,
            title="免于逾期",
            crumb="免于逾期",
            confirm_field="confirm_excuse",
            confirm_label="确认免于逾期",
        )
