"""Forms of the regulators' follow-up pages of an inspection (03 机构整改 in admin).

They only collect what the services take: `services.order_issue` checks the findings and the date (its
refusals come back on the form through `service_errors_add`), `services.inspection_disclose` /
`penalty_disclose` build and redact the published text.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from . import services
from .models import Finding, Inspection


def finding_label(finding: Finding, *, ordered: bool = False) -> str:
    text = f"{finding.get_category_display()}（{finding.get_severity_display()}）：{finding.description}"
    # The regulator picks the findings of a new order: one already in an order is not preselected, and
    # says why, so a second order for it is a deliberate choice.
    return f"{text}【已下达整改通知】" if ordered else text


class IssueOrderForm(forms.Form):
    findings = forms.ModelMultipleChoiceField(
        label="需整改的问题",
        queryset=Finding.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请至少选择一项需要整改的问题。",
            "invalid_choice": "所选问题不属于本次检查，请刷新页面后重新选择。",
        },
    )
    due_on = forms.DateField(
        label="整改期限",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写整改期限。", "invalid": "请按“年-月-日”填写整改期限。"},
    )
    requirement = forms.CharField(
        label="整改要求",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="选填：机构在整改通知中看到这段要求。",
    )

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        findings = inspection.findings.order_by("pk")
        ordered = set(
            Finding.objects.filter(inspection=inspection, orders__isnull=False).values_list("pk", flat=True)
        )
        field = self.fields["findings"]
        field.queryset = findings
        field.label_from_instance = lambda finding: finding_label(finding, ordered=finding.pk in ordered)
        field.initial = [finding.pk for finding in findings if finding.pk not in ordered]
        self.fields["due_on"].initial = services.due_on_default()
        self.fields["due_on"].help_text = f"默认为今天起 {settings.RECTIFICATION_DUE_DAYS} 天，可修改。"


class DiscloseForm(forms.Form):
    title = forms.CharField(
        label="标题",
        max_length=200,
        widget=forms.TextInput(attrs={"class": "vTextField", "size": 60}),
        error_messages={"required": "请填写标题。"},
    )
    note = forms.CharField(
        label="补充说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="选填，附在正文之后。身份证号、手机号会被自动隐去；请勿填写其他个人信息。",
    )


class FindingInlineFormSet(BaseInlineFormSet):
    """A finding named in a rectification order stays: deleting it would silently drop it from the order
    the institution is answering (or, once answered, fail on its measures)."""

    def clean(self) -> None:
        super().clean()
        ids = [form.instance.pk for form in self.deleted_forms if form.instance.pk]
        if not ids:
            return
        ordered = Finding.objects.filter(pk__in=ids, orders__isnull=False).distinct()
        names = "、".join(f"「{finding.get_category_display()}」" for finding in ordered)
        if names:
            raise ValidationError(f"问题{names}已下达整改通知，不能删除；如录入有误，请修改其内容。")
