from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, models
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

from .attachments import detect_upload
from .choices import AttachmentKind


class ContentCheckedFileField(forms.FileField):
    """A file field that accepts only the given kinds, checked by content, within the size limit.

    The cleaned file carries `detected_kind` and `detected_mime_type` for the service that stores it.
    """

    def __init__(self, *args: Any, kinds: Iterable[str], max_bytes: int | None = None, **kwargs: Any) -> None:
        self.kinds = [AttachmentKind(kind) for kind in kinds]
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)
        accept = {
            AttachmentKind.IMAGE: "image/*",
            AttachmentKind.PDF: ".pdf,application/pdf",
            AttachmentKind.XLSX: ".xlsx",
            AttachmentKind.DOCX: ".docx",
        }
        self.widget.attrs.setdefault("accept", ",".join(accept[kind] for kind in self.kinds))

    def clean(self, data: Any, initial: Any = None) -> Any:
        file = super().clean(data, initial)
        if isinstance(file, UploadedFile):
            kind, mime_type = detect_upload(file, kinds=self.kinds, max_bytes=self.max_bytes)
            file.detected_kind = kind
            file.detected_mime_type = mime_type
        return file


class ReviewCommentForm(forms.Form):
    """The reviewer's comment on the admin's review confirmation page."""

    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    def __init__(self, *args: Any, comment_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.comment_required = comment_required
        self.fields["comment"].required = comment_required
        if comment_required:
            self.fields["comment"].error_messages["required"] = _(
                "请填写审核意见，说明退回或不予通过的原因。"
            )
            self.fields["comment"].help_text = _("必填：机构将看到这条意见。")
        else:
            self.fields["comment"].help_text = _("选填：机构将看到这条意见。")

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if self.comment_required and not comment:
            raise forms.ValidationError(self.fields["comment"].error_messages["required"], code="required")
        return comment


def _as_integer(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _in_range(target: Any, number: int, *, using: str) -> bool:
    """Whether the integer column `target` can hold `number` on database `using`."""
    low, high = connections[using].ops.integer_field_range(target.get_internal_type())
    return (low is None or number >= low) and (high is None or number <= high)


def _integer_target(field: Any) -> Any:
    """The integer column a (possibly relational) field compares against, or None."""
    while field is not None and field.is_relation:
        field = getattr(field, "target_field", None)
    return field if isinstance(field, models.IntegerField) else None


def integers_in_range(model: type[models.Model], path: str, value: str) -> bool:
    """For an admin list's `<path>__in=<a,b,c>` lookup: False when `path` ends at an integer column and
    one of the comma-separated values is an integer it cannot hold; True otherwise (Django's admin
    refuses what is no integer at all by itself)."""
    field, current = None, model
    for part in path.split(LOOKUP_SEP):
        if current is None:
            return True
        try:
            field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        except FieldDoesNotExist:
            return True
        current = field.related_model if field.is_relation else None
    target = _integer_target(field)
    if target is None:
        return True
    using = model._default_manager.db
    numbers = [_as_integer(item) for item in str(value).split(",")]
    return all(_in_range(target, number, using=using) for number in numbers if number is not None)


def is_possible_key(field: forms.ModelChoiceField, value: Any) -> bool:
    """Whether `value` could be the key of a row of the field's queryset: for an integer key, a whole
    number within the range of that column on this database.

    A value that cannot ("abc", thirty digits) must not reach a query: Django's exact lookups cope, but
    the `IN` queries of a multiple choice and of the admin's autocomplete widget (which renders the posted
    value back) raise ValueError, or OverflowError on SQLite.
    """
    if value in field.empty_values or isinstance(value, models.Model):
        return True
    opts = field.queryset.model._meta
    # A one-to-one primary key compares as the key of the row it points to.
    target = _integer_target(opts.get_field(field.to_field_name) if field.to_field_name else opts.pk)
    if target is None:
        return True
    number = _as_integer(value)
    return number is not None and _in_range(target, number, using=field.queryset.db)


class KeyCheckedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField where a posted value no key can be is an invalid choice (a form error), and is
    not rendered back into the widget."""

    def to_python(self, value: Any) -> Any:
        if not is_possible_key(self, value):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return super().to_python(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        data = super().bound_data(data, initial)
        return data if is_possible_key(self, data) else None


class KeyCheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The multiple-choice counterpart of KeyCheckedModelChoiceField."""

    def _check_values(self, value: Any) -> Any:
        for key in value:
            if not is_possible_key(self, key):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                )
        return super()._check_values(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        data = super().bound_data(data, initial)
        if isinstance(data, (list, tuple)):
            return [key for key in data if is_possible_key(self, key)]
        return data
