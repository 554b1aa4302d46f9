"""Validation and normalisation of one institution record of the approval system (docs/qualification-sync.md).

`record_parse` turns the JSON of one record into a `ParsedRecord` whose values have the Python types the
database returns (dates, decimals, stripped strings), so the engine can compare them with stored rows
without writing anything that did not change. Anything wrong raises `RecordError` with Chinese messages.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from sujt.core.validators import parse_cma_number, validate_mobile

from ..models import Capability, Certificate, Equipment, Institution, Personnel, Signatory, Site

SOURCE_ID_MAX_LENGTH = 64
MAX_MESSAGES = 5

# Contract fields of the institution itself; 完善信息, IP, confirmation and completeness are never here.
INSTITUTION_FIELDS = (
    "name",
    "uscc",
    "legal_representative",
    "address",
    "postcode",
    "region_code",
    "phone",
    "email",
    "website",
    "contact_person",
    "contact_phone",
    "established_on",
    "is_independent_legal_person",
    "introduction",
    "status",
)


@dataclass(frozen=True)
class ItemKind:
    """One nested list of a record: its key, model, Chinese name, scalar fields and references."""

    key: str
    model: type[models.Model]
    label: str
    fields: tuple[str, ...]
    # (record key, kind key of the target, model attname, required)
    refs: tuple[tuple[str, str, str, bool], ...] = ()


SITES = ItemKind("sites", Site, "检验检测场所", ("name", "address", "site_type", "area", "tenure"))
CERTIFICATES = ItemKind(
    "certificates", Certificate, "资质认定证书", ("number", "issued_on", "expires_on", "status")
)
CAPABILITIES = ItemKind(
    "capabilities",
    Capability,
    "检验检测能力",
    ("seq", "category", "item", "standard", "limitation", "note"),
    (("certificate_id", "certificates", "certificate_id", True), ("site_id", "sites", "site_id", False)),
)
EQUIPMENT = ItemKind(
    "equipment",
    Equipment,
    "仪器设备",
    ("name", "model_spec", "measuring_range", "traceability", "valid_until"),
    (("site_id", "sites", "site_id", False),),
)
SIGNATORIES = ItemKind(
    "signatories",
    Signatory,
    "授权签字人",
    ("name", "title", "authorised_fields"),
    (("site_id", "sites", "site_id", False),),
)
PERSONNEL = ItemKind(
    "personnel",
    Personnel,
    "检验检测人员",
    (
        "name",
        "gender",
        "birth_year",
        "education",
        "title",
        "position",
        "major",
        "years_in_field",
        "department",
    ),
)
# In the order they are written: referenced kinds first.
ITEM_KINDS: tuple[ItemKind, ...] = (SITES, CERTIFICATES, CAPABILITIES, EQUIPMENT, SIGNATORIES, PERSONNEL)
KINDS_BY_KEY = {kind.key: kind for kind in ITEM_KINDS}


class RecordError(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("；".join(messages))
        self.messages = messages


@dataclass
class ParsedItem:
    source_id: str
    values: dict[str, Any]
    refs: dict[str, str | None]  # attname → source id of the referenced item of the same record
    withdrawn: bool


@dataclass
class ParsedRecord:
    index: int
    source_id: str
    values: dict[str, Any]
    withdrawn: bool
    items: dict[str, list[ParsedItem]] = field(default_factory=dict)
    # Numbers the first admin account may use, best first (manual §二: contact person, legal representative).
    account_candidates: list[tuple[str, str]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.source_id or self.values.get("uscc") or str(self.index)


def record_key(raw: Any, index: int) -> str:
    """How an error names a record: its source id, else its USCC, else its position in the page."""
    if isinstance(raw, dict):
        for name in ("id", "uscc"):
            value = raw.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()[:SOURCE_ID_MAX_LENGTH]
    return f"第{index + 1}条"


# --- Field cleaners ------------------------------------------------------------------------------


def _messages(exc: ValidationError) -> str:
    return "，".join(str(message) for message in exc.messages)


def _text_cleaner(model_field: models.Field, label: str) -> Callable[[Any], Any]:
    max_length = model_field.max_length
    choices = {str(value) for value, _label in model_field.flatchoices} if model_field.choices else None
    extra = [v for v in model_field.validators if not isinstance(v, MaxLengthValidator)]
    upper = model_field.name == "uscc"

    def clean(value: Any) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValueError(f"{label}应为文本")
        value = value.strip()
        if upper:
            value = value.upper()
        if not value:
            if not model_field.blank:
                raise ValueError(f"缺少必填字段“{label}”")
            return ""
        if max_length and len(value) > max_length:
            raise ValueError(f"{label}超过{max_length}个字符")
        if choices is not None and value not in choices:
            raise ValueError(f"{label}的代码“{value}”不是约定的取值")
        for validator in extra:
            try:
                validator(value)
            except ValidationError as exc:
                raise ValueError(f"{label}：{_messages(exc)}") from None
        return value

    return clean


def _date_cleaner(model_field: models.Field, label: str) -> Callable[[Any], Any]:
    def clean(value: Any) -> datetime.date | None:
        if value in (None, ""):
            if not model_field.null:
                raise ValueError(f"缺少必填字段“{label}”")
            return None
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(f"{label}应为 YYYY-MM-DD 格式的日期")
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{label}“{value}”不是有效日期") from None

    return clean


def _int_cleaner(model_field: models.Field, label: str) -> Callable[[Any], Any]:
    validators = list(model_field.validators)

    def clean(value: Any) -> int | None:
        if value in (None, ""):
            if not model_field.null:
                raise ValueError(f"缺少必填字段“{label}”")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{label}应为整数")
        for validator in validators:
            try:
                validator(value)
            except ValidationError as exc:
                raise ValueError(f"{label}：{_messages(exc)}") from None
        return value

    return clean


def _decimal_cleaner(model_field: models.Field, label: str) -> Callable[[Any], Any]:
    validators = list(model_field.validators)
    quantum = Decimal(1).scaleb(-model_field.decimal_places)

    def clean(value: Any) -> Decimal | None:
        if value in (None, ""):
            if not model_field.null:
                raise ValueError(f"缺少必填字段“{label}”")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"{label}应为数字")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"{label}“{value}”不是有效数字") from None
        if not number.is_finite():
            raise ValueError(f"{label}“{value}”不是有效数字")
        for validator in validators:
            try:
                validator(number)
            except ValidationError as exc:
                raise ValueError(f"{label}：{_messages(exc)}") from None
        return number.quantize(quantum)

    return clean


def _bool_cleaner(model_field: models.Field, label: str) -> Callable[[Any], Any]:
    default = model_field.default if model_field.has_default() else None

    def clean(value: Any) -> bool | None:
        if value is None:
            if default is None and not model_field.null:
                raise ValueError(f"缺少必填字段“{label}”")
            return default
        if not isinstance(value, bool):
            raise ValueError(f"{label}应为 true 或 false")
        return value

    return clean


def _cleaner(model_field: models.Field) -> Callable[[Any], Any]:
    label = str(model_field.verbose_name)
    if isinstance(model_field, models.DecimalField):
        make = _decimal_cleaner
    elif isinstance(model_field, models.DateField):
        make = _date_cleaner
    elif isinstance(model_field, models.BooleanField):
        make = _bool_cleaner
    elif isinstance(model_field, models.IntegerField):
        make = _int_cleaner
    else:
        make = _text_cleaner
    clean = make(model_field, label)
    if model_field.has_default() and not isinstance(model_field, models.BooleanField):
        default = model_field.get_default()

        def with_default(value: Any) -> Any:
            return default if value is None else clean(value)

        return with_default
    return clean


def _cleaners(model: type[models.Model], names: tuple[str, ...]) -> list[tuple[str, Callable[[Any], Any]]]:
    return [(name, _cleaner(model._meta.get_field(name))) for name in names]


INSTITUTION_CLEANERS = _cleaners(Institution, INSTITUTION_FIELDS)
ITEM_CLEANERS = {kind.key: _cleaners(kind.model, kind.fields) for kind in ITEM_KINDS}


def _clean_values(raw: dict, cleaners: list[tuple[str, Callable[[Any], Any]]], errors: list[str], where: str):
    values: dict[str, Any] = {}
    for name, clean in cleaners:
        try:
            values[name] = clean(raw.get(name))
        except ValueError as exc:
            errors.append(f"{where}{exc}")
    return values


def _source_id(value: Any, where: str, errors: list[str]) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}缺少审批系统编号（id）")
        return ""
    value = value.strip()
    if len(value) > SOURCE_ID_MAX_LENGTH:
        errors.append(f"{where}审批系统编号超过{SOURCE_ID_MAX_LENGTH}个字符")
        return ""
    return value


def _withdrawn(value: Any, where: str, errors: list[str]) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        errors.append(f"{where}withdrawn 应为 true 或 false")
        return False
    return value


def _parse_items(kind: ItemKind, raw_items: Any, errors: list[str]) -> list[ParsedItem]:
    if raw_items is None:
        return []
    if not isinstance(raw_items, list):
        errors.append(f"{kind.label}应为列表")
        return []
    items: list[ParsedItem] = []
    seen: set[str] = set()
    for position, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, dict):
            errors.append(f"{kind.label}第{position}项格式错误")
            continue
        sid = _source_id(raw.get("id"), f"{kind.label}第{position}项", errors)
        where = f"{kind.label}（{sid or position}）"
        if sid and sid in seen:
            errors.append(f"{where}编号重复")
        seen.add(sid)
        values = _clean_values(raw, ITEM_CLEANERS[kind.key], errors, f"{where}")
        refs: dict[str, str | None] = {}
        for record_key_name, _target, attname, required in kind.refs:
            ref = raw.get(record_key_name)
            if isinstance(ref, int) and not isinstance(ref, bool):
                ref = str(ref)
            if ref in (None, ""):
                if required:
                    errors.append(f"{where}缺少 {record_key_name}")
                refs[attname] = None
            elif not isinstance(ref, str):
                errors.append(f"{where}{record_key_name} 应为文本")
                refs[attname] = None
            else:
                refs[attname] = ref.strip()
        items.append(ParsedItem(sid, values, refs, _withdrawn(raw.get("withdrawn"), where, errors)))
    return items


def _check_certificates(items: list[ParsedItem], errors: list[str]) -> None:
    numbers: set[str] = set()
    for item in items:
        number = item.values.get("number")
        if not number:
            continue
        try:
            parsed = parse_cma_number(number)
        except ValidationError as exc:
            errors.append(f"资质认定证书（{item.source_id}）证书编号“{number}”无效：{_messages(exc)}")
            continue
        if number in numbers:
            errors.append(f"资质认定证书编号“{number}”在记录中重复")
        numbers.add(number)
        item.values["authority_code"] = parsed.authority_code
        item.values["field_code"] = parsed.field_code
        item.values["department_code"] = parsed.department_code
        issued, expires = item.values.get("issued_on"), item.values.get("expires_on")
        if issued and expires and expires <= issued:
            errors.append(f"资质认定证书（{item.source_id}）有效期至应晚于发证日期")


def _check_refs(items: dict[str, list[ParsedItem]], errors: list[str]) -> None:
    ids = {key: {item.source_id for item in parsed} for key, parsed in items.items()}
    for kind in ITEM_KINDS:
        for item in items.get(kind.key, []):
            for _name, target, attname, _required in kind.refs:
                ref = item.refs.get(attname)
                if ref is not None and ref not in ids.get(target, set()):
                    errors.append(
                        f"{kind.label}（{item.source_id}）引用的{KINDS_BY_KEY[target].label}“{ref}”"
                        "不在本记录中"
                    )


def _is_mobile(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        validate_mobile(value)
    except ValidationError:
        return False
    return True


def record_parse(raw: Any, *, index: int) -> ParsedRecord:
    """Validates one record of the contract; raises RecordError listing (at most 5) problems."""
    if not isinstance(raw, dict):
        raise RecordError(["记录格式错误：应为 JSON 对象"])
    errors: list[str] = []
    sid = _source_id(raw.get("id"), "机构", errors)
    values = _clean_values(raw, INSTITUTION_CLEANERS, errors, "")
    withdrawn = _withdrawn(raw.get("withdrawn"), "机构", errors)
    items = {kind.key: _parse_items(kind, raw.get(kind.key), errors) for kind in ITEM_KINDS}
    _check_certificates(items["certificates"], errors)
    _check_refs(items, errors)
    if errors:
        shown = errors[:MAX_MESSAGES]
        if len(errors) > MAX_MESSAGES:
            shown.append(f"另有{len(errors) - MAX_MESSAGES}处问题")
        raise RecordError(shown)
    record = ParsedRecord(index=index, source_id=sid, values=values, withdrawn=withdrawn, items=items)
    legal_phone = raw.get("legal_representative_phone")
    for phone, name in (
        (values.get("contact_phone"), values.get("contact_person")),
        (
            legal_phone.strip() if isinstance(legal_phone, str) else legal_phone,
            values.get("legal_representative"),
        ),
    ):
        if _is_mobile(phone) and phone not in {p for p, _n in record.account_candidates}:
            record.account_candidates.append((phone, name or ""))
    return record
