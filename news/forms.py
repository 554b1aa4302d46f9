"""Forms of 06 新闻资讯发布: an institution's news submission (content, cover, attached files)."""

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from institutions.models import Institution
from sujt.core.forms import AttachmentFormMixin, ContentCheckedFileField, MultipleAttachmentField
from sujt.core.models import Attachment
from sujt.core.richtext import RichTextFormField

from . import services
from .choices import INSTITUTION_CATEGORIES, Category
from .models import SUMMARY_MAX_LENGTH, Article, NewsSubmission

TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
SOURCE_MAX_LENGTH = Article._meta.get_field("source").max_length


def cover_field(*, label: str, note: str = "", after: str = "") -> ContentCheckedFileField:
    """The cover upload of an article form: one image, checked by content."""
    help_text = f"{note}{services.COVER.description}；{after}"
    return ContentCheckedFileField(
        label=label, required=False, rule=services.COVER, widget=forms.FileInput, help_text=help_text
    )


def files_field(*, label: str, note: str = "") -> MultipleAttachmentField:
    """The attachments upload of an article form: several files at once, each checked by content."""
    return MultipleAttachmentField(
        label=label, required=False, rule=services.FILES, help_text=f"{note}{services.FILES.description}。"
    )


class SubmissionForm(AttachmentFormMixin, forms.Form):
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
        self.check_files_total("files", kept=len(self.existing_files) - len(data.get("remove_files") or []))
        if data.get("cover") and data.get("remove_cover"):
            # A new cover replaces the old one anyway; deleting it as well would lose the new one.
            data["remove_cover"] = False
        return data

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
