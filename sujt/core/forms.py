from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, models
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

from .attachments import AttachmentRule, accept_attribute, detect_upload, human_size, sanitize_filename
from .choices import AttachmentKind


def _content_checked(file: UploadedFile, *, kinds: Iterable[str], max_bytes: int | None) -> UploadedFile:
    """The file, checked by content and size, carrying `detected_kind` and `detected_mime_type`."""
    file.detected_kind, file.detected_mime_type = detect_upload(file, kinds=kinds, max_bytes=max_bytes)
    return file


def _default_help(rule: AttachmentRule | None, kwargs: dict[str, Any]) -> None:
    if rule is not None:
        kwargs.setdefault("help_text", f"{rule.description}。")


class ContentCheckedFileField(forms.FileField):
    """A file field that accepts only the given kinds, checked by content, within the size limit.

    Give it the `rule` its service stores the file by (kinds, size limit; the help text defaults to the
    rule's description), or `kinds` and `max_bytes` for a file that is read but not stored (an import).
    The `accept` attribute comes from the kinds. The cleaned file carries `detected_kind` and
    `detected_mime_type`.
    """

    def __init__(
        self,
        *args: Any,
        kinds: Iterable[str] = (),
        max_bytes: int | None = None,
        rule: AttachmentRule | None = None,
        **kwargs: Any,
    ) -> None:
        if rule is not None:
            kinds, max_bytes = rule.kinds, rule.max_bytes
        self.kinds = [AttachmentKind(kind) for kind in kinds]
        if not self.kinds:
            raise ValueError("ContentCheckedFileField needs a rule or kinds")
        self.max_bytes = max_bytes
        _default_help(rule, kwargs)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", accept_attribute(self.kinds))

    def clean(self, data: Any, initial: Any = None) -> Any:
        file = super().clean(data, initial)
        if isinstance(file, UploadedFile):
            _content_checked(file, kinds=self.kinds, max_bytes=self.max_bytes)
        return file


class MultipleFileInput(forms.FileInput):
    """A file input that lets the user pick several files (Django refuses `multiple` otherwise)."""

    allow_multiple_selected = True


class MultipleAttachmentField(forms.FileField):
    """Several files in one input, by an AttachmentRule; cleans to a list of files (maybe empty).

    At most `rule.max_files` files may be chosen at once, together within `rule.max_total_bytes`; each one
    goes through FileField's own checks and then the content check, and an error names the file it is
    about. The `accept` attribute comes from the rule's kinds; the help text defaults to its description.
    A form whose owner already holds files checks the total with `AttachmentFormMixin.check_files_total`.
    """

    widget = MultipleFileInput
    default_error_messages = {
        "too_many": _("%(noun)s最多 %(max)s %(unit)s，本次选择了 %(count)s %(unit)s，请减少后再上传。"),
        "too_large_in_total": _("所选%(noun)s合计 %(size)s，超过了 %(limit)s 的上限，请分几次上传。"),
        "too_many_in_total": _(
            "%(noun)s合计最多 %(max)s %(unit)s：已有 %(kept)s %(unit)s，本次又选择了 %(added)s %(unit)s。"
            "请先勾选删除部分已上传的%(noun)s，或减少本次选择的文件。"
        ),
    }

    def __init__(self, *, rule: AttachmentRule, **kwargs: Any) -> None:
        self.rule = rule
        _default_help(rule, kwargs)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", rule.accept)

    def limit_error(self, code: str, **params: Any) -> ValidationError:
        params.update(noun=self.rule.noun, unit=self.rule.unit, max=self.rule.max_files)
        return ValidationError(self.error_messages[code], code=code, params=params)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        rule = self.rule
        if len(uploads) > rule.max_files:
            raise self.limit_error("too_many", count=len(uploads))
        total = sum(getattr(upload, "size", 0) or 0 for upload in uploads)
        if rule.max_total_bytes and total > rule.max_total_bytes:
            raise self.limit_error(
                "too_large_in_total", size=human_size(total), limit=human_size(rule.max_total_bytes)
            )
        cleaned: list[UploadedFile] = []
        errors: list[str] = []
        for upload in uploads:
            try:
                file = super().clean(upload, initial)
                cleaned.append(_content_checked(file, kinds=rule.kinds, max_bytes=rule.max_bytes))
            except ValidationError as error:
                name = sanitize_filename(getattr(upload, "name", ""))
                errors.extend(f"「{name}」：{message}" for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class AttachmentFormMixin:
    """For a form with file fields (put it before the form class)."""

    @property
    def choose_again(self) -> dict[str, bool]:
        """{file field: True} for files accepted in a submission that failed elsewhere: they were not
        stored, and browsers never refill a file input, so the user must choose them again."""
        if not self.is_bound or not self.errors:
            return {}
        return {
            name: True
            for name, field in self.fields.items()
            if isinstance(field, forms.FileField) and self.files.get(name) and name not in self.errors
        }

    def check_files_total(self, name: str, *, kept: int) -> None:
        """From `clean()`: an error on the MultipleAttachmentField `name` when the `kept` files the owner
        already holds and the ones chosen now exceed its rule's `max_files`."""
        if name in self.errors:
            return
        field = self.fields[name]
        added = len(self.cleaned_data.get(name) or [])
        if kept + added > field.rule.max_files:
            self.add_error(name, field.limit_error("too_many_in_total", kept=kept, added=added))


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


def service_errors_add(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError onto the form that fed it: per field where it names one of the form's
    fields, otherwise for the whole form, so the page re-renders with the reason next to what to fix."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
