from django.db import models
from django.urls import reverse

from sujt.accounts.permissions import has_module_perm
from sujt.core.audit import history
from sujt.core.models import Reviewable
from sujt.core.richtext import RichTextField
from sujt.core.scoping import regulator_lists
from sujt.core.workflow import Side, Tone, Transition, Workflow


class Submission(Reviewable):
    """A stand-in for any module's submission (news, bonus application, rectification report…)."""

    institution = models.ForeignKey(
        "institutions.Institution", verbose_name="机构", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("标题", max_length=100)
    note = RichTextField("说明", blank=True)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = "测试申报"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("admin:workflow_app_submission_change", args=[self.pk])

    def attachments_visible_to(self, user) -> bool:
        """As a module's submission would: its module's permission (here 信用管理, as for a commitment
        letter) or the review queue, which lists it to the regulators over its region once submitted."""
        if has_module_perm(user=user, institution_id=self.institution_id, perm="manage_credit"):
            return True
        return regulator_lists(self, user=user, region_field="institution__region_code", reviewed=True)


# --- A two-step review: the institution submits, the city bureau, then the province bureau approves ------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    CITY_REVIEW = "city_review", "待市局审核"
    PROVINCE_REVIEW = "province_review", "待省局审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"
    OVERDUE = "overdue", "已逾期"


R = ReportStatus

REPORT_WORKFLOW = Workflow(
    name="workflow_app.report",
    states=ReportStatus,
    transitions=[
        Transition(
            "submit",
            source={R.DRAFT, R.RETURNED, R.OVERDUE},
            target=R.CITY_REVIEW,
            side=Side.INSTITUTION,
            label="提交",
            submits=True,
        ),
        Transition(
            "city_approve",
            source={R.CITY_REVIEW},
            target=R.PROVINCE_REVIEW,
            side=Side.CITY,
            label="市局审核通过",
        ),
        Transition(
            "city_return",
            source={R.CITY_REVIEW},
            target=R.RETURNED,
            side=Side.CITY,
            label="市局退回",
            comment_required=True,
        ),
        Transition(
            "province_approve",
            source={R.PROVINCE_REVIEW},
            target=R.APPROVED,
            side=Side.PROVINCE,
            label="省局审核通过",
        ),
        Transition(
            "province_return",
            source={R.PROVINCE_REVIEW},
            target=R.RETURNED,
            side=Side.PROVINCE,
            label="省局退回",
            comment_required=True,
        ),
        # Set by a scheduled job when the due date passes (by=None, side=Side.SYSTEM).
        Transition(
            "overdue", source={R.DRAFT, R.RETURNED}, target=R.OVERDUE, side=Side.SYSTEM, label="标记逾期"
        ),
    ],
    tones={
        R.CITY_REVIEW: Tone.INFO,
        R.PROVINCE_REVIEW: Tone.INFO,
        R.RETURNED: Tone.WARNING,
        R.APPROVED: Tone.SUCCESS,
        R.OVERDUE: Tone.DANGER,
    },
    editable={R.DRAFT, R.RETURNED, R.OVERDUE},
)


class Report(Reviewable):
    """A stand-in for a module with its own two-step lifecycle (an operating-data report, a center's
    acceptance): declared once in REPORT_WORKFLOW, run by the core engine."""

    workflow = REPORT_WORKFLOW

    status = models.CharField(
        "状态", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    institution = models.ForeignKey(
        "institutions.Institution", verbose_name="机构", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("标题", max_length=100)
    history = history()

    class Meta:
        verbose_name = verbose_name_plural = "测试报表"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("admin:workflow_app_report_change", args=[self.pk])
