"""Writes for portal content (06 新闻资讯发布).

Regulators write and publish articles in admin (`article_save`, `article_publish`, `article_take_down`,
`article_restore`); institutions submit news that goes through the review workflow
(`submission_save`, `submission_withdraw`, `submission_delete`; regulators decide with
`submission_approve` and the workflow's return/reject); inspection results and penalties are published by
`disclosure_publish`, which other modules reach by recording a disclosure.requested event
(news/integrations/events.py), never by importing it. Every write clears the cached portal blocks once
it has committed.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from institutions.models import Institution
from sujt.core.attachments import AttachmentRule, attachment_replace, attachments_remove, attachments_store
from sujt.core.choices import AttachmentKind, ReviewStatus
from sujt.core.regions import PROVINCE_CODE, is_region_code
from sujt.core.workflow import (
    InvalidTransition,
    review_approve,
    review_resubmit,
    review_submit,
    review_withdraw,
    transition,
)

from .choices import DISCLOSURE_CATEGORIES, INSTITUTION_CATEGORIES, Category, DisclosureKind
from .models import COVER_PURPOSE, FILE_PURPOSE, Article, NewsSubmission
from .selectors import content_cache_invalidate

MAX_FILES = 10
# Re-encoded: a cover is shown to anyone on the portal.
COVER = AttachmentRule(
    purpose=COVER_PURPOSE, kinds=(AttachmentKind.IMAGE,), max_bytes=5 * 1024 * 1024, reencode=True
)
FILES = AttachmentRule(
    purpose=FILE_PURPOSE,
    kinds=(AttachmentKind.PDF, AttachmentKind.IMAGE, AttachmentKind.DOCX, AttachmentKind.XLSX),
    max_bytes=20 * 1024 * 1024,
    max_files=MAX_FILES,
    noun="附件",
)
TAKE_DOWN_REASON_MAX = 200

# What an institution and a regulator may change on an article; the rest is the system's.
CONTENT_FIELDS = ("category", "title", "summary", "body", "source")
REGULATOR_FIELDS = (*CONTENT_FIELDS, "published_at", "is_pinned", "is_showcase", "related_institution")


def _changed_on_commit() -> None:
    content_cache_invalidate()
    transaction.on_commit(content_cache_invalidate)


def _save_with_media(
    *,
    article: Article,
    by: Any,
    cover: UploadedFile | None,
    remove_cover: bool,
    files: Sequence[UploadedFile],
    remove_file_ids: Iterable[int],
) -> None:
    """Validates and saves the article, then replaces/removes its cover and adds/removes its files
    (inside the caller's transaction, which removes the files written if it rolls back)."""
    article._history_user = by
    article.full_clean()
    article.save()
    if cover is not None:
        article.cover = attachment_replace(owner=article, rule=COVER, file=cover, by=by)
        article.save(update_fields=["cover", "updated_at"])
    elif remove_cover and article.cover_id:
        article.cover = None
        article.save(update_fields=["cover", "updated_at"])
        attachments_remove(owner=article, purpose=COVER_PURPOSE)
    attachments_remove(owner=article, purpose=FILE_PURPOSE, ids=remove_file_ids)
    attachments_store(owner=article, rule=FILES, files=files, by=by, error_key="files")


SHOWCASE_NEEDS_COVER = "成果展文章须有封面图片，请先上传封面。"


def showcase_check(article: Article) -> None:
    """The carousel shows covers: a featured article must have one (checked after the cover is stored)."""
    if article.is_showcase and not article.cover_id:
        raise ValidationError({"is_showcase": SHOWCASE_NEEDS_COVER})


# --- Regulators --------------------------------------------------------------------------------------


def regulator_region_code(user: Any) -> str:
    """The region a regulator's articles carry: their jurisdiction (the province for a superuser)."""
    scope = getattr(user, "region_scope", None)
    if scope is None:
        raise ValidationError("只有监管人员可以发布门户文章。", code="not_regulator")
    return scope if is_region_code(scope) else PROVINCE_CODE


def article_save(
    *,
    article: Article,
    by: Any,
    publish: bool = False,
    cover: UploadedFile | None = None,
    remove_cover: bool = False,
    files: Sequence[UploadedFile] = (),
    remove_file_ids: Iterable[int] = (),
) -> Article:
    """Creates or changes a regulator's article (with its cover and files); publishes it when asked.

    A new article takes its author and region from `by`. An institution's news is not edited here: its
    content is the institution's (regulators pin, feature or take it down).
    """
    if article.institution_id is not None:
        raise ValidationError(
            "机构投稿的内容由机构维护，监管端只能置顶、设为成果展或下线。", code="institution_news"
        )
    creating = article.pk is None
    if creating:
        article.author = by
        article.region_code = regulator_region_code(by)
        article.status = ReviewStatus.DRAFT
    try:
        with transaction.atomic():
            _save_with_media(
                article=article,
                by=by,
                cover=cover,
                remove_cover=remove_cover,
                files=files,
                remove_file_ids=remove_file_ids,
            )
            showcase_check(article)
            if publish and article.status == ReviewStatus.DRAFT:
                article_publish(article=article, by=by)
            _changed_on_commit()
    except Exception:
        if creating:
            article.pk = None
        raise
    return article


def article_publish(*, article: Article, by: Any) -> Article:
    """A regulator's draft goes on the portal (at its publish time, or now when it has none)."""
    with transaction.atomic():
        transition(
            obj=article, to=ReviewStatus.APPROVED, allowed_from={ReviewStatus.DRAFT}, by=by, comment="发布"
        )
        Article.objects.filter(pk=article.pk, published_at__isnull=True).update(published_at=timezone.now())
        _changed_on_commit()
    article.refresh_from_db()
    return article


def article_take_down(*, article: Article, by: Any, reason: str) -> Article:
    """Removes a published article from the portal without deleting it (a reason is required)."""
    reason = (reason or "").strip()[:TAKE_DOWN_REASON_MAX]
    if not reason:
        raise ValidationError({"reason": "请填写下线原因。"})
    with transaction.atomic():
        changed = Article.objects.filter(pk=article.pk, taken_down_at__isnull=True).update(
            taken_down_at=timezone.now(), taken_down_by=by, take_down_reason=reason
        )
        if changed != 1:
            raise InvalidTransition(f"「{article}」已经下线。")
        _record(article, by=by, reason=f"下线：{reason}")
        _changed_on_commit()
    article.refresh_from_db()
    return article


def article_restore(*, article: Article, by: Any) -> Article:
    """Puts a taken-down article back on the portal."""
    with transaction.atomic():
        changed = Article.objects.filter(pk=article.pk, taken_down_at__isnull=False).update(
            taken_down_at=None, taken_down_by=None, take_down_reason=""
        )
        if changed != 1:
            raise InvalidTransition(f"「{article}」未下线，无需恢复。")
        _record(article, by=by, reason="恢复上线")
        _changed_on_commit()
    article.refresh_from_db()
    return article


def article_delete(*, article: Article, by: Any) -> None:
    """Deletes a regulator's own article with its files. Institution news and disclosures are taken down
    instead: what an institution published, or a published decision, stays on record."""
    if article.institution_id is not None or article.disclosure_key:
        raise ValidationError("机构投稿和信息公开文章不能删除，请使用“下线”。", code="not_deletable")
    with transaction.atomic():
        attachments_remove(owner=article)
        article._history_user = by
        article.delete()
        _changed_on_commit()


def article_flags_set(
    *, article: Article, by: Any, is_pinned: bool | None = None, is_showcase: bool | None = None
) -> Article:
    """Pins or features any article in the regulator's scope (institution news included)."""
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if is_pinned is not None:
            locked.is_pinned = is_pinned
        if is_showcase is not None:
            locked.is_showcase = is_showcase
        showcase_check(locked)
        locked._history_user = by
        locked.save(update_fields=["is_pinned", "is_showcase", "updated_at"])
        _changed_on_commit()
    article.refresh_from_db()
    return article


def _record(article: Article, *, by: Any, reason: str) -> None:
    """A history row for a change made by a queryset update."""
    fresh = Article.objects.get(pk=article.pk)
    Article.history.bulk_history_create([fresh], update=True, default_user=by, default_change_reason=reason)


# How long a reader's mark lasts: the local date is part of its key, so a day is enough.
VIEW_MARK_SECONDS = 24 * 3600


def article_view_record(*, article_id: int, reader: str) -> bool:
    """Counts a reading of a public article once per reader per local day; True when it counted.

    `reader` names who is reading (the user, or the client's address); the cache keeps a keyed hash of
    it beside the article and the date, so reloads and a second visit the same day add nothing. No
    history row, no cache refresh.
    """
    digest = salted_hmac("news.article_view", reader).hexdigest()[:32]
    key = f"news:article-view:{article_id}:{timezone.localdate():%Y%m%d}:{digest}"
    if not cache.add(key, True, timeout=VIEW_MARK_SECONDS):
        return False
    Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)
    return True


