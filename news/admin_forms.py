"""The regulators' admin forms for portal articles (06 新闻资讯发布).

Admin does not save these forms with `ModelForm.save()`: once a form is valid it hands its values to a
service (`services.article_save`, `services.article_flags_set`) inside its own validation, so a refusal
the service can only make after storing the uploads (a 成果展 article without a cover, too many files, a
state changed meanwhile) comes back as an error on the re-rendered form, with nothing saved. `save()`
then only returns the stored article; ArticleAdmin's `save_model` does nothing.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html

from institutions.models import Institution
from sujt.core.admin_forms import ServiceSavedModelForm
from sujt.core.attachments import attachments_of, human_size
from sujt.core.choices import ReviewStatus
from sujt.core.models import Attachment
from sujt.core.scoping import in_scope

from . import services
from .choices import grouped_category_choices
from .forms import cover_field, files_field, has_text_or_image
from .models import FILE_PURPOSE, Article

PUBLISH_DRAFT = "draft"
PUBLISH_NOW = "publish"


def is_draft(article: Article | None) -> bool:
    """A new article or a draft: the form offers 发布方式."""
    return article is None or article.pk is None or article.status == ReviewStatus.DRAFT


def has_cover(article: Article | None) -> bool:
    return article is not None and article.pk is not None and article.cover_id is not None


def existing_files(article: Article | None) -> list[Attachment]:
    """The article's attached files, read once per request (the admin asks for fieldsets and the form)."""
    if article is None or article.pk is None:
        return []
    cached = getattr(article, "_admin_files", None)
    if cached is None:
        cached = list(attachments_of(article, purpose=FILE_PURPOSE))
        article._admin_files = cached
    return cached


class ArticleAdminForm(ServiceSavedModelForm):
    """新建 / 修改监管部门发布的文章, with its cover and files; 发布方式 while it is a draft."""

    category = forms.ChoiceField(
        label="栏目",
        choices=[("", "请选择栏目"), *grouped_category_choices()],
        error_messages={"required": "请选择栏目。", "invalid_choice": "请选择栏目。"},
    )
    cover_upload = cover_field(
        label="上传封面图片", after="上传新图片即替换原封面。设为成果展的文章必须有封面。"
    )
    remove_cover = forms.BooleanField(label="删除封面", required=False)
    files = files_field(label="上传附件")
    remove_files = forms.TypedMultipleChoiceField(
        label="删除已上传的附件", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    publish_mode = forms.ChoiceField(
        label="发布方式",
        choices=[(PUBLISH_DRAFT, "保存为草稿"), (PUBLISH_NOW, "发布")],
        initial=PUBLISH_DRAFT,
        widget=forms.RadioSelect,
        help_text="选择“发布”后，发布时间为空则立即在门户显示，晚于当前时间则到时显示（定时发布）。",
    )

    class Meta:
        model = Article
        fields = (
            "category",
            "title",
            "summary",
            "body",
            "source",
            "published_at",
            "is_pinned",
            "is_showcase",
            "related_institution",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        article = self.instance
        if not has_cover(article):
            self.fields.pop("remove_cover", None)
        if not is_draft(article):
            self.fields.pop("publish_mode", None)
        files = existing_files(article)
        if files:
            self.fields["remove_files"].choices = [(a.pk, _file_label(a)) for a in files]
        else:
            self.fields.pop("remove_files", None)
        if "body" in self.fields:
            self.fields["body"].error_messages["required"] = "请填写正文。"
        if "title" in self.fields:
            self.fields["title"].error_messages["required"] = "请填写标题。"
        if "published_at" in self.fields:
            self.fields["published_at"].help_text = (
                "晚于当前时间则到时自动在门户显示（定时发布）。"
                "留空：草稿在发布时取当前时间，已发布的文章保持原发布时间。"
            )

    def clean_published_at(self) -> Any:
        value = self.cleaned_data.get("published_at")
        if value is None and not is_draft(self.instance):
            # An article on the portal keeps its place in the timeline when the field is left empty.
            return self.instance.published_at
        return value

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body or not has_text_or_image(body):
            raise ValidationError("请填写正文。", code="required")
        return body

    def store(self) -> None:
        data = self.cleaned_data
        services.article_save(
            article=self.instance,
            by=self.saved_by,
            publish=data.get("publish_mode") == PUBLISH_NOW,
            cover=data.get("cover_upload") or None,
            remove_cover=bool(data.get("remove_cover")),
            files=data.get("files") or [],
            remove_file_ids=data.get("remove_files") or [],
        )


def _file_label(attachment: Attachment) -> str:
    return format_html(
        '<a href="{}">{}</a>（{}，{}）',
        reverse("core:attachment_download", args=[attachment.pk]),
        attachment.original_name,
        attachment.get_kind_display(),
        human_size(attachment.size),
    )


class InstitutionNewsFlagsForm(ServiceSavedModelForm):
    """An institution's published news in ArticleAdmin: the content is the institution's; regulators
    only pin it or feature it (成果展)."""

    class Meta:
        model = Article
        fields = ("is_pinned", "is_showcase")

    def store(self) -> None:
        services.article_flags_set(
            article=self.instance,
            by=self.saved_by,
            is_pinned=self.cleaned_data["is_pinned"],
            is_showcase=self.cleaned_data["is_showcase"],
        )


class TakeDownForm(forms.Form):
    """下线所选: the reason, required (it is kept on the article and in its history)."""

    reason = forms.CharField(
        label="下线原因",
        max_length=services.TAKE_DOWN_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "请填写下线原因。"},
        help_text=f"必填，不超过 {services.TAKE_DOWN_REASON_MAX} 字；记录在文章的修改历史中。",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("请填写下线原因。", code="required")
        return reason


def institutions_in_scope(scope: str | None) -> QuerySet[Institution]:
    """Institutions a regulator may name as 涉及机构: those of their jurisdiction (all for the province)."""
    return in_scope(Institution.objects.all(), scope, "region_code")
