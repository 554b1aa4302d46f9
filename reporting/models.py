"""07/08 运营数据填报 (manual §四.7–8): regulators define report templates and issue reporting tasks at
irregular times; each selected institution, or the host institution of each selected center, gets one
assignment to fill in online; a regulator accepts it or returns it.

A task freezes its template's fields when it is published (`schema`, see reporting.schema); assignments
store their answers as JSON by field key. An assignment's state changes only through the kit's engine
(reporting.workflows.ASSIGNMENT_WORKFLOW, called by reporting.services).
"""

import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.core.audit import history
from sujt.core.models import Reviewable, TimeStampedModel

from .choices import CHOICE_TYPES, NUMERIC_TYPES, AssignmentStatus, FieldType, TargetKind, TaskStatus
from .workflows import ASSIGNMENT_WORKFLOW

PERMISSION = "fill_reports"
REGION_FIELD = "institution__region_code"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
OPTIONS_MAX = 50


class ReportTemplate(TimeStampedModel):
    """报表模板: the fields a kind of report asks for. Two are built in (migration 0002)."""

    name = models.CharField(_("模板名称"), max_length=100, unique=True)
    target_kind = models.CharField(
        _("适用对象"), max_length=12, choices=TargetKind.choices, default=TargetKind.INSTITUTION
    )
    description = models.TextField(_("说明"), blank=True)
    builtin = models.BooleanField(_("内置模板"), default=False, editable=False)
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用的模板不能再用于发布新任务。"))
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("报表模板")
        ordering = ["-builtin", "name"]
        indexes = [models.Index(fields=["active", "target_kind"])]

    def __str__(self) -> str:
        return self.name

    def schema(self) -> list[dict]:
        """The fields as a task freezes them (reporting.schema)."""
        from .schema import FieldSpec  # schema holds no model; imported here to keep it free of models

        return [
            FieldSpec(
                key=f.key,
                label=f.label,
                type=f.field_type,
                unit=f.unit,
                required=f.required,
                min_value=None if f.min_value is None else format(f.min_value, "f"),
                max_value=None if f.max_value is None else format(f.max_value, "f"),
                help_text=f.help_text,
                group=f.group,
                options=tuple(f.option_list),
            ).as_dict()
            for f in self.fields.order_by("position", "pk")
        ]


