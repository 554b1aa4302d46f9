"""The filling form of an assignment, built from its task's frozen schema (reporting.schema): one typed
field per template field, named by its key, and beside each numeric one an optional explanation
(`explain_<key>`), required on submit when the answer moved more than 50 % from the previous period's
(the service checks that and its errors come back onto these fields)."""

from typing import Any

from django import forms

from . import schema
from .choices import FieldType

EXPLAIN_PREFIX = "explain_"
# Fields given the whole width of the form (the others share a row on a wide screen).
WIDE_TYPES = frozenset({FieldType.LONG_TEXT, FieldType.MULTIPLE, FieldType.SINGLE})


class ReportForm(forms.Form):
    def __init__(
        self,
        *args: Any,
        specs: list[schema.FieldSpec],
        submitting: bool,
        previous: dict[str, Any],
        stored: dict[str, Any],
        explanations: dict[str, str],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        for spec in specs:
            source = stored if stored else previous  # a report not started is pre-filled from last period's
            if spec.key in source:
                kwargs["initial"].setdefault(spec.key, schema.to_initial(spec, source[spec.key]))
            if spec.key in explanations:
                kwargs["initial"].setdefault(EXPLAIN_PREFIX + spec.key, explanations[spec.key])
        super().__init__(*args, **kwargs)
        self.specs, self.previous = specs, previous
        self.submitting = submitting
        for spec in specs:
            self.fields[spec.key] = schema.form_field(spec, required=submitting)
            if spec.numeric and spec.key in previous:
                self.fields[EXPLAIN_PREFIX + spec.key] = forms.CharField(
                    label=f"「{spec.label}」变动说明",
                    required=False,
                    max_length=schema.EXPLANATION_MAX,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text="与上期相比变动超过 50% 时必填。",
                )

    def clean(self) -> dict[str, Any]:
        """On submit, a large change without an explanation is flagged in the same round as the missing
        answers (the service checks it again when it saves)."""
        cleaned = super().clean()
        if self.submitting:
            stored = {
                spec.key: schema.to_stored(spec, cleaned.get(spec.key))
                for spec in self.specs
                if spec.key in cleaned
            }
            explanations = self.explanations()
            for key, message in schema.explanation_errors(
                self.specs, stored, self.previous, explanations
            ).items():
                if EXPLAIN_PREFIX + key in self.fields and EXPLAIN_PREFIX + key not in self.errors:
                    self.add_error(EXPLAIN_PREFIX + key, message)
        return cleaned

    def error_items(self) -> list[dict[str, str]]:
        """Each field in error with its first message, in the form's order, for the summary above it."""
        items = []
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                items.append({"id": bound.id_for_label or bound.auto_id, "message": self.errors[name][0]})
        return items

    def values(self) -> dict[str, Any]:
        return {spec.key: self.cleaned_data.get(spec.key) for spec in self.specs}

    def explanations(self) -> dict[str, str]:
        return {
            spec.key: self.cleaned_data.get(EXPLAIN_PREFIX + spec.key) or ""
            for spec in self.specs
            if EXPLAIN_PREFIX + spec.key in self.fields
        }

    def groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The fields by group in template order, each with its bound field, last period's answer, its
        explanation field and whether the answer moved enough to need one, for the template."""
        grouped: list[tuple[str, list[dict[str, Any]]]] = []
        for spec in self.specs:
            if not grouped or grouped[-1][0] != spec.group:
                grouped.append((spec.group, []))
            explain = EXPLAIN_PREFIX + spec.key
            bound = self[spec.key]
            grouped[-1][1].append(
                {
                    "spec": spec,
                    "field": bound,
                    # The answer as it stands (typed, saved or pre-filled) moved more than 50 %.
                    "changed": explain in self.fields
                    and schema.needs_explanation(spec, bound.value(), self.previous[spec.key]),
                    "wide": spec.type in WIDE_TYPES,
                    "previous": schema.display(spec, self.previous[spec.key])
                    if spec.key in self.previous
                    else "",
                    "explain": self[explain] if explain in self.fields else None,
                }
            )
        return grouped
