"""What each app declares for regulators: the permissions they hold in admin and the review queues
waiting for them.

An app declares these next to its navigation entry, from its `integrations/` package (imported by its
AppConfig.ready()):

    # news/integrations/regulators.py
    register_regulator_permissions("news.view_newssubmission", "news.change_newssubmission")
    register_review_queue(
        "news.submissions", model=NewsSubmission, label="机构新闻投稿",
        region_field="institution__region_code",
        pending={"status__exact": ReviewStatus.SUBMITTED},   # the count's filter and the link's query
        side=ANY_REGULATOR,                                   # or CITY_REGULATORS / PROVINCE_REGULATORS
    )

accounts builds the regulator group from `regulator_permissions()` (`regulator_group_ensure`, also run
after every `migrate`); the regulators' dashboard reads `review_queues_for(user=...)`: label, count in
the user's jurisdiction and admin link of each queue they review; `pending_rows_for(user=...)`: the
latest submissions waiting across those queues, each with its institution, submission time and admin
change page; `pending_by_city(user=...)`: the waiting rows per city (the province's breakdown). Nothing
here names an app: core learns the names only from the calls.
A codename that names no model or declared permission of its app is a system check error (core.E010),
so a typo fails `manage.py check` and the test suite instead of silently granting nothing.

Also here: the sections an upper app adds to every institution's public profile
(`register_public_profile_section`; the profile reads `public_profile_sections_for(institution_id=...)`).
"""

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib.auth import get_permission_codename
from django.core import checks
from django.db.models import Count, IntegerField, Model, Q, QuerySet, Value
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, reverse

from .regions import PROVINCE_CODE
from .scoping import ever_submitted, regulator_scoped

# Which regulators a queue is for: every regulator whose region holds the row, or one level only. The
# values are those of the workflow's sides (Side.CITY, Side.PROVINCE), so a queue may name the side of
# the step it waits at.
ANY_REGULATOR = "any"
CITY_REGULATORS = "city"  # city and district regulators
PROVINCE_REGULATORS = "province"
QUEUE_SIDES = {ANY_REGULATOR, CITY_REGULATORS, PROVINCE_REGULATORS}

_regulator_permissions: dict[str, None] = {}  # ordered, without duplicates


def register_regulator_permissions(*codenames: str) -> None:
    """Grants every regulator the permissions `codenames` ("app_label.codename") in admin."""
    for dotted in codenames:
        if dotted.count(".") != 1:
            raise ValueError(f"a regulator permission is app_label.codename: {dotted!r}")
        _regulator_permissions[dotted] = None


def regulator_permissions() -> tuple[str, ...]:
    """Every permission registered for regulators, in registration order."""
    return tuple(_regulator_permissions)


def _permission_exists(dotted: str) -> bool:
    app_label, codename = dotted.split(".", 1)
    try:
        app_config = apps.get_app_config(app_label)
    except LookupError:
        return False
    for model in app_config.get_models():
        opts = model._meta
        defaults = {get_permission_codename(action, opts) for action in opts.default_permissions}
        if codename in defaults or codename in {name for name, _label in opts.permissions}:
            return True
    return False


def unknown_regulator_permissions() -> list[str]:
    """Registered codenames that no model of their app defines."""
    return [dotted for dotted in _regulator_permissions if not _permission_exists(dotted)]


