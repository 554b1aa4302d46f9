"""Forms of 筹建申请 (with its equipment list and files) and of 系统外中心登记."""

from typing import Any

from django import forms

from sujt.core.forms import ContentCheckedFileField

from ..choices import AcceptanceGrade, CenterKind, CenterLevel, RegisteredStage
from ..services import APPROVAL_RULE, FEASIBILITY_RULE, MATERIALS_RULE
from .common import DATE_ERRORS, DATE_WIDGET, FilesFormMixin, RowForm, decimal_field, files_field, row_formset


def _text(label: str, max_length: int, *, rows: int = 0, help_text: str = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=widget,
        help_text=help_text,
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}最多 {max_length} 字（当前 %(show_value)d 字）。",
        },
    )


def _choice(label: str, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "请选择"), *choices],
        error_messages={"required": f"请选择{label}。", "invalid_choice": f"请选择有效的{label}。"},
    )


class CenterFactsForm(FilesFormMixin, forms.Form):
    name = _text("中心名称", 100, help_text="如：江苏省××产品质量检验检测中心。")
    level = _choice("级别", CenterLevel.choices)
    kind = _choice("类型", CenterKind.choices)
    product_scope = _text("产品范围", 1000, rows=3)
    industry = _text("所属行业", 50)


class ConstructionForm(CenterFactsForm):
    content_and_goals = _text("建设内容与目标", 5000, rows=6)
    planned_investment = decimal_field("计划投资（万元）", min_value="0.01", max_digits=12)
    funding_source = _text("资金来源", 200, help_text="如：企业自筹、地方财政、省级专项资金。")
    construction_months = forms.IntegerField(
        label="预计建设周期（月）",
        min_value=1,
        max_value=60,
        error_messages={
            "required": "请填写预计建设周期。",
            "invalid": "请填写整数月数。",
            "min_value": "建设周期至少 1 个月。",
            "max_value": "建设周期最多 60 个月。",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    staffing_plan = _text("人员配备计划", 3000, rows=4)
    feasibility = ContentCheckedFileField(label="可行性研究报告", required=False, rule=FEASIBILITY_RULE)
    files = files_field(MATERIALS_RULE, "其他材料")

    def __init__(self, *args: Any, existing: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["planned_investment"].required = True
        self.fields["planned_investment"].error_messages["required"] = "请填写计划投资。"
        if any(a.purpose == FEASIBILITY_RULE.purpose for a in existing):
            self.fields[
                "feasibility"
            ].help_text = f"{FEASIBILITY_RULE.description}。已上传的报告见上方；重新选择文件将替换原报告。"
        # Only other materials can be removed: the one report is replaced by a new upload.
        self.setup_existing([a for a in existing if a.purpose == MATERIALS_RULE.purpose])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.clean_files_total(data, {"files": MATERIALS_RULE})
        return data


class EquipmentRowForm(RowForm):
    required = ("name", "specification", "unit_price", "quantity")
    name = forms.CharField(label="设备名称", max_length=100, required=False)
    specification = forms.CharField(label="规格型号", max_length=100, required=False)
    unit_price = decimal_field("单价（万元）", min_value="0.01", max_digits=12)
    quantity = forms.IntegerField(
        label="数量",
        required=False,
        min_value=1,
        max_value=100000,
        error_messages={"invalid": "请填写整数。", "min_value": "数量至少为 1。", "max_value": "数量过大。"},
    )


EquipmentFormSet = row_formset(EquipmentRowForm)


class RegistrationForm(CenterFactsForm):
    approval_number = _text("批准文号", 60)
    approved_on = forms.DateField(
        label="批准日期", widget=DATE_WIDGET, error_messages={"required": "请填写批准日期。", **DATE_ERRORS}
    )
    stage = forms.ChoiceField(
        label="当前阶段",
        choices=RegisteredStage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择中心当前所处阶段。"},
    )
    construction_due_on = forms.DateField(
        label="筹建及验收期限",
        required=False,
        widget=DATE_WIDGET,
        help_text="筹建中的中心填写批准文件规定的期限。",
        error_messages=DATE_ERRORS,
    )
    accepted_on = forms.DateField(
        label="验收日期",
        required=False,
        widget=DATE_WIDGET,
        help_text="已通过验收的中心填写。",
        error_messages=DATE_ERRORS,
    )
    acceptance_grade = forms.ChoiceField(
        label="验收等级", required=False, choices=[("", "请选择"), *AcceptanceGrade.choices]
    )
    files = files_field(APPROVAL_RULE, "批准文件")

    def __init__(self, *args: Any, existing: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_existing(existing)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.clean_files_total(data, {"files": APPROVAL_RULE})
        return data
