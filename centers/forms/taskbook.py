"""Forms of 任务书 / 任务书变更申请, 筹建进展报告 and 验收申请."""

from typing import Any

from django import forms
from django.forms import formset_factory

from ..services import ACCEPTANCE_RULE, MAX_ROWS, PROGRESS_RULE
from .common import (
    DATE_ERRORS,
    DATE_WIDGET,
    EXTRA_ROWS,
    FilesFormMixin,
    RowForm,
    RowFormSet,
    decimal_field,
    files_field,
)


def rows_formset(form: type[RowForm], *, noun: str, extra: int = EXTRA_ROWS) -> Any:
    """A row table of at most MAX_ROWS rows whose refusal of more names the rows, not Django's "表单"."""
    formset = type(
        f"{form.__name__}Set",
        (RowFormSet,),
        {"default_error_messages": {"too_many_forms": f"{noun}最多 %(num)d 行。"}},
    )
    return formset_factory(
        form, formset=formset, extra=extra, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
    )


class IndicatorRowForm(RowForm):
    required = ("name", "target_value", "unit", "due_on")
    keys = ("number",)
    number = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="指标名称", max_length=100, required=False)
    target_value = decimal_field("目标值")
    unit = forms.CharField(label="单位", max_length=20, required=False)
    due_on = forms.DateField(label="完成期限", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS)


IndicatorFormSet = rows_formset(IndicatorRowForm, noun="任务书指标")


class ChangeForm(forms.Form):
    reason = forms.CharField(
        label="变更理由",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="说明需要变更的客观原因，以及变更的指标或期限。",
        error_messages={"required": "请填写变更理由。", "max_length": "变更理由最多 3000 字。"},
    )
    construction_due_on = forms.DateField(
        label="变更后的筹建及验收期限",
        required=False,
        widget=DATE_WIDGET,
        help_text="不变更期限的留空。",
        error_messages=DATE_ERRORS,
    )


class FigureRowForm(RowForm):
    """An indicator's figure in a progress report (the indicator is fixed: one row per indicator)."""

    required = ("actual_value",)
    keys = ("indicator_id",)
    indicator_id = forms.IntegerField(widget=forms.HiddenInput)
    actual_value = decimal_field("当前完成值", min_value="0")
    percent = forms.IntegerField(
        label="完成比例（%）",
        required=False,
        min_value=0,
        max_value=100,
        help_text="留空按目标值自动计算。",
        error_messages={
            "invalid": "请填写 0–100 的整数。",
            "min_value": "不能小于 0。",
            "max_value": "不能大于 100。",
        },
    )
    note = forms.CharField(label="说明", max_length=300, required=False)


class EvaluationRowForm(RowForm):
    required = ("achieved_value",)
    keys = ("indicator_id",)
    indicator_id = forms.IntegerField(widget=forms.HiddenInput)
    achieved_value = decimal_field("实际完成值", min_value="0")
    met = forms.TypedChoiceField(
        label="是否达标",
        required=False,
        choices=[("", "请选择"), ("1", "达标"), ("0", "未达标")],
        coerce=lambda value: value == "1",
        empty_value=None,
    )
    remark = forms.CharField(label="自评说明", max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "met" not in self.errors and data.get("met") is None:
            self.add_error("met", "请选择是否达标。")
        return data


# One row per indicator of the current task book, no blank rows.
FigureFormSet = rows_formset(FigureRowForm, noun="指标进展", extra=0)
EvaluationFormSet = rows_formset(EvaluationRowForm, noun="指标自评", extra=0)


class ProgressForm(FilesFormMixin, forms.Form):
    narrative = forms.CharField(
        label="进展情况",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="说明本期完成的建设内容、存在的问题和下一步安排。",
        error_messages={"required": "请填写进展情况。", "max_length": "进展情况最多 5000 字。"},
    )
    files = files_field(PROGRESS_RULE, "进展材料")

    def __init__(self, *args: Any, existing: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_existing(existing)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.clean_files_total(data, {"files": PROGRESS_RULE})
        return data


class AcceptanceForm(FilesFormMixin, forms.Form):
    summary = forms.CharField(
        label="建设总结",
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="概述任务书各项建设内容的完成情况、能力水平和运行准备。",
        error_messages={"required": "请填写建设总结。", "max_length": "建设总结最多 8000 字。"},
    )
    files = files_field(ACCEPTANCE_RULE, "验收材料")

    def __init__(self, *args: Any, existing: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_existing(existing)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.clean_files_total(data, {"files": ACCEPTANCE_RULE})
        return data
