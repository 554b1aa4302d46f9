import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django_ckeditor_5.widgets import CKEditor5Widget

from sujt.core.richtext import RICH_TEXT_MAX_LENGTH, RichTextFormField, RichTextWidget, sanitize_html
from tests.core.samples import png_bytes, upload
from tests.core.workflow_app.models import Submission


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>你好</p><script>alert('xss')</script>", "<p>你好</p>"),
        ('<img src="/articles/3/cover/?v=7" onerror="alert(1)">', '<img src="/articles/3/cover/?v=7">'),
        ('<a href="javascript:alert(1)">点我</a>', '<a rel="noopener noreferrer">点我</a>'),
        ('<a href="JaVaScRiPt:alert(1)">点我</a>', '<a rel="noopener noreferrer">点我</a>'),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<p style="color:red" class="lead" onclick="steal()">正文</p>', "<p>正文</p>"),
        ('<img src="javascript:alert(1)">', ""),
        ('<img src="mailto:a@b.cn">', ""),
        ('<img src="data:image/png;base64,AAAA">', ""),
        ("<iframe src='https://evil.example'></iframe><p>后</p>", "<p>后</p>"),
        ("<style>p{display:none}</style><p>正文</p>", "<p>正文</p>"),
        ("<svg onload=alert(1)><circle/></svg>正文", "正文"),
        ("<!-- 注释 --><p>正文</p>", "<p>正文</p>"),
        ('<h1>大标题</h1><div><span style="x">文字</span></div>', "大标题文字"),
        ('<td colspan="2" onmouseover="x()">格</td>', "格"),
        ("<form action='/x'><input name='a'></form>", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_dangerous_markup_is_removed(dirty, clean):
    assert sanitize_html(dirty) == clean


def test_safe_formatting_is_kept():
    html = (
        "<h2>通知</h2><h3>一、背景</h3><h4>（一）</h4>"
        "<p><strong>加粗</strong><b>b</b><em>斜体</em><i>i</i><u>下划线</u><s>删除</s><br>换行</p>"
        "<ul><li>甲</li></ul><ol><li>乙</li></ol><blockquote>引用</blockquote>"
        '<figure><table><thead><tr><th colspan="2">表头</th></tr></thead>'
        '<tbody><tr><td rowspan="2">格</td></tr></tbody></table><figcaption>表 1</figcaption></figure>'
        '<p><img src="/articles/3/cover/?v=7" alt="封面" width="120" height="40"></p>'
    )
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "src",
    [
        "/articles/3/cover/",
        "/articles/3/cover/?v=7",
        "/articles/3/files/12/",
    ],
)
def test_images_the_platform_serves_as_public_files_are_kept(src):
    assert sanitize_html(f'<p>前<img src="{src}" alt="图">后</p>') == f'<p>前<img src="{src}" alt="图">后</p>'


@pytest.mark.parametrize(
    "src",
    [
        "https://tracker.example.cn/pixel.png?reader=1",  # an outside server would learn who reads
        "http://img.example.cn/a.png",
        "//tracker.example.cn/pixel.png",
        "/\\tracker.example.cn/pixel.png",  # browsers read "/\\" as "//"
        "articles/3/cover/",  # relative to wherever the text is shown
        " /articles/3/cover/",
        "/articles/3/cover/?v=7#x",
        "/articles/3/cover/../../../accounts/login/",
        "/articles/3/%63over/",
        "/accounts/login/",  # served by the platform, but not a stored file
        "/files/5/",  # a stored file, but private
        "/no/such/page/",
        "data:image/png;base64,AAAA",
    ],
)
def test_images_from_anywhere_else_are_dropped(src):
    assert sanitize_html(f'<p>前<img src="{src}" alt="图">后</p>') == "<p>前后</p>"


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        ("https://www.example.cn/a?b=1", True),
        ("http://www.example.cn/", True),
        ("mailto:office@example.cn", True),
        ("ftp://example.cn/x", False),
        ("vbscript:msgbox(1)", False),
    ],
)
def test_links_keep_only_allowed_schemes_and_get_rel(href, kept):
    cleaned = sanitize_html(f'<a href="{href}" target="_blank" title="说明">链接</a>')
    assert ('href="' in cleaned) is kept
    assert 'rel="noopener noreferrer"' in cleaned
    assert 'title="说明"' in cleaned
    assert "target" not in cleaned


def test_table_cell_spans_must_be_numbers():
    assert sanitize_html('<table><tbody><tr><td colspan="2;x">a</td></tr></tbody></table>') == (
        "<table><tbody><tr><td>a</td></tr></tbody></table>"
    )


@pytest.mark.django_db
def test_model_field_sanitises_on_every_save(make_submission):
    submission = make_submission(note='<p onclick="x()">说明</p><script>alert(1)</script>')
    assert submission.note == "<p>说明</p>"
    submission.note = '<a href="javascript:alert(1)">x</a>'
    submission.save()
    submission.refresh_from_db()
    assert submission.note == '<a rel="noopener noreferrer">x</a>'


