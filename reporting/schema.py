"""A report template's fields as data: what a task freezes when it is published (`ReportTask.schema`), and
everything built from it — the filling form's fields, the stored values, the export's cells and the
check of a change against the previous period.

A schema is a list of dicts (FieldSpec.as_dict), so that editing a template later never changes a task
already issued nor the meaning of what was filled in for it. Values are stored as JSON by key: integers
as numbers, decimals as strings ("1234.50"), dates as ISO strings, a multiple choice as a list of its
options, yes/no as a boolean; a field left empty is absent.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .choices import NUMERIC_TYPES, FieldType

T = FieldType
TEXT_MAX = 200
LONG_TEXT_MAX = 5000
# Places after the decimal point, and digits before it, that each numeric type accepts.
DECIMAL_PLACES = {T.INTEGER: 0, T.DECIMAL: 4, T.MONEY: 2, T.PERCENT: 2}
MAX_WHOLE_DIGITS = 14
PERCENT_RANGE = (Decimal(0), Decimal(100))
# A numeric answer that moved more than this share from last period's needs a word of explanation.
CHANGE_THRESHOLD = Decimal("0.5")
EXPLANATION_MAX = 500
UNIT_OF_TYPE = {T.MONEY: "万元", T.PERCENT: "%"}
YES, NO = "是", "否"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    unit: str = ""
    required: bool = False
    min_value: str | None = None
    max_value: str | None = None
    help_text: str = ""
    group: str = ""
    options: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FieldSpec":
        return cls(**{**data, "options": tuple(data.get("options") or ())})

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "options": list(self.options)}

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def shown_unit(self) -> str:
        return self.unit or UNIT_OF_TYPE.get(self.type, "")

    @property
    def title(self) -> str:
        """The label with its unit, as a column header: 营业收入（万元）."""
        unit = self.shown_unit
        return f"{self.label}（{unit}）" if unit and f"（{unit}）" not in self.label else self.label

    def bounds(self) -> tuple[Decimal | None, Decimal | None]:
        low, high = _limit(self.min_value), _limit(self.max_value)
        if self.type == T.PERCENT:
            low = PERCENT_RANGE[0] if low is None else low
            high = PERCENT_RANGE[1] if high is None else high
        return low, high


def _limit(value: str | None) -> Decimal | None:
    """A template's limit as the number it means (kept with four places: 0.0000 is 0, 90.5000 is 90.5),
    so that an error says 「营业收入」不能小于 0。"""
    if value in (None, ""):
        return None
    number = Decimal(value)
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def specs_of(schema: Iterable[Mapping[str, Any]]) -> list[FieldSpec]:
    return [FieldSpec.from_dict(item) for item in schema]


# --- Form fields -------------------------------------------------------------------------------------


def _number_field(spec: FieldSpec, **common: Any) -> forms.Field:
    low, high = spec.bounds()
    places = DECIMAL_PLACES[spec.type]
    limits = {"min_value": low, "max_value": high}
    messages = {
        "invalid": f"「{spec.label}」请填写数字。",
        "min_value": f"「{spec.label}」不能小于 %(limit_value)s。",
        "max_value": f"「{spec.label}」不能大于 %(limit_value)s。",
    }
    if spec.type == T.INTEGER:
        messages["invalid"] = f"「{spec.label}」请填写整数。"
        return forms.IntegerField(
            **common,
            min_value=None if low is None else int(low),
            max_value=None if high is None else int(high),
            error_messages=messages,
            widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}),
        )
    messages["max_decimal_places"] = f"「{spec.label}」最多保留 {places} 位小数。"
    messages["max_digits"] = f"「{spec.label}」数值过大。"
    messages["max_whole_digits"] = f"「{spec.label}」数值过大。"
    return forms.DecimalField(
        **common,
        **limits,
        max_digits=MAX_WHOLE_DIGITS + places,
        decimal_places=places,
        error_messages=messages,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def form_field(spec: FieldSpec, *, required: bool) -> forms.Field:
    """The form field of one template field; `required` is False for a draft (only the type is checked)."""
    common: dict[str, Any] = {
        "label": spec.label,
        "required": required and spec.required,
        "help_text": spec.help_text,
    }
    common["error_messages"] = {"required": f"请填写「{spec.label}」。"}
    if spec.numeric:
        field = _number_field(spec, **{k: v for k, v in common.items() if k != "error_messages"})
        field.error_messages["required"] = common["error_messages"]["required"]
        return field
    if spec.type == T.TEXT:
        common["error_messages"]["max_length"] = f"「{spec.label}」最多 {TEXT_MAX} 个字。"
        return forms.CharField(**common, max_length=TEXT_MAX)
    if spec.type == T.LONG_TEXT:
        common["error_messages"]["max_length"] = f"「{spec.label}」最多 {LONG_TEXT_MAX} 个字。"
        return forms.CharField(**common, max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    if spec.type == T.DATE:
        common["error_messages"]["invalid"] = f"「{spec.label}」请按 2026-01-31 的格式填写日期。"
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}))
    if spec.type == T.SINGLE:
        common["error_messages"]["invalid_choice"] = f"「{spec.label}」请从选项中选择。"
        # No 请选择 choice: as a radio button it would be an answer of its own; leaving them all unticked
        # is how a draft leaves the question open.
        return forms.ChoiceField(**common, choices=[(o, o) for o in spec.options], widget=forms.RadioSelect)
    if spec.type == T.MULTIPLE:
        common["error_messages"]["invalid_choice"] = f"「{spec.label}」请从选项中选择。"
        common["error_messages"]["required"] = f"请至少选择一项「{spec.label}」。"
        return forms.MultipleChoiceField(
            **common, choices=[(o, o) for o in spec.options], widget=forms.CheckboxSelectMultiple
        )
    if spec.type == T.BOOLEAN:
        common["error_messages"]["invalid_choice"] = f"「{spec.label}」请选择是或否。"
        return forms.TypedChoiceField(
            **common,
            choices=[("yes", YES), ("no", NO)],
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
        )
    raise ValueError(f"unknown field type {spec.type!r}")


# --- Stored values -----------------------------------------------------------------------------------


def to_stored(spec: FieldSpec, value: Any) -> Any:
    """A cleaned form value as JSON; None for an empty answer."""
    if value in (None, "", []):
        return None
    if spec.type == T.INTEGER:
        return int(value)
    if spec.numeric:
        return format(Decimal(value), "f")
    if spec.type == T.DATE:
        return value.isoformat()
    if spec.type == T.MULTIPLE:
        return [option for option in spec.options if option in value]
    if spec.type == T.BOOLEAN:
        return bool(value)
    return str(value).strip() or None


def from_stored(spec: FieldSpec, value: Any) -> Any:
    """A stored value as Python (Decimal, date, list, bool), None when absent or unreadable."""
    if value is None:
        return None
    try:
        if spec.type == T.INTEGER:
            return int(value)
        if spec.numeric:
            return Decimal(str(value))
        if spec.type == T.DATE:
            return datetime.date.fromisoformat(value)
    except (ValueError, InvalidOperation, TypeError):
        return None
    return value


def to_initial(spec: FieldSpec, value: Any) -> Any:
    """A stored value as the form's initial value."""
    value = from_stored(spec, value)
    if spec.type == T.BOOLEAN and value is not None:
        return "yes" if value else "no"
    return value


