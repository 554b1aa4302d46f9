"""Regulators' admin for module 06: portal articles and the review queue of institution news.

ArticleAdmin is where regulators write, publish, schedule, take down, restore, pin and feature portal
content: their own articles and disclosures in every state, and institution news once approved (its
content stays the institution's: only 置顶 / 成果展 are editable here). Every write goes through
`news.services` (see `news.admin_forms` for how the service's refusals reach the form).

NewsSubmissionAdmin is the review queue of institution news: read-only pages with the decision buttons,
and the review actions of the list (approval publishes the news at once through
`services.submission_approve`, from either place). ReviewAdminMixin lists only news ever submitted.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from sujt.core.admin import (
    ReadOnlyChangeFormMixin,
    RegionScopedAdmin,
    ReviewAdminMixin,
    action_apply_each,
    action_confirm_response,
)
from sujt.core.admin_tools import ExcelExportAdminMixin, HistoryAdmin, city_filter
from sujt.core.attachments import human_size
from sujt.core.choices import ReviewStatus
from sujt.core.dates import format_datetime
from sujt.core.excel import ExcelColumn
from sujt.core.regions import region_name
from sujt.core.richtext import sanitize_html
from sujt.core.workflow import InvalidTransition

from . import services
from .admin_forms import (
    ArticleAdminForm,
    InstitutionNewsFlagsForm,
    TakeDownForm,
    existing_files,
    has_cover,
    institutions_in_scope,
    is_draft,
)
from .models import Article, NewsSubmission, public_q

# --- Reading an article ---------------------------------------------------------------------------------

DRAFT, SCHEDULED, PUBLISHED, TAKEN_DOWN = "draft", "scheduled", "published", "taken_down"
PUBLISH_STATES = {DRAFT: "草稿", SCHEDULED: "定时发布", PUBLISHED: "已发布", TAKEN_DOWN: "已下线"}


def publish_state_of(article: Article, now: Any = None) -> str:
    """发布状态 as the list and the export show it (the same cases as PublishStateFilter)."""
    now = now or timezone.now()
    if article.taken_down_at is not None:
        return PUBLISH_STATES[TAKEN_DOWN]
    if article.status == ReviewStatus.DRAFT:
        return PUBLISH_STATES[DRAFT]
    if article.status == ReviewStatus.APPROVED and article.published_at is not None:
        return PUBLISH_STATES[SCHEDULED if article.published_at > now else PUBLISHED]
    return article.get_status_display()


def publisher_of(article: Article) -> str:
    """来源: the institution that submitted the news, else the bureau of the article's region."""
    if article.institution_id is not None:
        return article.institution.name
    name = region_name(article.region_code)
    return f"{name}市场监督管理局" if name else article.region_code


