"""The rich-text editor on the news forms: it renders, and it offers no way to upload an image."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

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
    assert "django_ckeditor_5/dist/bundle.js" in html
    upload_url = re.search(r'data-upload-url="([^"]+)"', html)[1]
    answer = client.post(upload_url, {"upload": upload("图.png", png_bytes((20, 20)), "image/png")})
    assert answer.status_code == 404
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*"))
