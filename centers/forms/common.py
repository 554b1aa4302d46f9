"""What the forms of module 04 share: editable row tables (equipment, indicators, figures) and file
fields with removal of what an application already holds.

A row table is a Django formset of a RowForm: every field is optional at the field level and a row left
entirely blank is dropped, so clearing a row deletes it; a row filled in part names what is missing.
The services check everything again; the forms exist so a mistake comes back beside its field, in
Chinese, with everything typed kept."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory

from sujt.core.attachments import AttachmentRule
from sujt.core.forms import AttachmentFormMixin, MultipleAttachmentField

from ..services import MAX_ROWS

SAVE, SUBMIT = "save", "submit"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "请按 2026-03-15 的格式填写日期。"}
# Blank rows offered below the filled ones; more appear after saving the draft.
EXTRA_ROWS = 3


def decimal_field(label: str, *, min_value: str | None = None, max_digits: int = 14) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=max_digits,
        decimal_places=2,
        min_value=Decimal(min_value) if min_value is not None else None,
        error_messages={
            "invalid": "请填写数字。",
            "max_decimal_places": "最多保留两位小数。",
            "max_digits": "数值过大。",
            "max_whole_digits": "数值过大。",
            "min_value": "须大于等于 %(limit_value)s。",
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class RowForm(forms.Form):
    """One row of a table. `required` names the fields a filled row must have; `keys` (hidden fields
    such as an indicator's id) do not count as "filled"."""

    required: Sequence[str] = ()
    keys: Sequence[str] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A blank row is dropped; Django then skips its validation entirely.
        self.empty_permitted = True
        self.use_required_attribute = False

    def has_changed(self) -> bool:
        return any(
            self.data.get(self.add_prefix(name)) not in (None, "")
            for name in self.fields
            if name not in self.keys
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in self.required:
            if name not in self.errors and data.get(name) in (None, ""):
                self.add_error(name, f"请填写{self.fields[name].label}。")
        return data

    @property
    def blank(self) -> bool:
        return not self.has_changed()


class RowFormSet(BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """The cleaned rows that were filled in, in order."""
        return [form.cleaned_data for form in self.forms if not form.blank and form.cleaned_data]


def row_formset(form: type[RowForm], *, extra: int = EXTRA_ROWS) -> type[RowFormSet]:
    return formset_factory(
        form, formset=RowFormSet, extra=extra, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
    )


def files_field(rule: AttachmentRule, label: str) -> MultipleAttachmentField:
    return MultipleAttachmentField(label=label, required=False, rule=rule)


class FilesFormMixin(AttachmentFormMixin):
    """A form with one multiple-file field `files_field_name` and, when the application already holds
    files, `remove_files` (checkboxes of those to delete)."""

    files_field_name = "files"

    def setup_existing(self, existing: Sequence[Any]) -> None:
        self.existing_files = list(existing)
        if self.existing_files:
            self.fields["remove_files"] = forms.TypedMultipleChoiceField(
                label="删除已上传的文件",
                required=False,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                choices=[(a.pk, a.original_name) for a in self.existing_files],
            )

    def clean_files_total(self, data: dict[str, Any], rules: dict[str, AttachmentRule]) -> None:
        removed = set(data.get("remove_files") or [])
        for name, rule in rules.items():
            kept = sum(1 for a in self.existing_files if a.purpose == rule.purpose and a.pk not in removed)
            if isinstance(self.fields[name], MultipleAttachmentField):
                self.check_files_total(name, kept=kept)