class TemplateField(TimeStampedModel):
    """One question of a template."""

    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("报表模板"), on_delete=models.CASCADE, related_name="fields"
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    group = models.CharField(
        _("分组"), max_length=50, blank=True, help_text=_("同一分组的字段在表单中放在一起。")
    )
    key = models.CharField(
        _("字段标识"),
        max_length=40,
        validators=[
            RegexValidator(KEY_PATTERN, _("以小写字母开头，只含小写字母、数字和下划线，最多 40 个字符。"))
        ],
        help_text=_("同一模板内唯一，用于导出和与上期数据比对；发布任务后不要改动。"),
    )
    label = models.CharField(_("字段名称"), max_length=100)
    field_type = models.CharField(_("类型"), max_length=12, choices=FieldType.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    required = models.BooleanField(_("必填"), default=True)
    min_value = models.DecimalField(_("最小值"), max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("最大值"), max_digits=18, decimal_places=4, null=True, blank=True)
    options = models.TextField(_("选项"), blank=True, help_text=_("单选、多选题的选项，每行一个。"))
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("模板字段")
        ordering = ["template_id", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="reporting_field_key_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        numeric = self.field_type in NUMERIC_TYPES
        if not numeric and (self.min_value is not None or self.max_value is not None):
            errors["min_value"] = _("只有数值类字段可以设置最小值和最大值。")
        if numeric and None not in (self.min_value, self.max_value) and self.min_value > self.max_value:
            errors["max_value"] = _("最大值不能小于最小值。")
        options = self.option_list
        if self.field_type in CHOICE_TYPES:
            if len(options) < 2:
                errors["options"] = _("单选、多选题至少需要两个选项，每行一个。")
            elif len(set(options)) != len(options):
                errors["options"] = _("选项不能重复。")
            elif len(options) > OPTIONS_MAX:
                errors["options"] = _("选项最多 %(n)s 个。") % {"n": OPTIONS_MAX}
        elif options:
            errors["options"] = _("只有单选、多选题需要填写选项。")
        if errors:
            raise ValidationError(errors)


class ReportTask(TimeStampedModel):
    """填报任务: a template, a period and a deadline, sent to a selection of institutions or centers.

    `criteria` records how the targets were chosen (the filters or the explicit list), `region_code` the
    jurisdiction of the issuing regulator: targets are taken inside it only. Publishing freezes the
    template's fields in `schema` and creates one ReportAssignment per target."""

    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("报表模板"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("任务名称"), max_length=150)
    period_label = models.CharField(
        _("填报期间"), max_length=50, help_text=_("如：2026年度、2026年第三季度。")
    )
    due_on = models.DateField(_("截止日期"))
    target_kind = models.CharField(_("填报对象"), max_length=12, choices=TargetKind.choices)
    instructions = models.TextField(_("填报说明"), blank=True)
    criteria = models.JSONField(_("对象筛选条件"), default=dict, blank=True, editable=False)
    # The issuer's jurisdiction: the province (320000), a city or a district.
    region_code = models.CharField(_("发布范围"), max_length=6, editable=False, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.DRAFT, editable=False
    )
    schema = models.JSONField(_("字段定义"), default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("填报任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-due_on"]),
            models.Index(fields=["template", "target_kind", "-due_on"]),
            models.Index(fields=["-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == TaskStatus.PUBLISHED

    def clean(self) -> None:
        super().clean()
        if self.template_id and self.target_kind and self.template.target_kind != self.target_kind:
            raise ValidationError(
                {
                    "template": _("该模板适用于%(kind)s，与填报对象不一致。")
                    % {"kind": self.template.get_target_kind_display()}
                }
            )


class ReportAssignment(Reviewable, TimeStampedModel):
    """One target's report for a task: the institution's, or the institution's for one of its centers."""

    workflow = ASSIGNMENT_WORKFLOW
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
        db_index=True,
    )
    task = models.ForeignKey(
        ReportTask, verbose_name=_("填报任务"), on_delete=models.CASCADE, related_name="assignments"
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="report_assignments"
    )
    # A center task's subject (core's report-subject registry: the centers module declares it), kept by
    # type and id so that this module imports no sibling; its name as it was when the task was issued.
    subject_type = models.ForeignKey(
        ContentType,
        verbose_name=_("填报对象类型"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject_id = models.PositiveBigIntegerField(_("填报对象编号"), null=True, blank=True)
    subject_name = models.CharField(_("中心名称"), max_length=150, blank=True)
    due_on = models.DateField(_("截止日期"))
    values = models.JSONField(_("填报内容"), default=dict, blank=True, editable=False)
    explanations = models.JSONField(_("变动说明"), default=dict, blank=True, editable=False)
    # What was last handed in, kept apart from the working copy above: a returned report being corrected
    # is the institution's own draft, while regulators, exports and the next period read this one.
    submitted_values = models.JSONField(_("已提交的填报内容"), default=dict, blank=True, editable=False)
    submitted_explanations = models.JSONField(_("已提交的变动说明"), default=dict, blank=True, editable=False)
    saved_at = models.DateTimeField(_("最近保存时间"), null=True, blank=True, editable=False)
    overdue_at = models.DateTimeField(_("逾期时间"), null=True, blank=True, editable=False)
    excused_at = models.DateTimeField(_("免于逾期时间"), null=True, blank=True, editable=False)
    excused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("免于逾期决定人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    excuse_reason = models.TextField(_("免于逾期理由"), blank=True, editable=False)
    reminded_at = models.DateTimeField(_("最近催报时间"), null=True, blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = _("填报记录")
        ordering = ["task_id", "institution__name", "subject_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "institution"],
                condition=Q(subject_id__isnull=True),
                name="reporting_assignment_per_institution",
            ),
            models.UniqueConstraint(
                fields=["task", "subject_type", "subject_id"],
                condition=Q(subject_id__isnull=False),
                name="reporting_assignment_per_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["task", "status"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["subject_type", "subject_id", "-due_on"]),
        ]

    def __str__(self) -> str:
        name = self.subject_name or self.institution.name
        return f"{self.task.title}（{name}）"

    def get_absolute_url(self) -> str:
        return reverse("reporting:assignment_detail", args=[self.pk])

    @property
    def target_name(self) -> str:
        return self.subject_name or self.institution.name

    @property
    def was_overdue(self) -> bool:
        return self.overdue_at is not None

    @property
    def is_excused(self) -> bool:
        return self.excused_at is not None

    @property
    def is_editable(self) -> bool:
        return self.workflow.is_editable(self.status)
