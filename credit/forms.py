"""Forms of 05 信用管理's workspace: 加分申请, and 申疑 / 信用修复 (the same fields: reason and evidence).

The services check everything again (credit.applications); the forms exist so that a mistake comes back
next to its field, in Chinese, with everything typed kept."""

from typing import Any

from django import forms

from sujt.core.forms import AttachmentFormMixin, KeyCheckedModelChoiceField, MultipleAttachmentField

from .applications import EVIDENCE_RULE, NO_EVIDENCE, REASON_MAX_CHARS, bonus_items
from .models import CreditItem

SAVE, SUBMIT = "save", "submit"


class _EvidenceForm(AttachmentFormMixin, forms.Form):
    """Reason and evidence; on an application that already holds files, which to remove."""

    evidence = MultipleAttachmentField(label="证明材料", required=False, rule=EVIDENCE_RULE)
    remove_evidence = forms.TypedMultipleChoiceField(
        label="删除已上传的材料", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    # Whether the evidence is required by this submission (a draft may be saved without).
    evidence_required = True

    def __init__(self, *args: Any, existing_evidence: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing_evidence = list(existing_evidence)
        self.fields["remove_evidence"].choices = [(a.pk, a.original_name) for a in self.existing_evidence]
        if not self.existing_evidence:
            del self.fields["remove_evidence"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kept = len(self.existing_evidence) - len(data.get("remove_evidence") or [])
        if (
            self.evidence_required
            and "evidence" not in self.errors
            and kept + len(data.get("evidence") or []) < 1
        ):
            self.add_error("evidence", NO_EVIDENCE)
        self.check_files_total("evidence", kept=kept)
        return data


def _reason_field(label: str, help_text: str, required: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=help_text,
        error_messages={
            "required": required,
            "max_length": f"最多 {REASON_MAX_CHARS} 字（当前 %(show_value)d 字）。",
        },
    )


class BonusApplicationForm(_EvidenceForm):
    """加分申请: the item, when it was achieved, why, and the evidence. `action` is the button pressed:
    保存草稿 (evidence may follow later) or 提交审核 (evidence required)."""

    item = KeyCheckedModelChoiceField(
        label="加分项目",
        queryset=CreditItem.objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择加分项目。", "invalid_choice": "请选择启用中的加分项目。"},
    )
    achieved_on = forms.DateField(
        label="取得日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="证书、文件或奖励上的日期，格式如 2026-03-15；加分有效期自此日起算。",
        error_messages={"required": "请填写取得日期。", "invalid": "请按 2026-03-15 的格式填写日期。"},
    )
    reason = _reason_field(
        "申请理由",
        "写明取得的成果及其依据，如证书或文件的名称、编号、发证单位。",
        "请说明申请加分的理由。",
    )
    field_order = ["item", "achieved_on", "reason", "evidence", "remove_evidence"]

    def __init__(self, *args: Any, submitting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evidence_required = submitting
        self.fields["item"].queryset = bonus_items()
        self.fields["item"].label_from_instance = lambda item: (
            f"{item.code} {item.name}（+{item.points.normalize():f} 分，有效期 {item.months_valid} 个月）"
        )


class ObjectionForm(_EvidenceForm):
    reason = _reason_field(
        "申疑理由",
        "说明该扣分哪里与事实不符、依据是什么；监管部门审核期间该扣分标记为“异议中”，仍计入得分。",
        "请说明申疑的理由。",
    )
    field_order = ["reason", "evidence", "remove_evidence"]


class RepairForm(_EvidenceForm):
    reason = _reason_field(
        "整改情况及修复理由",
        "说明已完成的整改措施和效果；修复通过后，该扣分在有效期届满时自动返还。",
        "请说明整改情况和申请修复的理由。",
    )
    field_order = ["reason", "evidence", "remove_evidence"]