# --- Institutions ------------------------------------------------------------------------------------


def submission_save(
    *,
    institution: Institution,
    by: Any,
    submission: NewsSubmission | None = None,
    category: str,
    title: str,
    summary: str = "",
    body: str,
    source: str = "",
    submit: bool = False,
    cover: UploadedFile | None = None,
    remove_cover: bool = False,
    files: Sequence[UploadedFile] = (),
    remove_file_ids: Iterable[int] = (),
) -> NewsSubmission:
    """Creates or changes an institution's news, as a draft or submitted for review.

    Only drafts and returned news may change; the change is guarded by a row lock on that state, and
    submitting goes through the workflow (草稿 → 待审核, 已退回 → 待审核). Cover and files are stored with
    the change or not at all.
    """
    if category not in INSTITUTION_CATEGORIES:
        allowed = "、".join(Category(c).label for c in INSTITUTION_CATEGORIES)
        raise ValidationError({"category": f"机构只能在{allowed}栏目投稿。"})
    creating = submission is None
    try:
        with transaction.atomic():
            if creating:
                submission = NewsSubmission(
                    institution=institution, author=by, region_code=institution.region_code
                )
            else:
                state = (
                    NewsSubmission.objects.select_for_update()
                    .filter(pk=submission.pk, institution=institution)
                    .values_list("status", flat=True)
                    .first()
                )
                if state not in {ReviewStatus.DRAFT, ReviewStatus.RETURNED}:
                    label = ReviewStatus(state).label if state else "已删除"
                    raise InvalidTransition(f"该投稿当前状态为「{label}」，只有草稿和被退回的投稿可以修改。")
            submission.category = category
            submission.title = title
            submission.summary = summary
            submission.body = body
            submission.source = (source or "").strip()
            _save_with_media(
                article=submission,
                by=by,
                cover=cover,
                remove_cover=remove_cover,
                files=files,
                remove_file_ids=remove_file_ids,
            )
            if submit:
                if submission.status == ReviewStatus.RETURNED:
                    review_resubmit(obj=submission, by=by)
                else:
                    review_submit(obj=submission, by=by)
    except Exception:
        if creating and submission is not None:
            submission.pk = None
        elif submission is not None:
            submission.refresh_from_db()
        raise
    return submission


