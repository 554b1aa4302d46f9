"""The institution's answer to a rectification order: per finding, the measures taken and evidence."""

from typing import Any

from django import forms

from sujt.core.forms import AttachmentFormMixin, MultipleAttachmentField

from .models import RectificationMeasure
from .services import EVIDENCE_RULE, MEASURES_MAX_CHARS


class AnswerForm(AttachmentFormMixin, forms.Form):
    """One group of fields per finding of the order: `measures_<finding id>` (整改措施及结果),
    `evidence_<finding id>` (new evidence files) and `remove_<finding id>` (this draft's evidence to
    delete). Whether to save a draft or submit is the button pressed (see the view); a submission also
    needs every finding's measures, which the service checks (its errors land on these fields)."""

    def __init__(self, *args: Any, measures: list[RectificationMeasure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups: list[dict[str, Any]] = []
        for measure in measures:
            finding_id = measure.finding_id
            text_name, files_name, remove_name = (
                f"measures_{finding_id}",
                f"evidence_{finding_id}",
                f"remove_{finding_id}",
            )
            self.fields[text_name] = forms.CharField(
                label="整改措施及结果",
                required=False,
                max_length=MEASURES_MAX_CHARS,
                initial=measure.measures,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=(
                    f"写明针对该问题采取的措施和取得的结果，不超过 {MEASURES_MAX_CHARS} 字；提交时必填。"
                ),
            )
            self.fields[files_name] = MultipleAttachmentField(
                label="上传证明材料", required=False, rule=EVIDENCE_RULE
            )
            evidence = list(getattr(measure, "evidence", []))
            if evidence:
                self.fields[remove_name] = forms.TypedMultipleChoiceField(
                    label="删除已上传的证明材料",
                    required=False,
                    coerce=int,
                    choices=[(attachment.pk, attachment.original_name) for attachment in evidence],
                    widget=forms.CheckboxSelectMultiple,
                )
            self.groups.append(
                {
                    "measure": measure,
                    "finding": measure.finding,
                    "evidence": evidence,
                    "text": text_name,
                    "files": files_name,
                    "remove": remove_name if evidence else None,
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for group in self.groups:
            removed = len(data.get(group["remove"]) or []) if group["remove"] else 0
            self.check_files_total(group["files"], kept=len(group["evidence"]) - removed)
        return data

    def bound_groups(self) -> list[dict[str, Any]]:
        """The groups with their bound fields, for the template."""
        return [
            {
                **group,
                "text_field": self[group["text"]],
                "files_field": self[group["files"]],
                "remove_field": self[group["remove"]] if group["remove"] else None,
                "reselect": self.choose_again.get(group["files"], False),
            }
            for group in self.groups
        ]

    def save_kwargs(self) -> dict[str, Any]:
        """The cleaned values as `services.answer_save` takes them."""
        data = self.cleaned_data
        return {
            "measures": {group["finding"].pk: data.get(group["text"], "") for group in self.groups},
            "evidence": {group["finding"].pk: data.get(group["files"]) or [] for group in self.groups},
            "remove_evidence": [
                pk for group in self.groups if group["remove"] for pk in data.get(group["remove"]) or []
            ],
        }
