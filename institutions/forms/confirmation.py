"""Forms of 确认机构信息: the error report (which item, what is wrong, evidence)."""

from typing import Any

from django import forms

from sujt.core.forms import AttachmentFormMixin, MultipleAttachmentField

from ..choices import ErrorItemType
from ..models import ErrorReport, Institution
from ..selectors.confirmation import error_item_choices, error_item_get, item_label
from ..services.confirmation import EVIDENCE, NO_EVIDENCE


class ErrorReportForm(AttachmentFormMixin, forms.Form):
    """报告错误. The item type is chosen first (the page reloads with its items); the item must be one of
    the institution's own. On a returned report, existing evidence may be kept or removed."""

    item_type = forms.ChoiceField(label="信息类别", choices=ErrorItemType.choices, widget=forms.HiddenInput)
    item_id = forms.IntegerField(label="有误的条目", required=False, widget=forms.Select)
    item_label = forms.CharField(
        label="有误的基础信息",
        required=False,
        max_length=255,
        help_text="写明哪一项基础信息有误，如：法定代表人、地址、联系电话。",
    )
    description = forms.CharField(
        label="错误说明",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="说明哪里有误、正确的信息应是什么。",
    )
    evidence = MultipleAttachmentField(label="证明材料", required=False, rule=EVIDENCE)
    remove_evidence = forms.TypedMultipleChoiceField(
        label="删除已上传的材料", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        institution: Institution,
        item_type: str,
        q: str = "",
        report: ErrorReport | None = None,
        existing_evidence: Any = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.report = report
        self.chosen_type = item_type if item_type in ErrorItemType.values else ""
        self.fields["item_type"].initial = self.chosen_type
        self.existing_evidence = list(existing_evidence)
        current_id = report.item_id if report is not None and report.item_type == self.chosen_type else None
        choices = error_item_choices(
            institution=institution, item_type=self.chosen_type, q=q, include_id=current_id
        )
        self.item_choices = choices
        self.fields["item_id"].widget.choices = [("", "请选择"), *choices]
        if report is not None:
            self.fields["description"].initial = report.description
            if current_id is not None:
                self.fields["item_id"].initial = current_id
            if report.item_type == ErrorItemType.BASIC == self.chosen_type:
                self.fields["item_label"].initial = report.item_label
        self.fields["remove_evidence"].choices = [(a.pk, a.original_name) for a in self.existing_evidence]
        if not self.existing_evidence:
            del self.fields["remove_evidence"]

    @property
    def is_basic(self) -> bool:
        return self.chosen_type == ErrorItemType.BASIC

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        item_type = data.get("item_type")
        if item_type is None:
            return data
        if item_type == ErrorItemType.BASIC:
            data["item_id"] = None
            if not (data.get("item_label") or "").strip():
                self.add_error("item_label", "请填写哪一项基础信息有误（如：法定代表人、地址）。")
        else:
            data["item_label"] = ""
            item_id = data.get("item_id")
            if item_id is None:
                if "item_id" not in self.errors:
                    self.add_error("item_id", "请选择有误的条目。")
            else:
                item = error_item_get(institution=self.institution, item_type=item_type, item_id=item_id)
                if item is None:
                    self.add_error("item_id", "所选条目不是本机构的信息或已不存在，请重新选择。")
                else:
                    data["item_label"] = item_label(item)
        kept = len(self.existing_evidence) - len(data.get("remove_evidence") or [])
        if "evidence" not in self.errors and kept + len(data.get("evidence") or []) < 1:
            self.add_error("evidence", NO_EVIDENCE)
        self.check_files_total("evidence", kept=kept)
        return data