def submission_submit(*, submission: NewsSubmission, by: Any) -> NewsSubmission:
    """Submits a draft, or a returned submission unchanged after all, for review."""
    if submission.status == ReviewStatus.RETURNED:
        review_resubmit(obj=submission, by=by)
    else:
        review_submit(obj=submission, by=by)
    return submission


def submission_withdraw(*, submission: NewsSubmission, by: Any) -> NewsSubmission:
    """Withdraws a draft or a submission not yet decided (InvalidTransition otherwise)."""
    review_withdraw(obj=submission, by=by)
    return submission


def submission_delete(*, submission: NewsSubmission, by: Any) -> None:
    """Deletes a draft or a withdrawn submission with its files; anything a regulator saw stays."""
    with transaction.atomic():
        deletable = {ReviewStatus.DRAFT, ReviewStatus.WITHDRAWN}
        locked = (
            NewsSubmission.objects.select_for_update().filter(pk=submission.pk, status__in=deletable).first()
        )
        if locked is None:
            raise InvalidTransition("只有草稿和已撤回的投稿可以删除。")
        attachments_remove(owner=locked)
        locked._history_user = by
        locked.delete()


def submission_approve(*, obj: Article, by: Any, comment: str = "") -> Article:
    """Approves an institution's news: it appears on the portal at once."""
    with transaction.atomic():
        review_approve(obj=obj, by=by, comment=comment)
        Article.objects.filter(pk=obj.pk).update(published_at=timezone.now())
        _changed_on_commit()
    obj.refresh_from_db()
    return obj


# --- Disclosure ----------------------------------------------------------------------------------------


def disclosure_publish(
    *,
    key: str,
    kind: str,
    title: str,
    body: str,
    region_code: str,
    by: Any,
    summary: str = "",
    source: str = "",
    related_institution: Institution | None = None,
    published_at: datetime | None = None,
) -> Article:
    """Publishes an inspection result or a penalty summary as a 监督检查 / 行政处罚 article.

    `key` names the source record (e.g. "rectification.inspection:42"): calling again with the same key
    updates that article instead of adding another. The text must not carry personal data (ID numbers,
    personal phones): it is public as given.
    """
    if kind not in DISCLOSURE_CATEGORIES:
        raise ValueError(f"unknown disclosure kind: {kind}")
    if not is_region_code(region_code):
        raise ValueError(f"not a Jiangsu region code: {region_code}")
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(disclosure_key=key).first()
        creating = article is None
        if creating:
            article = Article(disclosure_key=key, author=by, status=ReviewStatus.DRAFT)
        article.category = DISCLOSURE_CATEGORIES[kind]
        article.title = title
        article.summary = summary
        article.body = body
        article.source = source
        article.region_code = region_code
        article.related_institution = related_institution
        if published_at is not None or article.published_at is None:
            article.published_at = published_at or timezone.now()
        article._history_user = by
        article._change_reason = DisclosureKind(kind).label
        article.full_clean()
        article.save()
        if creating:
            transition(
                obj=article,
                to=ReviewStatus.APPROVED,
                allowed_from={ReviewStatus.DRAFT},
                by=by,
                comment="自动公开",
            )
        _changed_on_commit()
    article.refresh_from_db()
    return article