def test_model_field_edits_with_the_ckeditor_widget_even_in_admin():
    field = Submission._meta.get_field("note")
    form_field = field.formfield()
    assert isinstance(form_field, RichTextFormField)
    assert isinstance(form_field.widget, CKEditor5Widget)
    admin_field = field.formfield(widget=AdminTextareaWidget)
    assert isinstance(admin_field.widget, CKEditor5Widget)
    assert isinstance(form_field.widget, RichTextWidget) and isinstance(admin_field.widget, RichTextWidget)


def test_form_field_sanitises_in_clean():
    class NewsForm(forms.Form):
        body = RichTextFormField(label="正文")

    form = NewsForm(data={"body": '<p>正文<img src=x onerror="alert(1)"></p><a href="javascript:x">x</a>'})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == '<p>正文</p><a rel="noopener noreferrer">x</a>'
    assert isinstance(form.fields["body"].widget, CKEditor5Widget)


# --- The editor is fetched late, and only where it is used -----------------------------------------

_TAG = re.compile(r"<(script|link)\b[^>]*>", re.IGNORECASE)


def _head(html: str) -> str:
    return html.split("</head>", 1)[0]


def _blocking_editor_assets(html: str) -> list[str]:
    """<script src> without defer/async and stylesheets that belong to the editor."""
    return [
        tag
        for tag in (match[0] for match in _TAG.finditer(html))
        if "ckeditor" in tag.lower()
        and (tag.lower().startswith("<link") or not re.search(r"\s(defer|async)\b", tag, re.IGNORECASE))
    ]


def test_the_widget_brings_only_the_deferred_loader_and_points_its_textarea_at_the_editor():
    class NewsForm(forms.Form):
        body = RichTextFormField(label="正文")

    form = NewsForm(initial={"body": "<p>正文</p>"})
    assert str(form.media) == '<script src="/static/js/richtext.js" defer></script>'
    textarea = re.search(r"<textarea[^>]*>", str(form["body"]))[0]
    assert 'class="django_ckeditor_5"' in textarea and 'rows="10"' in textarea
    assert (
        'data-editor-scripts="/static/django_ckeditor_5/dist/bundle.js'
        ' /static/django_ckeditor_5/dist/translations/zh-cn.js"' in textarea
    )
    assert 'data-editor-styles="/static/django_ckeditor_5/dist/styles.css"' in textarea
    assert (Path(__file__).parents[2] / "static/js/richtext.js").is_file()


def test_the_profile_form_has_a_plain_textarea_and_no_editor_asset_blocking_the_head(client_for):
    html = client_for("inst_admin").get(reverse("institutions:profile_edit")).content.decode()
    head = _head(html)
    assert _blocking_editor_assets(html) == []
    assert "ckeditor" not in head
    assert re.search(r'<script src="/static/js/richtext\.js" defer></script>', head)
    textarea = re.search(r'<textarea[^>]*name="business_scope"[^>]*>', html)[0]
    assert "data-editor-scripts=" in textarea


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("inst_admin", "portal:dashboard"),
        ("inst_admin", "institutions:overview"),
        ("superuser", "admin:index"),
    ],
)
def test_pages_without_a_rich_text_field_do_not_reference_the_editor(client_for, who, url_name):
    response = client_for(who).get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ckeditor" not in html and "richtext.js" not in html


# --- No uploads through the editor ----------------------------------------------------------------

EDITOR_UPLOAD_URL = "/ckeditor5/image_upload/"


@pytest.mark.parametrize("who", ["city_regulator", "province_regulator", "superuser", "inst_admin"])
def test_the_editors_image_upload_address_refuses_everyone_and_stores_nothing(client_for, settings, who):
    picture = upload("../../公开.png", png_bytes((40, 30)), "image/png")
    response = client_for(who).post(EDITOR_UPLOAD_URL, {"upload": picture})
    assert response.status_code == 404
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*"))


def test_the_editor_is_configured_without_an_upload_adapter(settings):
    removed = set(settings.CKEDITOR_5_CONFIGS["default"].get("removePlugins", ()))
    assert {"SimpleUploadAdapter", "CKFinderUploadAdapter"} <= removed


# --- Length ---------------------------------------------------------------------------------------


def _body(length: int) -> str:
    return "<p>" + "字" * (length - 7) + "</p>"


class BodyForm(forms.Form):
    body = RichTextFormField(label="正文")


def test_the_form_field_takes_a_body_up_to_the_cap():
    form = BodyForm(data={"body": _body(RICH_TEXT_MAX_LENGTH)})
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["body"]) == RICH_TEXT_MAX_LENGTH


def test_the_form_field_refuses_a_longer_body_with_a_chinese_error_and_does_not_truncate_it():
    form = BodyForm(data={"body": _body(RICH_TEXT_MAX_LENGTH + 1)})
    assert not form.is_valid()
    (message,) = form.errors["body"]
    assert f"{RICH_TEXT_MAX_LENGTH}" in message and f"{RICH_TEXT_MAX_LENGTH + 1}" in message
    assert "过长" in message


@pytest.mark.django_db
def test_the_model_field_refuses_a_longer_body_in_validation_and_on_save(make_submission):
    submission = make_submission(note="<p>原文</p>")
    submission.note = _body(RICH_TEXT_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as caught:
        submission.full_clean()
    assert "过长" in caught.value.message_dict["note"][0]
    with pytest.raises(ValidationError), transaction.atomic():
        submission.save()
    submission.refresh_from_db()
    assert submission.note == "<p>原文</p>"
