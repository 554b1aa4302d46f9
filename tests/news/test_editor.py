"""The rich-text editor on the news forms: it renders, and it offers no way to upload an image."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from news.models import NewsSubmission
from tests.core.samples import png_bytes, upload


@pytest.mark.parametrize(
    ("who", "url_name"),
    [("province_regulator", "admin:news_article_add"), ("inst_admin", "news:submission_add")],
)
def test_the_news_forms_render_the_editor_whose_upload_address_stores_nothing(
    client_for, settings, who, url_name
):
    client = client_for(who)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<textarea[^>]*name="body"[^>]*class="django_ckeditor_5"', html) or re.search(
        r'<textarea[^>]*class="django_ckeditor_5"[^>]*name="body"', html
    )
    # The editor is fetched by the deferred loader once the page has loaded, in admin too.
    assert "django_ckeditor_5/dist/bundle.js" in html
    head = html.split("</head>", 1)[0]
    assert "ckeditor" not in head
    assert '<script src="/static/js/richtext.js" defer></script>' in head
    upload_url = re.search(r'data-upload-url="([^"]+)"', html)[1]
    answer = client.post(upload_url, {"upload": upload("图.png", png_bytes((20, 20)), "image/png")})
    assert answer.status_code == 404
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*"))


def test_a_ten_megabyte_body_is_a_field_error_and_nothing_is_saved(client_for, submission_data):
    body = "<p>" + "正文" * 5_000_000 + "</p>"
    response = client_for("inst_admin").post(reverse("news:submission_add"), submission_data(body=body))
    assert response.status_code == 200
    (message,) = response.context["form"].errors["body"]
    assert "过长" in message
    assert message in response.content.decode()
    assert not NewsSubmission.objects.exists()


def test_a_pasted_outside_image_is_not_kept_but_a_platform_cover_is(client_for, submission_data):
    body = (
        '<p>活动现场<img src="https://tracker.example.cn/p.png?who=1"></p>'
        '<p><img src="/articles/8/cover/?v=3" alt="往期封面"></p>'
    )
    client_for("inst_admin").post(reverse("news:submission_add"), submission_data(body=body))
    assert (
        NewsSubmission.objects.get().body
        == '<p>活动现场</p><p><img src="/articles/8/cover/?v=3" alt="往期封面"></p>'
    )