def display(spec: FieldSpec, value: Any) -> str:
    """A stored value in words, with its unit: 1,234.5 万元, 是, 检测、校准."""
    value = from_stored(spec, value)
    if value is None or value == []:
        return "—"
    if spec.type == T.BOOLEAN:
        return YES if value else NO
    if spec.type == T.MULTIPLE:
        return "、".join(value)
    if spec.type == T.DATE:
        return value.isoformat()
    if spec.numeric:
        text = f"{value:,}" if spec.type == T.INTEGER else f"{value.normalize():,f}"
        unit = spec.shown_unit
        return f"{text}{' ' + unit if unit and unit != '%' else unit}"
    return str(value)


def cell(spec: FieldSpec, value: Any) -> Any:
    """A stored value for an Excel cell: numbers as numbers, the rest as text."""
    value = from_stored(spec, value)
    if value is None:
        return None
    if spec.type == T.BOOLEAN:
        return YES if value else NO
    if spec.type == T.MULTIPLE:
        return "、".join(value)
    return value


# --- Change against the previous period ------------------------------------------------------------


def change_ratio(spec: FieldSpec, value: Any, previous: Any) -> Decimal | None:
    """How far a numeric answer moved from the previous period's (0.6 = 60 %); None when either is missing
    or the field is not numeric. From 0 to anything else counts as a change of 100 %."""
    if not spec.numeric:
        return None
    now, before = from_stored(spec, value), from_stored(spec, previous)
    if now is None or before is None:
        return None
    now, before = Decimal(now), Decimal(before)
    if before == 0:
        return Decimal(0) if now == 0 else Decimal(1)
    return abs(now - before) / abs(before)


def needs_explanation(spec: FieldSpec, value: Any, previous: Any) -> bool:
    ratio = change_ratio(spec, value, previous)
    return ratio is not None and ratio > CHANGE_THRESHOLD


def changed_keys(
    specs: Iterable[FieldSpec], values: Mapping[str, Any], previous: Mapping[str, Any]
) -> list[str]:
    """The keys whose answer moved more than CHANGE_THRESHOLD from the previous period's."""
    return [
        spec.key for spec in specs if needs_explanation(spec, values.get(spec.key), previous.get(spec.key))
    ]


def explanation_errors(
    specs: Iterable[FieldSpec],
    values: Mapping[str, Any],
    previous: Mapping[str, Any],
    explanations: Mapping[str, str],
) -> dict[str, str]:
    """{key: error} for every large change without an explanation (checked on submit only)."""
    by_key = {spec.key: spec for spec in specs}
    errors = {}
    for key in changed_keys(by_key.values(), values, previous):
        if not (explanations.get(key) or "").strip():
            spec = by_key[key]
            before = display(spec, previous.get(key))
            errors[key] = f"「{spec.label}」与上期（{before}）相比变动超过 50%，请填写变动说明。"
    return errors


def validate_schema(schema: list[dict[str, Any]]) -> None:
    """Raises ValidationError when a schema cannot be filled in (a template checked before publishing)."""
    if not schema:
        raise ValidationError("模板至少需要一个字段。")
    keys = [item["key"] for item in schema]
    if len(keys) != len(set(keys)):
        raise ValidationError("模板的字段标识不能重复。")
    for spec in specs_of(schema):
        if spec.type in (T.SINGLE, T.MULTIPLE) and len(spec.options) < 2:
            raise ValidationError(f"「{spec.label}」是选择题，至少需要两个选项。")