class PublishStateFilter(admin.SimpleListFilter):
    """草稿 / 定时发布 / 已发布 / 已下线, where 已发布 is exactly what the portal shows (`public_q`)."""

    title = "发布状态"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(PUBLISH_STATES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        conditions = {
            DRAFT: Q(status=ReviewStatus.DRAFT, taken_down_at__isnull=True),
            SCHEDULED: Q(status=ReviewStatus.APPROVED, taken_down_at__isnull=True, published_at__gt=now),
            PUBLISHED: public_q(now=now),
            TAKEN_DOWN: Q(taken_down_at__isnull=False),
        }
        condition = conditions.get(self.value() or "")
        return queryset if condition is None else queryset.filter(condition)


class SourceTypeFilter(admin.SimpleListFilter):
    title = "来源类型"
    parameter_name = "source_type"
    CONDITIONS = {
        "regulator": ("监管发布", Q(institution__isnull=True, disclosure_key__isnull=True)),
        "institution": ("机构投稿", Q(institution__isnull=False)),
        "disclosure": ("信息公开", Q(disclosure_key__isnull=False)),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _q) in self.CONDITIONS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        entry = self.CONDITIONS.get(self.value() or "")
        return queryset if entry is None else queryset.filter(entry[1])


class ArticleDisplayMixin:
    """Read-only pieces of an article's change page: rendered body, cover, files, the public link."""

    @admin.display(description="正文")
    def body_display(self, obj: Article) -> str:
        if obj is None or obj.pk is None:
            return "—"
        # The body is sanitised when saved (RichTextField); sanitised again here, so what is marked safe
        # is nh3's output whatever path the row took into the database.
        return format_html('<div class="rich-text">{}</div>', mark_safe(sanitize_html(obj.body)))

    @admin.display(description="当前封面")
    def cover_preview(self, obj: Article) -> str:
        if obj is None or not obj.cover_id:
            return "无封面"
        url = reverse("core:attachment_download", args=[obj.cover_id])
        return format_html(
            '<a href="{0}"><img src="{0}" alt="当前封面" width="240"></a><br>{1}',
            url,
            obj.cover.original_name,
        )

    @admin.display(description="附件")
    def files_display(self, obj: Article) -> str:
        files = existing_files(obj)
        if not files:
            return "无附件"
        return format_html_join(
            "",
            '<p><a href="{}">{}</a>（{}，{}）</p>',
            (
                (
                    reverse("core:attachment_download", args=[f.pk]),
                    f.original_name,
                    f.get_kind_display(),
                    human_size(f.size),
                )
                for f in files
            ),
        )

    @admin.display(description="门户页面")
    def public_link(self, obj: Article) -> str:
        if obj is None or obj.pk is None:
            return "—"
        if obj.is_public:
            url = reverse("news:article_detail", args=[obj.pk])
            return format_html('<a href="{}" target="_blank" rel="noopener">在门户查看</a>', url)
        return "未在门户显示"

    def view_on_site(self, obj: Article) -> str | None:
        """The 在站点上查看 button, only while the public page exists."""
        return reverse("news:article_detail", args=[obj.pk]) if obj.is_public else None


# --- Articles ---------------------------------------------------------------------------------------------

CONTENT_FIELDS = ("category", "title", "summary", "body", "source")
STATE_FIELDS = ("publish_state", "public_link", "region_label", "author", "view_count", "take_down_display")
INSTITUTION_CONTENT = (
    "institution",
    "category",
    "title",
    "summary",
    "body_display",
    "source",
    "cover_preview",
    "files_display",
)


@admin.register(Article)
class ArticleAdmin(ExcelExportAdminMixin, ArticleDisplayMixin, RegionScopedAdmin, HistoryAdmin):
    form = ArticleAdminForm
    region_field = "region_code"
    list_display = (
        "title",
        "channel",
        "category",
        "publish_state",
        "publisher",
        "published_at",
        "is_pinned",
        "is_showcase",
        "view_count",
    )
    list_filter = (
        "channel",
        "category",
        PublishStateFilter,
        SourceTypeFilter,
        city_filter("region_code"),
        "is_pinned",
        "is_showcase",
    )
    list_select_related = ("institution",)
    search_fields = ("title", "summary")
    ordering = ("-is_pinned", "-published_at")
    autocomplete_fields = ("related_institution",)
    actions = ("publish_selected", "take_down_selected", "restore_selected", "pin_selected", "unpin_selected")
    take_down_confirm_template = "admin/news/article/take_down_confirm.html"
    excel_columns = [
        ExcelColumn("标题", "title"),
        ExcelColumn("频道", "get_channel_display"),
        ExcelColumn("栏目", "get_category_display"),
        ExcelColumn("发布状态", publish_state_of),
        ExcelColumn("来源", publisher_of),
        ExcelColumn("发布时间", "published_at"),
        ExcelColumn("浏览量", "view_count"),
        ExcelColumn("置顶", "is_pinned"),
        ExcelColumn("成果展", "is_showcase"),
    ]
    excel_select_related = ("institution",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Institution news under review lives in NewsSubmissionAdmin; here only once it is approved.
        queryset = super().get_queryset(request)
        return queryset.filter(Q(institution__isnull=True) | Q(status=ReviewStatus.APPROVED))

    # -- the change page

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> list:
        if obj is not None and obj.institution_id is not None:
            return [
                ("机构投稿（内容由机构维护，此处只读）", {"fields": INSTITUTION_CONTENT}),
                ("门户展示", {"fields": ("is_pinned", "is_showcase")}),
                ("状态", {"fields": STATE_FIELDS}),
            ]
        publishing = ["published_at", "is_pinned", "is_showcase", "related_institution"]
        if is_draft(obj):
            publishing.insert(0, "publish_mode")
        media = ["cover_upload", "files"]
        if has_cover(obj):
            media[:0] = ["cover_preview", "remove_cover"]
        if existing_files(obj):
            media.append("remove_files")
        fieldsets = [(None, {"fields": CONTENT_FIELDS}), ("发布", {"fields": publishing})]
        fieldsets.append(("封面与附件", {"fields": media}))
        if obj is not None:
            state = [*STATE_FIELDS, *(["disclosure_key"] if obj.disclosure_key else [])]
            fieldsets.append(("状态", {"fields": state}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> list:
        if obj is None:
            return []
        if obj.institution_id is not None:
            return [*INSTITUTION_CONTENT, *STATE_FIELDS]
        return ["cover_preview", *STATE_FIELDS, "disclosure_key"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None and obj.institution_id is not None:
            kwargs["form"] = InstitutionNewsFlagsForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.saved_by = request.user
        return form

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Article | None = None,
    ) -> HttpResponse:
        if obj is not None and obj.institution_id is not None:
            # Saving institution news saves its flags; "and add another" would start a regulator article.
            context["show_save_and_add_another"] = False
        return super().render_change_form(request, context, add, change, form_url, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "related_institution":
            kwargs["queryset"] = institutions_in_scope(getattr(request.user, "region_scope", None))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        """Nothing left to do: the form stored the article through the service when it validated."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """No inlines or many-to-many fields; the service stored the cover and files."""

    # -- deleting: a regulator's own article only; institution news and disclosures are taken down

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        if obj is not None and (obj.institution_id is not None or obj.disclosure_key):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        services.article_delete(article=obj, by=request.user)

    # -- list columns

    @admin.display(description="发布状态")
    def publish_state(self, obj: Article) -> str:
        return publish_state_of(obj) if obj.pk else "—"

    @admin.display(description="来源")
    def publisher(self, obj: Article) -> str:
        return publisher_of(obj) if obj.pk else "—"

    @admin.display(description="所属地区")
    def region_label(self, obj: Article) -> str:
        return region_name(obj.region_code) or obj.region_code or "—"

    @admin.display(description="下线")
    def take_down_display(self, obj: Article) -> str:
        if obj is None or obj.taken_down_at is None:
            return "—"
        when = format_datetime(obj.taken_down_at)
        who = obj.taken_down_by.name if obj.taken_down_by else "—"
        return f"{when}，{who}：{obj.take_down_reason}"

    # -- actions

    def _apply_each(
        self, request: HttpRequest, queryset: QuerySet, verb: str, apply: Callable[[Article], Any]
    ) -> None:
        action_apply_each(self, request, queryset, apply, success=lambda done: f"已{verb} {done} 篇文章。")

    @admin.action(description="发布所选草稿", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        def publish(article: Article) -> None:
            if article.status != ReviewStatus.DRAFT:
                raise InvalidTransition(f"当前为「{publish_state_of(article)}」，只有草稿可以发布。")
            services.article_publish(article=article, by=request.user)

        self._apply_each(request, queryset, "发布", publish)

    @admin.action(description="下线所选（须填写原因）", permissions=["change"])
    def take_down_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        confirmed = "take_down_confirm" in request.POST
        form = TakeDownForm(request.POST if confirmed else None)
        if confirmed and form.is_valid():
            reason = form.cleaned_data["reason"]

            def take_down(article: Article) -> None:
                if article.status == ReviewStatus.DRAFT:
                    raise InvalidTransition("草稿尚未发布，无需下线。")
                services.article_take_down(article=article, by=request.user, reason=reason)

            self._apply_each(request, queryset, "下线", take_down)
            return None
        return action_confirm_response(
            self,
            request,
            queryset,
            template=self.take_down_confirm_template,
            action="take_down_selected",
            form=form,
            title="下线所选文章：确认并填写原因",
            crumb="下线",
            confirm_field="take_down_confirm",
            confirm_label="确认下线",
        )

    @admin.action(description="恢复上线所选", permissions=["change"])
    def restore_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply_each(
            request, queryset, "恢复上线", lambda a: services.article_restore(article=a, by=request.user)
        )

    @admin.action(description="置顶所选", permissions=["change"])
    def pin_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply_each(
            request,
            queryset,
            "置顶",
            lambda a: services.article_flags_set(article=a, by=request.user, is_pinned=True),
        )

    @admin.action(description="取消置顶所选", permissions=["change"])
    def unpin_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply_each(
            request,
            queryset,
            "取消置顶",
            lambda a: services.article_flags_set(article=a, by=request.user, is_pinned=False),
        )


# --- The review queue of institution news -----------------------------------------------------------------

# 待审核 first (oldest first: a queue), then the decided ones.
PENDING_FIRST = Case(
    When(status=ReviewStatus.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
).asc()


@admin.register(NewsSubmission)
class NewsSubmissionAdmin(
    ReadOnlyChangeFormMixin, ReviewAdminMixin, ArticleDisplayMixin, RegionScopedAdmin, HistoryAdmin
):
    """机构新闻投稿: regulators approve (it is published at once), return with a comment, or reject."""

    region_field = "institution__region_code"
    review_services = {"review_approve_selected": services.submission_approve}
    list_display = ("title", "institution", "category", "status", "submitted_at", "status_changed_at")
    list_filter = ("status", "category", city_filter("institution__region_code"))
    list_select_related = ("institution",)
    search_fields = ("title", "institution__name")
    ordering = (PENDING_FIRST, "submitted_at")
    fields = (
        "institution",
        "category",
        "title",
        "summary",
        "body_display",
        "cover_preview",
        "files_display",
        "source",
        "public_link",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
