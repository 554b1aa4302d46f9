"""Rich text: the django-ckeditor-5 editor in forms, nh3 sanitising before anything is saved.

Only an allow-list of formatting tags survives; no `style`, no `class`, no event handlers; links may
point only to http/https/mailto and get rel="noopener noreferrer". Images are kept only when they are
files the platform itself stores and serves publicly: their src must be a plain path on this site
("/articles/3/cover/?v=7") that resolves to a view marked with `@rich_text_image_source`. Any other
image is dropped whole, so a body cannot load anything from another server (which would tell that
server who reads it, and when). The editor has no upload of its own (see sujt/urls.py).

A body is at most RICH_TEXT_MAX_LENGTH characters: the form field refuses a longer one with a field
error, and the model field refuses it in validation and again when saving; nothing is cut short.
Templates may render a RichTextField's value with `|safe` because it is sanitised on every save.

The editor (about 1.5 MB of script and 230 KB of style) is not in the page's <head>: the widget is a plain
<textarea> that works and submits without it, and its only media is static/js/richtext.js, deferred,
which fetches the editor after the page has loaded and only when such a textarea is on the page.
"""

import re
from collections.abc import Callable
from typing import Any, TypeVar

import nh3
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.widgets import Script
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import Resolver404, resolve
from django_ckeditor_5.widgets import CKEditor5Widget

# Characters, markup included: a long regulation with tables is well under 100,000.
RICH_TEXT_MAX_LENGTH = 200_000

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "a",
    "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with their content, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
# The only image sources looked at further: a path from the site's root with plain segments and an
# optional plain query. No scheme, no host, no "//" or backslash (which browsers read as a host), no
# percent-escapes, no fragment.
_IMAGE_PATH = re.compile(r"/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/?)*(?:\?[A-Za-z0-9_=&.-]*)?")
_IMAGE_SOURCE_MARK = "rich_text_image_source"

_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")

View = TypeVar("View", bound=Callable[..., HttpResponse])


def rich_text_image_source(view: View) -> View:
    """Marks a view that serves a stored file to anyone (an article's cover, an institution's logo): rich
    text may show its URLs as images. Put it outermost, above the other decorators."""
    setattr(view, _IMAGE_SOURCE_MARK, True)
    return view


def _is_platform_image(src: str) -> bool:
    if not _IMAGE_PATH.fullmatch(src):
        return False
    path = src.split("?", 1)[0]
    if any(segment in {".", ".."} for segment in path.split("/")):
        return False
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, _IMAGE_SOURCE_MARK, False)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _is_platform_image(value) else None
    if attribute in {"width", "height", "colspan", "rowspan"}:
        return value if value.isdigit() and len(value) <= 4 else None
    return value


def sanitize_html(html: str | None) -> str:
    """The HTML reduced to the allow-list; safe to render as is."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # An image whose src was refused is dropped whole (nh3's output is normalised, so this is exact).
    return _IMG_WITHOUT_SRC.sub("", cleaned).strip()


def validate_rich_text_length(value: str) -> None:
    length = len(value or "")
    if length > RICH_TEXT_MAX_LENGTH:
        raise ValidationError(
            "内容过长：最多 %(limit)s 个字符（含排版标记），当前为 %(length)s 个。请删减后再保存。",
            code="rich_text_too_long",
            params={"limit": RICH_TEXT_MAX_LENGTH, "length": length},
        )


class RichTextWidget(CKEditor5Widget):
    """django-ckeditor-5's widget, its editor loaded late: the page gets only our deferred loader, and the
    textarea carries the addresses of the editor's scripts and styles for it (data-editor-scripts,
    data-editor-styles: space-separated, in order). The markup and the editor's setup are the package's."""

    class Media:
        extend = False  # not the package's bundle, translations and styles in <head>
        js = [Script("js/richtext.js", defer=True)]

    def __init__(self, config_name: str = "default", attrs: dict[str, Any] | None = None) -> None:
        # Sized to be usable as a plain textarea until (or without) the editor.
        super().__init__(config_name, {"rows": "10", "cols": "40", **(attrs or {})})

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        editor = CKEditor5Widget.Media
        attrs = {
            **(attrs or {}),
            "data-editor-scripts": " ".join(static(path) for path in editor.js),
            "data-editor-styles": " ".join(static(path) for path in editor.css["all"]),
        }
        return super().render(name, value, attrs, renderer)


def _editor_widget() -> forms.Widget:
    return RichTextWidget(config_name="default")


class RichTextFormField(forms.CharField):
    """A form field that edits with CKEditor 5 and hands back sanitised HTML.

    The length is checked on what was submitted, before sanitising, so that an oversized body costs
    no more than reading it."""

    default_validators = [validate_rich_text_length]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _editor_widget())
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        return sanitize_html(super().clean(value))


class RichTextField(models.TextField):
    """A TextField whose HTML is sanitised every time it is saved, and never longer than the cap."""

    # A class attribute rather than a `validators` argument, so that migrations do not record it.
    default_validators = [validate_rich_text_length]

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = sanitize_html(getattr(model_instance, self.attname))
        try:
            validate_rich_text_length(value)
        except ValidationError as error:
            # A caller that skipped full_clean() still cannot store it.
            raise ValidationError({self.attname: error.error_list}) from None
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs: Any) -> forms.Field:
        defaults = {"form_class": RichTextFormField, "widget": _editor_widget()}
        defaults.update(kwargs)
        # The admin passes its own Textarea widget for TextFields; the editor replaces it.
        widget = defaults.get("widget")
        widget_class = widget if isinstance(widget, type) else type(widget)
        if issubclass(widget_class, forms.Textarea):
            defaults["widget"] = _editor_widget()
        return super().formfield(**defaults)


def editor_upload_refused(request: HttpRequest) -> HttpResponse:
    """The address the editor widget is given for image uploads: it takes none. Files reach the platform
    only through the content-checked attachment forms, never under a name the client chose."""
    raise Http404("the editor does not upload files")
