"""Forms of 06 新闻资讯发布: an institution's news submission (content, cover, attached files)."""

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from institutions.models import Institution
from sujt.core.attachments import detect_upload
from sujt.core.choices import AttachmentKind
from sujt.core.forms import ContentCheckedFileField
from sujt.core.models import Attachment
from sujt.core.richtext import RichTextFormField

from . import services
from .choices import INSTITUTION_CATEGORIES, Category
from .models import SUMMARY_MAX_LENGTH, Article, NewsSubmission

TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
SOURCE_MAX_LENGTH = Article._meta.get_field("source").max_length
MEGABYTE = 1024 * 1024

# The names of the form's file inputs: a browser never refills them after a failed submission.
FILE_FIELDS = ("cover", "files")


class MultipleFileInput(forms.FileInput):
    """A file input that lets the user pick several files (Django refuses `multiple` otherwise)."""

    allow_multiple_selected = True


class ContentCheckedFilesField(forms.FileField):
    """Several files in one input, each checked by content and size; cleans to a list (maybe empty).

    Django's FileField validates one file; here every file goes through FileField's own checks and then
    `detect_upload`, so a renamed text file is refused whichever position it has in the selection.
    """

    def __init__(self, *, kinds: Iterable[str], max_bytes: int, max_files: int, **kwargs: Any) -> None:
        self.kinds = [AttachmentKind(kind) for kind in kinds]
        self.max_bytes = max_bytes
        self.max_files = max_files
        accept = {
            AttachmentKind.IMAGE: "image/*",
            AttachmentKind.PDF: ".pdf,application/pdf",
            AttachmentKind.XLSX: ".xlsx",
            AttachmentKind.DOCX: ".docx",
        }
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(accept[kind] for kind in self.kinds)})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                f"附件最多 {self.max_files} 个，本次选择了 {len(uploads)} 个，请减少后再上传。",
                code="too_many",
            )
        cleaned: list[UploadedFile] = []
        errors: list[str] = []
        for upload in uploads:
            upload = super().clean(upload, initial)
            try:
                detect_upload(upload, kinds=self.kinds, max_bytes=self.max_bytes)
            except ValidationError as error:
                errors.extend(f"「{upload.name}」：{message}" for message in error.messages)
            else:
                cleaned.append(upload)
        if errors:
            raise ValidationError(errors)
        return cleaned


def cover_field(*, label: str, note: str = "", after: str = "") -> ContentCheckedFileField:
    """The cover upload of an article form: one image, checked by content."""
    return ContentCheckedFileField(
        label=label,
        required=False,
        kinds=services.COVER_KINDS,
        max_bytes=services.COVER_MAX_BYTES,
        widget=forms.FileInput,
        help_text=f"{note}jpg、png 等图片，不超过 {services.COVER_MAX_BYTES // MEGABYTE} MB；{after}",
    )


def files_field(*, label: str, note: str = "") -> ContentCheckedFilesField:
    """The attachments upload of an article form: several files at once, each checked by content."""
    return ContentCheckedFilesField(
        label=label,
        required=False,
        kinds=services.FILE_KINDS,
        max_bytes=services.FILE_MAX_BYTES,
        max_files=services.MAX_FILES,
        help_text=(
            f"{note}PDF、图片、Word（docx）或 Excel（xlsx），"
            f"每个不超过 {services.FILE_MAX_BYTES // MEGABYTE} MB，"
            f"合计最多 {services.MAX_FILES} 个。可一次选择多个文件。"
        ),
    )


class SubmissionForm(forms.Form):
    """新建 / 修改新闻投稿. On a change, the current cover may be deleted and attached files removed.

    What to do with it (保存草稿 or 提交审核) is the button pressed, not a field: see the view.
    """

    category = forms.ChoiceField(
        label="栏目",
        choices=[("", "请选择栏目"), *((c, Category(c).label) for c in INSTITUTION_CATEGORIES)],
        error_messages={
            "required": "请选择栏目。",
            "invalid_choice": "机构只能在机构风采、行业动态栏目投稿。",
        },
    )
    title = forms.CharField(
        label="标题",
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": "请填写标题。"},
    )
    summary = forms.CharField(
        label="摘要",
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"选填，不超过 {SUMMARY_MAX_LENGTH} 字，显示在门户的文章列表中。",
    )
    body = RichTextFormField(label="正文", error_messages={"required": "请填写正文。"})
    source = forms.CharField(label="来源", required=False, max_length=SOURCE_MAX_LENGTH)
    cover = cover_field(label="封面图片", note="选填。", after="在门户的列表和首页中显示。")
    remove_cover = forms.BooleanField(label="删除封面", required=False)
    files = files_field(label="附件", note="选填。")
    remove_files = forms.TypedMultipleChoiceField(
        label="删除已上传的附件", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        institution: Institution,
        submission: NewsSubmission | None = None,
        existing_files: Iterable[Attachment] = (),
        **kwargs: Any,
    ) -> None:
        if submission is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(submission, name) for name in services.CONTENT_FIELDS}
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.submission = submission
        self.existing_files = list(existing_files)
        self.fields["source"].widget.attrs["placeholder"] = f"留空则显示本机构名称：{institution.name}"
        self.fields["source"].help_text = "选填。转载或引用其他单位的稿件时填写原作者单位。"
        if submission is None or not submission.cover_id:
            del self.fields["remove_cover"]
        self.fields["remove_files"].choices = [(a.pk, a.original_name) for a in self.existing_files]
        if not self.existing_files:
            del self.fields["remove_files"]

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean_body(self) -> str:
        # What is left after sanitising: a body of nothing but script or markup is no body.
        body = self.cleaned_data["body"]
        if not body or not has_text_or_image(body):
            raise ValidationError("请填写正文。", code="required")
        return body

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "files" not in self.errors:
            kept = len(self.existing_files) - len(data.get("remove_files") or [])
            added = len(data.get("files") or [])
            if kept + added > services.MAX_FILES:
                self.add_error(
                    "files",
                    f"附件合计最多 {services.MAX_FILES} 个：已有 {kept} 个，本次又选择了 {added} 个。"
                    "请先勾选删除部分已上传的附件，或减少本次选择的文件。",
                )
        if data.get("cover") and data.get("remove_cover"):
            # A new cover replaces the old one anyway; deleting it as well would lose the new one.
            data["remove_cover"] = False
        return data

    @property
    def choose_again(self) -> dict[str, bool]:
        """{file field: True} for files accepted in a submission that failed elsewhere: they were not
        stored and the browser has forgotten them, so the user must choose them again."""
        if not self.is_bound or not self.errors:
            return {}
        return {name: True for name in FILE_FIELDS if self.files.get(name) and name not in self.errors}

    def save_kwargs(self) -> dict[str, Any]:
        """The cleaned values as `services.submission_save` takes them."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "title": data["title"],
            "summary": data["summary"],
            "body": data["body"],
            "source": data["source"],
            "cover": data.get("cover") or None,
            "remove_cover": bool(data.get("remove_cover")),
            "files": data.get("files") or [],
            "remove_file_ids": data.get("remove_files") or [],
        }


def has_text_or_image(html: str) -> bool:
    return bool(re.sub(r"<[^>]+>|&nbsp;|\s", "", html)) or "<img" in html
