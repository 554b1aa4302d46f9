"""The demo's generated cover images speak Chinese, or say nothing: never English (issue 10, item 18)."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from news import demo

# Debian's fonts-noto-cjk, which `make test` installs with chromium.
NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"


@pytest.fixture
def drawn_text(monkeypatch) -> list[str]:
    """Every string written on a cover (a 960×540 image; smaller ones are the font probe's)."""
    texts: list[str] = []
    original = ImageDraw.ImageDraw.text

    def record(self, xy, text, *args, **kwargs):
        if self.im.size == (960, 540):
            texts.append(text)
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record)
    return texts


def _image(upload) -> Image.Image:
    image = Image.open(io.BytesIO(upload.read()))
    image.load()
    return image


def test_covers_are_labelled_in_chinese_when_a_chinese_font_is_installed(monkeypatch, drawn_text):
    assert Path(NOTO_CJK).exists(), "install fonts-noto-cjk (make test does) to run this test"
    monkeypatch.setattr(demo, "CJK_FONT_CANDIDATES", (NOTO_CJK,))

    for cover in (demo._showcase_cover(3), demo._news_cover(41)):
        assert _image(cover).size == (960, 540)

    words = " ".join(drawn_text)
    assert "调研成果展" in words and "机构新闻" in words
    assert not re.search(r"[A-Za-z]", words), drawn_text


def test_without_a_chinese_font_covers_carry_no_words(monkeypatch, drawn_text):
    monkeypatch.setattr(demo, "CJK_FONT_CANDIDATES", ("/nonexistent/NoSuchFont.ttc",))

    cover = demo._showcase_cover(3)

    assert _image(cover).size == (960, 540)
    assert all(re.fullmatch(r"\d+", text) for text in drawn_text), drawn_text


def test_a_font_without_chinese_glyphs_counts_as_no_chinese_font(monkeypatch, drawn_text):
    latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    assert Path(latin).exists()
    monkeypatch.setattr(demo, "CJK_FONT_CANDIDATES", (latin,))

    demo._news_cover(41)

    assert all(re.fullmatch(r"\d+", text) for text in drawn_text), drawn_text
