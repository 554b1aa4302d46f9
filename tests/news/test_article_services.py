"""Rules of the regulators' article services that hold whatever interface calls them."""

import pytest
from django.core.exceptions import ValidationError

from news import services
from news.models import Article
from sujt.core.models import Attachment
from tests.core.samples import PDF_BYTES, upload
from tests.factories import ArticleFactory


@pytest.fixture
def published(province_regulator):
    article = Article(category="policy", title="省局发布：行业政策解读", body="<p>正文。</p>")
    return services.article_save(article=article, by=province_regulator, publish=True)


def test_a_published_article_cannot_lose_its_publish_time(published, province_regulator):
    published.published_at = None
    with pytest.raises(ValidationError) as caught:
        services.article_save(article=published, by=province_regulator)
    assert caught.value.message_dict["published_at"] == ["已发布的文章须有发布时间。"]
    published.refresh_from_db()
    assert published.published_at is not None and published.is_public


def test_a_regulators_article_is_deleted_with_its_files(
    province_regulator, django_capture_on_commit_callbacks
):
    article = services.article_save(
        article=Article(category="notice", title="省局通知：年度安排", body="<p>正文。</p>"),
        by=province_regulator,
        files=[upload("安排.pdf", PDF_BYTES, "application/pdf")],
    )
    pk = article.pk
    stored = Attachment.objects.get(object_id=pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_delete(article=article, by=province_regulator)
    assert not Article.objects.filter(pk=pk).exists()
    assert not Attachment.objects.filter(pk=stored.pk).exists()
    assert not stored.file.storage.exists(stored.file.name)
    row = Article.history.filter(id=pk).latest("history_date")
    assert (row.history_type, row.history_user) == ("-", province_regulator)


@pytest.mark.parametrize("kind", ["institution", "disclosure"])
def test_institution_news_and_disclosures_are_not_deleted(kind, institution, province_regulator):
    if kind == "institution":
        article = ArticleFactory(institution=institution, category="style")
    else:
        article = ArticleFactory(disclosure_key="rectification.inspection:9", category="supervision")
    with pytest.raises(ValidationError):
        services.article_delete(article=article, by=province_regulator)
    assert Article.objects.filter(pk=article.pk).exists()
