"""Portal content: articles in three channels, written by regulators or submitted by institutions.

One table holds both. A regulator's article is published directly (status 已通过 from the start, or a
draft until published); an institution's news (the proxy `NewsSubmission`) goes through the review
workflow and is published when approved. The public sees an article when it is approved, its publish
time has come, and it has not been taken down.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from sujt.accounts.permissions import has_module_perm
from sujt.core.audit import history
from sujt.core.choices import ReviewStatus
from sujt.core.models import Attachment, Reviewable, TimeStampedModel
from sujt.core.regions import region_name
from sujt.core.richtext import RichTextField
from sujt.core.scoping import regulator_lists
from sujt.core.workflow import REVIEW_WORKFLOW, Side, Transition

from .choices import CATEGORY_CHANNEL, INSTITUTION_CATEGORIES, Category, Channel

SUMMARY_MAX_LENGTH = 300
# The module permission of the institution's news pages, which show its news' cover and files.
NEWS_PERMISSION = "submit_news"
COVER_PURPOSE = "cover"
FILE_PURPOSE = "file"


def public_q(*, now: Any = None, prefix: str = "") -> Q:
    """Articles the public may read at `now`: approved, publish time reached, not taken down."""
    now = now or timezone.now()
    return Q(
        **{
            f"{prefix}status": ReviewStatus.APPROVED,
            f"{prefix}published_at__lte": now,
            f"{prefix}taken_down_at__isnull": True,
        }
    )


# Kept at module level so the proxy below can be wired to the same history table.
ARTICLE_HISTORY = history(excluded_fields=["view_count"])

# The common review, plus a regulator's own article going out without review (发布: 草稿 → 已通过).
ARTICLE_WORKFLOW = REVIEW_WORKFLOW.extend(
    name="news.article",
    transitions=[
        Transition(
            "publish",
            source={ReviewStatus.DRAFT},
            target=ReviewStatus.APPROVED,
            side=Side.CITY,
            label="发布",
        )
    ],
)


class Article(Reviewable, TimeStampedModel):
    workflow = ARTICLE_WORKFLOW

    channel = models.CharField(_("频道"), max_length=10, choices=Channel.choices, editable=False)
    category = models.CharField(_("栏目"), max_length=12, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("摘要"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    body = RichTextField(_("正文"))
    cover = models.ForeignKey(
        Attachment,
        verbose_name=_("封面图片"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    source = models.CharField(_("来源"), max_length=100, blank=True)
    published_at = models.DateTimeField(
        _("发布时间"), null=True, blank=True, help_text=_("晚于当前时间则到时自动在门户显示（定时发布）。")
    )
    is_pinned = models.BooleanField(_("置顶"), default=False)
    is_showcase = models.BooleanField(
        _("成果展"), default=False, help_text=_("在首页“行业发展现状调研成果展”轮播中展示，须有封面图片。")
    )
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("投稿机构"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="news_articles",
        editable=False,
    )
    region_code = models.CharField(
        _("所属地区"),
        max_length=6,
        editable=False,
        help_text=_("监管部门发布的为其所在地区，机构投稿为机构所在地区。"),
    )
    related_institution = models.ForeignKey(
        Institution,
        verbose_name=_("涉及机构"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    disclosure_key = models.CharField(
        _("公开信息来源键"),
        max_length=80,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("由监督检查、行政处罚等业务自动发布时的来源标识，同一来源只生成一篇。"),
    )
    taken_down_at = models.DateTimeField(_("下线时间"), null=True, blank=True, editable=False)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下线人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    take_down_reason = models.CharField(_("下线原因"), max_length=200, blank=True, editable=False)
    history = ARTICLE_HISTORY

    class Meta:
        verbose_name = verbose_name_plural = _("门户文章")
        ordering = ["-is_pinned", "-published_at", "-id"]
        indexes = [
            models.Index(fields=["channel", "status", "-is_pinned", "-published_at"]),
            models.Index(fields=["category", "status", "-is_pinned", "-published_at"]),
            models.Index(fields=["is_showcase", "status", "-published_at"]),
            models.Index(fields=["institution", "-created_at"]),
            models.Index(fields=["region_code"]),
            models.Index(fields=["status", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:article_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.category not in CATEGORY_CHANNEL:
            errors["category"] = "请选择栏目。"
        else:
            self.channel = CATEGORY_CHANNEL[self.category]
            if self.institution_id and self.category not in INSTITUTION_CATEGORIES:
                allowed = "、".join(Category(c).label for c in INSTITUTION_CATEGORIES)
                errors["category"] = f"机构只能在{allowed}栏目投稿。"
        self.title = (self.title or "").strip()
        if not self.title:
            errors["title"] = "请填写标题。"
        self.summary = (self.summary or "").strip()
        if self.status == ReviewStatus.APPROVED and self.published_at is None:
            # Without one it would be approved yet missing from every public list.
            errors["published_at"] = "已发布的文章须有发布时间。"
        # (成果展 needs a cover: checked by the services once the cover is stored, see showcase_check.)
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.category in CATEGORY_CHANNEL:
            self.channel = CATEGORY_CHANNEL[self.category]
        super().save(*args, **kwargs)

    # --- Reading -------------------------------------------------------------------------------------

    @property
    def is_from_institution(self) -> bool:
        return self.institution_id is not None

    @property
    def is_public(self) -> bool:
        return (
            self.status == ReviewStatus.APPROVED
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and self.taken_down_at is None
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == ReviewStatus.APPROVED
            and self.taken_down_at is None
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def region_display(self) -> str:
        return region_name(self.region_code)

    @property
    def source_display(self) -> str:
        """来源 as shown: what was entered, else the institution, else the publishing bureau's region."""
        if self.source:
            return self.source
        if self.institution_id:
            return self.institution.name
        name = region_name(self.region_code)
        return f"{name}市场监督管理局" if name else ""

    def attachments_visible_to(self, user: Any) -> bool:
        """A public article's files are for everyone. Otherwise they follow the pages showing them: an
        institution's news, its 新闻资讯发布 pages (submit_news) and the review queue, which lists it to
        the regulators over its region once submitted; a regulator's article, the article admin, which
        lists it to the regulators over its region."""
        if self.is_public:
            return True
        if self.institution_id:
            if has_module_perm(user=user, institution_id=self.institution_id, perm=NEWS_PERMISSION):
                return True
            return regulator_lists(self, user=user, region_field="institution__region_code", reviewed=True)
        return regulator_lists(self, user=user, region_field="region_code")


class NewsSubmissionManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(institution__isnull=False)


class NewsSubmission(Article):
    """An institution's news (06 新闻资讯发布), reviewed by the regulators over its region."""

    objects = NewsSubmissionManager()

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = _("机构新闻投稿")

    def get_absolute_url(self) -> str:
        return reverse("news:submission_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("news:article_detail", args=[self.pk])


# The proxy's admin history pages read the history marker from the proxy's own _meta.
NewsSubmission._meta.simple_history_manager_attribute = Article._meta.simple_history_manager_attribute
# simple-history connects its signals for Article only; a save through the proxy sends them with the
# proxy as sender, so without these an institution's edits would leave no history row.
models.signals.post_save.connect(
    ARTICLE_HISTORY.post_save, sender=NewsSubmission, weak=False, dispatch_uid="news_submission_history_save"
)
models.signals.pre_delete.connect(
    ARTICLE_HISTORY.pre_delete,
    sender=NewsSubmission,
    weak=False,
    dispatch_uid="news_submission_history_pre_delete",
)
models.signals.post_delete.connect(
    ARTICLE_HISTORY.post_delete,
    sender=NewsSubmission,
    weak=False,
    dispatch_uid="news_submission_history_delete",
)
