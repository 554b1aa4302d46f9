"""Rich text: the django-ckeditor-5 editor in forms, nh3 sanitising before anything is saved.

Only an allow-list of formatting tags survives; no `style`, no `class`, no event handlers; links and
images may point only to http/https (links also to mailto), and links get rel="noopener noreferrer".
Templates may render a RichTextField's value with `|safe` because it is sanitised on every save.
"""

import re
from typing import Any

import nh3
from django import forms
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

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


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        # Images only from http(s): no data:, no mailto:, no relative paths guessing at our own URLs.
        return value if value.lower().startswith(("http://", "https://")) else None
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


def _editor_widget() -> forms.Widget:
    from django_ckeditor_5.widgets import CKEditor5Widget

    return CKEditor5Widget(config_name="default")


class RichTextFormField(forms.CharField):
    """A form field that edits with CKEditor 5 and hands back sanitised HTML."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _editor_widget())
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        return sanitize_html(super().clean(value))


class RichTextField(models.TextField):
    """A TextField whose HTML is sanitised every time it is saved."""

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = sanitize_html(getattr(model_instance, self.attname))
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