@checks.register()
def check_regulator_permissions(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[Any]:
    return [
        checks.Error(
            f"监管人员权限 {dotted} 不存在：没有哪个模型定义了它。",
            hint="检查 register_regulator_permissions() 中的应用名和权限代码（如 news.view_article）。",
            id="core.E010",
        )
        for dotted in unknown_regulator_permissions()
    ]


# --- Review queues -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewQueue:
    """Submissions of one model waiting for a regulator's decision."""

    key: str
    model: type[Model]
    label: str
    region_field: str
    pending: Q | Mapping[str, Any]
    side: str = ANY_REGULATOR
    reviewed: bool = True  # a review queue: never-submitted drafts are the institution's own
    admin_url_name: str = ""
    selector: Callable[[], QuerySet] | None = None
    # What the dashboard's latest-submissions list reads: the submitting institution (a foreign key;
    # "" for none) and when the row was handed in (a datetime field; "" to order by newest row).
    owner_field: str = "institution"
    submitted_field: str = "submitted_at"
    # The admin list's city filter (sujt.core.admin_tools.CityFilter), for the province's breakdown by
    # city; "" when the list has none.
    city_param: str = "city"

    def rows(self) -> QuerySet:
        """Every waiting row, whatever its region."""
        base = self.selector() if self.selector else self.model._default_manager.all()
        rows = base.filter(self.pending) if isinstance(self.pending, Q) else base.filter(**self.pending)
        return ever_submitted(rows) if self.reviewed else rows

    @property
    def url(self) -> str:
        """The admin list of the queue; filtered to the waiting rows when `pending` is a mapping."""
        opts = self.model._meta
        try:
            url = reverse(self.admin_url_name or f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            return ""
        if isinstance(self.pending, Q) or not self.pending:
            return url
        return f"{url}?{urlencode(self.pending)}"

    def city_url(self, city_code: str) -> str:
        """The queue's admin link narrowed to one city ("" when its list cannot filter by city)."""
        url = self.url
        if not url or not self.city_param:
            return ""
        return f"{url}{'&' if '?' in url else '?'}{urlencode({self.city_param: city_code})}"

    def rows_for(self, user: Any) -> QuerySet:
        """The waiting rows in `user`'s jurisdiction (none for a user who is no regulator)."""
        return regulator_scoped(self.rows(), user=user, region_field=self.region_field)

    def change_url(self, obj: Model) -> str:
        """Where the regulator decides on one row: its admin change page ("" when there is none)."""
        opts = self.model._meta
        name = (
            self.admin_url_name.removesuffix("_changelist") + "_change"
            if self.admin_url_name.endswith("_changelist")
            else f"admin:{opts.app_label}_{opts.model_name}_change"
        )
        try:
            return reverse(name, args=[obj.pk])
        except NoReverseMatch:
            return ""

    def visible_to(self, user: Any) -> bool:
        opts = self.model._meta
        if not any(
            user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("view", "change")
        ):
            return False
        if self.side == ANY_REGULATOR or user.is_superuser:
            return True
        is_province = getattr(user, "region_scope", None) == PROVINCE_CODE
        return is_province == (self.side == PROVINCE_REGULATORS)


_review_queues: dict[str, ReviewQueue] = {}


def register_review_queue(
    key: str,
    *,
    model: type[Model],
    label: str,
    region_field: str,
    pending: Q | Mapping[str, Any],
    side: str = ANY_REGULATOR,
    reviewed: bool = True,
    admin_url_name: str = "",
    selector: Callable[[], QuerySet] | None = None,
    owner_field: str = "institution",
    submitted_field: str = "submitted_at",
    city_param: str = "city",
) -> ReviewQueue:
    """Declares that rows of `model` matching `pending` wait for the regulators (of `side`) whose
    jurisdiction holds `region_field` (a lookup path to a region code).

    `pending` is a Q, or a mapping of field lookups that is also the admin list's query string (so the
    link opens on exactly the counted rows: use lookups the admin's list_filter allows, such as
    {"status__exact": "submitted"}). `reviewed` leaves out rows never submitted. `admin_url_name`
    defaults to the model's admin changelist; `selector` (no arguments, a queryset of `model`) replaces
    the model's default manager when the waiting rows need more than a filter. `owner_field` (a foreign
    key, default the Reviewable's `institution`) and `submitted_field` (default its `submitted_at`) are
    what the dashboard shows of each waiting row; a model without them passes "". `city_param` is the
    admin list's city filter (the province's breakdown links each city's count to it), "" for none."""
    if side not in QUEUE_SIDES:
        raise ValueError(f"unknown queue side: {side}")
    for name in (owner_field, submitted_field):
        if name:
            model._meta.get_field(name)  # FieldDoesNotExist at start-up, not on the dashboard
    queue = ReviewQueue(
        key,
        model,
        label,
        region_field,
        pending,
        side=side,
        reviewed=reviewed,
        admin_url_name=admin_url_name,
        selector=selector,
        owner_field=owner_field,
        submitted_field=submitted_field,
        city_param=city_param,
    )
    _review_queues[key] = queue
    return queue


def review_queues() -> tuple[ReviewQueue, ...]:
    return tuple(_review_queues.values())


@dataclass(frozen=True)
class QueueCount:
    key: str
    label: str
    count: int
    url: str


def review_queues_for(*, user: Any) -> list[QueueCount]:
    """The queues `user` reviews (they may view or change the model in admin and the queue is for their
    level), in registration order, each with how many rows wait in their jurisdiction and the admin link.

    One query for every queue together (a UNION ALL of one grouped COUNT per queue), however many queues
    the modules declare and however many rows wait: the admin sidebar reads this on every page."""
    visible = [queue for queue in _review_queues.values() if queue.visible_to(user)]
    if not visible:
        return []
    parts = [
        regulator_scoped(queue.rows(), user=user, region_field=queue.region_field)
        .order_by()
        .annotate(queue_index=Value(index, output_field=IntegerField()))
        .values("queue_index")
        .annotate(total=Count("pk"))
        .values_list("queue_index", "total")
        for index, queue in enumerate(visible)
    ]
    counts = dict(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else dict(parts[0])
    return [
        QueueCount(key=queue.key, label=queue.label, count=counts.get(index, 0), url=queue.url)
        for index, queue in enumerate(visible)
    ]


# The latest submissions listed on the regulators' dashboard.
PENDING_ROWS_LIMIT = 8


@dataclass(frozen=True)
class PendingRow:
    """One submission waiting for a regulator's decision."""

    queue_key: str
    queue_label: str
    title: str
    institution: str
    submitted_at: datetime.datetime | None
    url: str


def _latest_rows(queue: ReviewQueue, *, user: Any, limit: int) -> list[PendingRow]:
    rows = queue.rows_for(user)
    if queue.owner_field:
        rows = rows.select_related(queue.owner_field)
    order = [f"-{queue.submitted_field}"] if queue.submitted_field else []
    return [
        PendingRow(
            queue_key=queue.key,
            queue_label=queue.label,
            title=str(obj),
            institution=str(getattr(obj, queue.owner_field) or "") if queue.owner_field else "",
            submitted_at=getattr(obj, queue.submitted_field) if queue.submitted_field else None,
            url=queue.change_url(obj),
        )
        for obj in rows.order_by(*order, "-pk")[:limit]
    ]


def pending_rows_for(*, user: Any, limit: int = PENDING_ROWS_LIMIT) -> list[PendingRow]:
    """The `limit` latest submissions waiting in the queues `user` reviews, in their jurisdiction, newest
    first across queues (rows without a submission time last): one query per queue, each reading at most
    `limit` rows."""
    rows = [
        row
        for queue in _review_queues.values()
        if queue.visible_to(user)
        for row in _latest_rows(queue, user=user, limit=limit)
    ]
    oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    rows.sort(key=lambda row: row.submitted_at or oldest, reverse=True)
    return rows[:limit]


def pending_by_city(*, user: Any) -> list[tuple[ReviewQueue, Counter[str]]]:
    """Each queue `user` reviews, in registration order, with how many rows wait in it per city code
    (320100, …) of their jurisdiction: one query for every queue (a UNION ALL of one grouped COUNT per
    queue)."""
    visible = [queue for queue in _review_queues.values() if queue.visible_to(user)]
    if not visible:
        return []
    # A region code's first four digits name its city (320102 → 3201 → 320100).
    parts = [
        queue.rows_for(user)
        .order_by()
        .annotate(
            queue_index=Value(index, output_field=IntegerField()), _city=Substr(queue.region_field, 1, 4)
        )
        .values("queue_index", "_city")
        .annotate(_count=Count("pk"))
        .values_list("queue_index", "_city", "_count")
        for index, queue in enumerate(visible)
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    counts: list[Counter[str]] = [Counter() for _queue in visible]
    for index, city, count in rows:
        if city:
            counts[index][f"{city}00"] += count
    return list(zip(visible, counts, strict=True))


# --- Sections of an institution's public profile ------------------------------------------------------
#
# The public profile (institutions) sits below the modules whose public records it lists (news publishes
# inspection results and penalties about an institution), so it cannot import them: each such module
# declares a section here from its `integrations/`, and the profile renders every declared section.


@dataclass(frozen=True)
class ProfileRow:
    """One line of a profile section: a public page about the institution."""

    title: str
    url: str
    date: datetime.date | datetime.datetime | None = None
    label: str = ""  # what kind of record it is (监督检查, 行政处罚, …)


@dataclass(frozen=True)
class ProfileSection:
    """A section of the public profile declared by an app.

    `rows(institution_id, limit)` returns at most `limit` ProfileRows, newest first, in one query (the
    profile's query count is pinned: a section costs one query, whatever the rows). `template` renders
    the filled section (context: `section`, a FilledProfileSection); "" means the profile's own table of
    rows (title as a link, `label_heading`, `date_heading`). `empty` is the text when there are no rows.
    """

    key: str
    title: str
    rows: Callable[[int, int], Sequence[ProfileRow]]
    template: str = ""
    order: int = 100
    empty: str = ""
    limit: int = 20
    label_heading: str = "类别"
    date_heading: str = "日期"


@dataclass(frozen=True)
class FilledProfileSection:
    section: ProfileSection
    rows: list[ProfileRow]
    more: bool  # there were more than section.limit rows; the page says only the newest are listed

    @property
    def anchor(self) -> str:
        return f"section-{self.section.key.replace('.', '-')}"


_profile_sections: dict[str, ProfileSection] = {}


def register_public_profile_section(
    key: str,
    *,
    title: str,
    rows: Callable[[int, int], Sequence[ProfileRow]],
    template: str = "",
    order: int = 100,
    empty: str = "",
    limit: int = 20,
    label_heading: str = "类别",
    date_heading: str = "日期",
) -> ProfileSection:
    """Declares a section of every institution's public profile (see ProfileSection). Sections appear in
    `order`, then by key; registering a key again replaces its section. Everything `rows` returns is
    public: never a person's ID or mobile number."""
    if limit < 1:
        raise ValueError(f"a profile section lists at least one row: {key!r}")
    section = ProfileSection(
        key=key,
        title=title,
        rows=rows,
        template=template,
        order=order,
        empty=empty or f"暂无{title}信息",
        limit=limit,
        label_heading=label_heading,
        date_heading=date_heading,
    )
    _profile_sections[key] = section
    return section


def unregister_public_profile_section(key: str) -> None:
    _profile_sections.pop(key, None)


def public_profile_sections() -> tuple[ProfileSection, ...]:
    """The declared sections in display order (no query)."""
    return tuple(sorted(_profile_sections.values(), key=lambda section: (section.order, section.key)))


def public_profile_sections_for(*, institution_id: int) -> list[FilledProfileSection]:
    """Every declared section filled for one institution: one provider call (one query) per section,
    each asked for one row more than it shows, to know whether to say that only the newest are listed."""
    filled = []
    for section in public_profile_sections():
        rows = list(section.rows(institution_id, section.limit + 1))
        filled.append(
            FilledProfileSection(section=section, rows=rows[: section.limit], more=len(rows) > section.limit)
        )
    return filled


# --- Facets of a public institution -------------------------------------------------------------------
#
# Something an upper module knows about every institution that the public directory filters by and the
# directory, its downloads and the public profile show — the credit level (05). The directory
# (institutions) cannot import that module: the module declares the facet here.


@dataclass(frozen=True)
class InstitutionFacet:
    """`key` is the directory's query parameter; `choices` the values it accepts with their labels;
    `values(institution_ids)` returns {institution id: value} in one query; `matching(value)` returns a
    queryset of institution ids (`.values("institution_id")` or similar) having that value."""

    key: str
    label: str
    choices: tuple[tuple[str, str], ...]
    values: Callable[[Sequence[int]], dict[int, str]]
    matching: Callable[[str], Any]
    order: int = 100

    def label_of(self, value: str) -> str:
        return dict(self.choices).get(value, value)


_facets: dict[str, InstitutionFacet] = {}


def register_institution_facet(
    key: str,
    *,
    label: str,
    choices: Sequence[tuple[str, str]],
    values: Callable[[Sequence[int]], dict[int, str]],
    matching: Callable[[str], Any],
    order: int = 100,
) -> InstitutionFacet:
    """Declares a facet of public institutions (see InstitutionFacet); registering a key again replaces
    it. Its values are public: never personal data."""
    facet = InstitutionFacet(
        key=key, label=label, choices=tuple(choices), values=values, matching=matching, order=order
    )
    _facets[key] = facet
    return facet


def unregister_institution_facet(key: str) -> None:
    _facets.pop(key, None)


def institution_facets() -> tuple[InstitutionFacet, ...]:
    """The declared facets in display order (no query)."""
    return tuple(sorted(_facets.values(), key=lambda facet: (facet.order, facet.key)))


@dataclass(frozen=True)
class FacetValue:
    facet: InstitutionFacet
    value: str

    @property
    def label(self) -> str:
        return self.facet.label_of(self.value)


def institution_facet_values(institution_ids: Sequence[int]) -> dict[int, list[FacetValue]]:
    """{institution id: [FacetValue, …]} for these institutions: one query per facet."""
    found: dict[int, list[FacetValue]] = {}
    if not institution_ids:
        return found
    for facet in institution_facets():
        for pk, value in facet.values(list(institution_ids)).items():
            found.setdefault(pk, []).append(FacetValue(facet, value))
    return found


# --- Report subjects ---------------------------------------------------------------------------------
#
# What other than an institution a reporting task may be sent to (08 中心运营数据填报: centers). The app
# that owns the objects declares them; the reporting module reads the declaration and keeps each
# assignment's subject by content type and id, so neither app imports the other:
#
#     register_report_subject("center", label="中心", model=Center, queryset=running_centers,
#                             filters=[SubjectFilter("level", "中心级别", CenterLevel.choices), ...])


@dataclass(frozen=True)
class SubjectFilter:
    """A filter of a subject kind offered when a task's targets are chosen: `key` is the model field
    the chosen values match (`<key>__in`), `choices` its values with their labels."""

    key: str
    label: str
    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ReportSubject:
    """`queryset()` the subjects that may be sent a report now (with `institution` selected: each
    subject's report is filled in by its institution, `institution_field` names the foreign key);
    `name(obj)` what the subject is called in lists and exports."""

    key: str
    label: str
    model: type[Model]
    queryset: Callable[[], QuerySet]
    filters: tuple[SubjectFilter, ...] = ()
    institution_field: str = "institution"
    name: Callable[[Any], str] = str


_report_subjects: dict[str, ReportSubject] = {}


def register_report_subject(
    key: str,
    *,
    label: str,
    model: type[Model],
    queryset: Callable[[], QuerySet],
    filters: Sequence[SubjectFilter] = (),
    institution_field: str = "institution",
    name: Callable[[Any], str] = str,
) -> ReportSubject:
    """Declares a kind of report subject (see ReportSubject); registering a key again replaces it."""
    subject = ReportSubject(
        key=key,
        label=label,
        model=model,
        queryset=queryset,
        filters=tuple(filters),
        institution_field=institution_field,
        name=name,
    )
    _report_subjects[key] = subject
    return subject


def unregister_report_subject(key: str) -> None:
    _report_subjects.pop(key, None)


def report_subject(key: str) -> ReportSubject | None:
    return _report_subjects.get(key)
