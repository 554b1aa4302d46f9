from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
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
