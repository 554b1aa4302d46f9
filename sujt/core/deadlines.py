"""Deadlines: a due date with reminders before it and an action after it, declared once per kind.

A module declares each kind of deadline where it registers itself (its `integrations/`):

    register_deadline(
        "rectification.order_due",
        label="整改期限",
        model=RectificationOrder,
        due="due_on",                                       # a date field, or a callable(obj) -> date | None
        queryset=lambda: RectificationOrder.objects.filter(status__in=OPEN).select_related("institution"),
        reminders=(Offset(days=7), Offset(days=1)),         # Offset(months=3) where it counts in months
        recipients=lambda order: institution_members(institution_id=order.institution_id),
        message=order_reminder_message,                     # (obj, Offset, due_on) -> (title, body)
        url=lambda order: order.get_absolute_url(),
        sms=True,
        on_overdue=lambda order: order_mark_overdue(order=order),
        todo=DeadlineTodo(module="03 机构整改", title=str, objects=lambda user: orders_for(user=user)),
    )

`deadlines_run(today=...)` (the daily beat job `deadlines_run_task`, and `manage.py run_deadlines`) then:

- sends each reminder once per object and due date: in-site messages through `notify`, and SMS where the
  declaration says `sms=True` (the SMS limits of `sms_queue` apply). When several reminder moments have
  been reached at once (the object was created late, or the job did not run for a while) only the most
  urgent one is sent, never a burst; a less urgent one that was skipped is not sent afterwards;
- runs the overdue action once per object and due date, from the day after the due date;
- records each of those as a DeadlineNotice (deadline, object, due date, step). The row is claimed
  (unique constraint) in the same transaction as the messages or the action, so the job is safe to run
  any number of times, a crash mid-run sends nothing twice, and two concurrent runs cannot both send;
  a moved due date gets a fresh set of reminders;
- returns a DeadlineRunReport (counts per deadline and step), also logged.

Only objects of `queryset()` are looked at: it returns the objects still running against the deadline
(not finished, not withdrawn). With a field name as `due`, the job asks the database only for objects
whose due date is inside the reminder window or past and not yet acted on; a callable `due` makes it read
every object of `queryset()`, so keep that queryset narrow. The callables get the objects of
`queryset()`, so select_related there what they read.

To-dos: a deadline with `todo=DeadlineTodo(...)` lists, on the dashboard of each user, the running objects
of `todo.objects(user)` (for example the user's institutions' objects where they hold the module
permission) with their due date: one query per deadline, whatever the number of objects.

Regulators: a deadline with `oversight=DeadlineOversight(region_field=...)` shows on the regulators'
dashboard. `deadline_items_in_scope(scope=..., today=...)` gives, per such deadline, how many running
objects in the jurisdiction are overdue and how many fall due within the declaration's horizon, and the
most urgent of them with their admin links: two queries per deadline, whatever the number of objects.

Dates are local calendar dates (`sujt.core.dates`); no working-day rules.
"""

import datetime
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .dates import add_months, days_left, due_after, format_date
from .models import DeadlineNotice
from .notifications import notify
from .scoping import in_scope
from .todos import Todo, register_todo_provider

logger = logging.getLogger(__name__)

OVERDUE_STEP = "overdue"
# Objects read per query by the job (keyset pages on the primary key: no cursor held across commits).
BATCH_SIZE = 500
# To-dos shown per deadline and user, earliest due first.
TODO_LIMIT = 100
# Going back `months` from a date can lose up to 3 days at a month's end (05-31 - 3 months = 02-28); the
# database windows are widened by that much and each date is then checked exactly.
_MONTH_END_SLACK = datetime.timedelta(days=3)


@dataclass(frozen=True)
class Offset:
    """A reminder moment: `months` calendar months and `days` days before the due date."""

    days: int = 0
    months: int = 0

    def __post_init__(self) -> None:
        if self.days < 0 or self.months < 0:
            raise ValueError("Offset counts before the due date: days and months must not be negative")

    @property
    def key(self) -> str:
        """The step recorded in DeadlineNotice.step: remind-7d, remind-3m, remind-1m15d, remind-0d."""
        months = f"{self.months}m" if self.months else ""
        days = f"{self.days}d" if self.days or not self.months else ""
        return f"remind-{months}{days}"

    @property
    def label(self) -> str:
        """到期前3个月, 到期前7天, 到期前1个月15天, 到期当天."""
        if not (self.days or self.months):
            return "到期当天"
        months = f"{self.months}个月" if self.months else ""
        days = f"{self.days}天" if self.days else ""
        return f"到期前{months}{days}"

    def moment(self, due_on: datetime.date) -> datetime.date:
        """The day this reminder becomes due for `due_on`."""
        return due_after(due_on, months=-self.months, days=-self.days)

    def until(self, today: datetime.date) -> datetime.date:
        """The last due date within this span from `today` on: `today` plus `months` calendar months
        and `days` days (3 months from 2026-11-30 is 2027-02-28), the rule of "expires within 3 months"
        elsewhere on the platform."""
        return add_months(today + datetime.timedelta(days=self.days), self.months)

    def latest_due(self, today: datetime.date) -> datetime.date:
        """No due date after this one has reached its reminder moment on `today` (up to the month-end
        slack; callers check each date exactly)."""
        return add_months(today + datetime.timedelta(days=self.days), self.months) + _MONTH_END_SLACK


@dataclass(frozen=True)
class DeadlineTodo:
    """How a deadline shows in the dashboard's to-do list.

    - `objects(user)`: the objects this user must act on (a queryset of the deadline's model, e.g. those
      of the institutions where the user holds the module permission); intersected with the deadline's
      `queryset()` in one query.
    - `title(obj)`: what to do, without the date (the list adds "还剩 N 天（截止 …）" or "已逾期 N 天").
    - `horizon`: list an object only from this moment before its due date on (default: the earliest
      reminder; without reminders, every running object).
    - `due(obj)`: the date the to-do asks for when the action is due before the deadline itself
      (a certificate's renewal must be applied for 3 months before it expires); default the due date.
    - `owner(obj)`: the owner's name (an institution), put before the titles when the user's to-dos of
      this deadline belong to more than one owner.
    - `url(obj)`: default the deadline's url.
    """

    module: str
    title: Callable[[Any], str]
    objects: Callable[[Any], QuerySet]
    horizon: Offset | None = None
    due: Callable[[Any], datetime.date] | None = None
    owner: Callable[[Any], str] | None = None
    url: Callable[[Any], str] | None = None


def _admin_change_url(obj: Any) -> str:
    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class DeadlineOversight:
    """How a deadline shows on the regulators' dashboard.

    - `region_field`: a lookup path from the deadline's model to a region code
      ("institution__region_code"); the jurisdiction rule (`sujt.core.scoping.in_scope`) applies to it.
    - `horizon`: an object counts as 即将到期 from this span before its due date (default 30 days).
    - `owner(obj)`: whose object it is (the institution's name), shown beside it.
    - `title(obj)`: the object in words (default `str(obj)`).
    - `admin_url(obj)`: where the regulator opens it (default its admin change page).
    - `list_url()`: the admin list of the deadline's due objects, for 查看全部 ("" for none).

    The deadline's `due` must be a field name here: the counts are one database query.
    """

    region_field: str
    horizon: Offset = Offset(days=30)
    owner: Callable[[Any], str] | None = None
    title: Callable[[Any], str] = str
    admin_url: Callable[[Any], str] = _admin_change_url
    list_url: Callable[[], str] | None = None


@dataclass(frozen=True)
class Deadline:
    """One registered kind of deadline (see register_deadline)."""

    key: str
    label: str
    model: type[models.Model]
    due: str | Callable[[Any], datetime.date | None]
    queryset: Callable[[], QuerySet]
    reminders: tuple[Offset, ...]
    recipients: Callable[[Any], Iterable[Any]] | None
    message: Callable[[Any, Offset, datetime.date], tuple[str, str]] | None
    url: Callable[[Any], str]
    sms: bool
    on_overdue: Callable[[Any], None] | None
    todo: DeadlineTodo | None
    oversight: DeadlineOversight | None = None

    @property
    def due_field(self) -> str | None:
        return self.due if isinstance(self.due, str) else None

    def due_of(self, obj: Any) -> datetime.date | None:
        return getattr(obj, self.due) if isinstance(self.due, str) else self.due(obj)

    def step_label(self, step: str) -> str:
        """A recorded step in words: 到期前3个月提醒, 逾期处理."""
        if step == OVERDUE_STEP:
            return "逾期处理"
        offset = next((offset for offset in self.reminders if offset.key == step), None)
        return f"{offset.label}提醒" if offset else step

    def reminder_due(self, due_on: datetime.date, today: datetime.date) -> Offset | None:
        """The most urgent reminder whose moment has come on `today`, None before the first one and after
        the due date."""
        if today > due_on:
            return None
        reached = [offset for offset in self.reminders if offset.moment(due_on) <= today]
        return max(reached, key=lambda offset: offset.moment(due_on), default=None)


_deadlines: dict[str, Deadline] = {}


def register_deadline(
    key: str,
    *,
    model: type[models.Model],
    due: str | Callable[[Any], datetime.date | None],
    queryset: Callable[[], QuerySet] | None = None,
    reminders: Iterable[Offset] = (),
    recipients: Callable[[Any], Iterable[Any]] | None = None,
    message: Callable[[Any, Offset, datetime.date], tuple[str, str]] | None = None,
    url: Callable[[Any], str] | None = None,
    sms: bool = False,
    on_overdue: Callable[[Any], None] | None = None,
    todo: DeadlineTodo | None = None,
    oversight: DeadlineOversight | None = None,
    label: str = "",
) -> Deadline:
    """Declares a kind of deadline on `model` (see the module docstring); call it once, at start-up.

    `key` names it in DeadlineNotice rows (keep it stable: renaming it re-sends the reminders already
    sent); `label` is its Chinese name in the job's report. `queryset` defaults to every object of the
    model. Reminders need `recipients` and `message`; `url` defaults to the object's get_absolute_url.
    """
    reminders = tuple(reminders)
    if key in _deadlines:
        raise ValueError(f"deadline {key!r} is already registered")
    if len(key) > DeadlineNotice._meta.get_field("deadline").max_length:
        raise ValueError(f"deadline key {key!r} is too long")
    if isinstance(due, str):
        model._meta.get_field(due)  # FieldDoesNotExist at start-up rather than in the nightly job
    if len({offset.key for offset in reminders}) != len(reminders):
        raise ValueError(f"deadline {key!r} has the same reminder twice")
    if reminders and (recipients is None or message is None):
        raise ValueError(f"deadline {key!r} has reminders but no recipients or message")
    if oversight is not None and not isinstance(due, str):
        raise ValueError(f"deadline {key!r}: regulators' oversight needs `due` as a date field name")
    deadline = Deadline(
        key=key,
        label=label or key,
        model=model,
        due=due,
        queryset=queryset or (lambda: model._default_manager.all()),
        reminders=reminders,
        recipients=recipients,
        message=message,
        url=url or (lambda obj: obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""),
        sms=sms,
        on_overdue=on_overdue,
        todo=todo,
        oversight=oversight,
    )
    _deadlines[key] = deadline
    return deadline


def unregister_deadline(key: str) -> None:
    _deadlines.pop(key, None)


def registered_deadlines() -> list[Deadline]:
    return [_deadlines[key] for key in sorted(_deadlines)]


def deadline_get(key: str) -> Deadline:
    return _deadlines[key]


# --- The job ---------------------------------------------------------------------------------------


@dataclass
class DeadlineRunReport:
    """What one run did: per deadline key, how many times each step was done, and how many objects
    failed (logged with their traceback; retried by the next run)."""

    today: datetime.date
    done: dict[str, Counter] = field(default_factory=dict)
    failed: Counter = field(default_factory=Counter)

    def add(self, key: str, step: str) -> None:
        self.done.setdefault(key, Counter())[step] += 1

    def count(self, key: str | None = None) -> int:
        """Steps done (reminders and overdue actions), for one deadline or all."""
        return sum(sum(steps.values()) for deadline, steps in self.done.items() if key in (None, deadline))

    def reminders(self, key: str | None = None) -> int:
        return sum(
            count
            for deadline, steps in self.done.items()
            if key in (None, deadline)
            for step, count in steps.items()
            if step != OVERDUE_STEP
        )

    def overdue(self, key: str | None = None) -> int:
        return sum(steps[OVERDUE_STEP] for deadline, steps in self.done.items() if key in (None, deadline))

    def as_dict(self) -> dict[str, Any]:
        """Plain data (a Celery task's result): {"today": ISO date, "done": {"<key>:<step>": count},
        "failed": {"<key>": count}}."""
        return {
            "today": self.today.isoformat(),
            "done": {
                f"{key}:{step}": count for key, steps in self.done.items() for step, count in steps.items()
            },
            "failed": dict(self.failed),
        }

    def lines(self) -> list[str]:
        """The report in Chinese, one line per registered deadline and a total."""
        lines = [
            f"期限检查（{format_date(self.today)}）：发送提醒 {self.reminders()} 条，"
            f"执行逾期处理 {self.overdue()} 项，失败 {sum(self.failed.values())} 项。"
        ]
        for deadline in registered_deadlines():
            steps = self.done.get(deadline.key, Counter())
            parts = [f"{deadline.step_label(step)} {count} 项" for step, count in sorted(steps.items())]
            if self.failed[deadline.key]:
                parts.append(f"失败 {self.failed[deadline.key]} 项（详见日志）")
            lines.append(f"- {deadline.label}：{'，'.join(parts) if parts else '无'}")
        return lines


def _candidates(deadline: Deadline, *, today: datetime.date, content_type: ContentType) -> QuerySet:
    """The objects that may need a step today; with a due field, only those in a window."""
    queryset = deadline.queryset()
    due = deadline.due_field
    if due is None:
        return queryset
    windows = Q(pk__in=[])
    if deadline.reminders:
        latest = max(offset.latest_due(today) for offset in deadline.reminders)
        windows |= Q(**{f"{due}__gte": today, f"{due}__lte": latest})
    if deadline.on_overdue is not None:
        acted = DeadlineNotice.objects.filter(
            deadline=deadline.key,
            content_type=content_type,
            object_id=OuterRef("pk"),
            due_on=OuterRef(due),
            step=OVERDUE_STEP,
        )
        windows |= Q(**{f"{due}__lt": today}) & ~Exists(acted)
    return queryset.filter(windows)


def _in_batches(queryset: QuerySet) -> Iterator[Any]:
    """Every object of `queryset`, BATCH_SIZE per query, by ascending primary key."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        batch = list(page[:BATCH_SIZE])
        yield from batch
        if len(batch) < BATCH_SIZE:
            return
        last = batch[-1].pk


def _claim(deadline: Deadline, *, content_type: ContentType, obj: Any, due_on: datetime.date, step: str):
    """The DeadlineNotice of this step, created now; None when it was done before (or by a concurrent
    run, whose insert this one waits for on the unique constraint)."""
    notice, created = DeadlineNotice.objects.get_or_create(
        deadline=deadline.key, content_type=content_type, object_id=obj.pk, due_on=due_on, step=step
    )
    return notice if created else None


def _remind(
    deadline: Deadline, *, content_type: ContentType, obj: Any, due_on: datetime.date, offset: Offset
) -> bool:
    with transaction.atomic():
        notice = _claim(deadline, content_type=content_type, obj=obj, due_on=due_on, step=offset.key)
        if notice is None:
            return False
        title, body = deadline.message(obj, offset, due_on)
        sent = notify(
            recipients=deadline.recipients(obj),
            title=title,
            body=body,
            url=deadline.url(obj),
            sms=deadline.sms,
        )
        DeadlineNotice.objects.filter(pk=notice.pk).update(recipients=len(sent))
    return True


def _overdue(deadline: Deadline, *, content_type: ContentType, obj: Any, due_on: datetime.date) -> bool:
    with transaction.atomic():
        if _claim(deadline, content_type=content_type, obj=obj, due_on=due_on, step=OVERDUE_STEP) is None:
            return False
        deadline.on_overdue(obj)
    return True


def _deadline_run(deadline: Deadline, *, today: datetime.date, report: DeadlineRunReport) -> None:
    content_type = ContentType.objects.get_for_model(deadline.model)
    for obj in _in_batches(_candidates(deadline, today=today, content_type=content_type)):
        due_on = deadline.due_of(obj)
        if due_on is None:
            continue
        try:
            if today > due_on:
                if deadline.on_overdue is not None and _overdue(
                    deadline, content_type=content_type, obj=obj, due_on=due_on
                ):
                    report.add(deadline.key, OVERDUE_STEP)
                continue
            offset = deadline.reminder_due(due_on, today)
            if offset is not None and _remind(
                deadline, content_type=content_type, obj=obj, due_on=due_on, offset=offset
            ):
                report.add(deadline.key, offset.key)
        except Exception:
            # One object's failure (a refused transition, a broken message) must not stop the others; its
            # claim rolled back with it, so the next run tries again.
            logger.exception("deadline %s: object %s failed; the next run retries it", deadline.key, obj.pk)
            report.failed[deadline.key] += 1


def deadlines_run(
    *, today: datetime.date | None = None, keys: Iterable[str] | None = None
) -> DeadlineRunReport:
    """Sends the reminders and runs the overdue actions due on `today` (the local date by default) for
    every registered deadline (or those in `keys`), each once; returns and logs what it did."""
    today = today or timezone.localdate()
    wanted = None if keys is None else set(keys)
    report = DeadlineRunReport(today=today)
    for deadline in registered_deadlines():
        if wanted is None or deadline.key in wanted:
            _deadline_run(deadline, today=today, report=report)
    for line in report.lines():
        logger.info("%s", line)
    return report


def notices_of(obj: models.Model) -> QuerySet[DeadlineNotice]:
    """What the deadlines did for `obj`, newest first (for admin pages)."""
    return DeadlineNotice.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).order_by("-done_at", "-pk")


def notice_label(notice: DeadlineNotice) -> str:
    """资质认定证书到期 到期前3个月提醒, in words, for admin pages."""
    deadline = _deadlines.get(notice.deadline)
    if deadline is None:
        return f"{notice.deadline} {notice.step}"
    return f"{deadline.label} {deadline.step_label(notice.step)}"


# --- To-dos ----------------------------------------------------------------------------------------


def _todo_horizon(deadline: Deadline) -> Offset | None:
    if deadline.todo.horizon is not None or not deadline.reminders:
        return deadline.todo.horizon
    return max(deadline.reminders, key=lambda offset: (offset.months, offset.days))


def _todo_objects(deadline: Deadline, *, user: Any, today: datetime.date) -> list[Any]:
    todo = deadline.todo
    horizon = _todo_horizon(deadline)
    queryset = deadline.queryset() & todo.objects(user)
    due = deadline.due_field
    if due is None:
        return list(queryset.order_by("pk")[:TODO_LIMIT])
    queryset = queryset.filter(**{f"{due}__isnull": False})
    if horizon is not None:
        queryset = queryset.filter(**{f"{due}__lte": horizon.latest_due(today)})
    return list(queryset.order_by(due, "pk")[:TODO_LIMIT])


def deadline_todos(user: Any) -> list[Todo]:
    """The to-dos of every deadline declared with `todo=` for `user`: one query per such deadline."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    todos: list[Todo] = []
    for deadline in registered_deadlines():
        todo = deadline.todo
        if todo is None:
            continue
        horizon = _todo_horizon(deadline)
        listed = []
        for obj in _todo_objects(deadline, user=user, today=today):
            due_on = deadline.due_of(obj)
            if due_on is None or (horizon is not None and today < horizon.moment(due_on)):
                continue
            listed.append((obj, todo.due(obj) if todo.due else due_on))
        several = todo.owner is not None and len({todo.owner(obj) for obj, _due in listed}) > 1
        url = todo.url or deadline.url
        todos.extend(
            Todo(
                title=(f"{todo.owner(obj)}：" if several else "") + todo.title(obj),
                module=todo.module,
                url=url(obj),
                due_date=due_date,
            )
            for obj, due_date in listed
        )
    return todos


register_todo_provider(deadline_todos)


# --- Regulators' view ------------------------------------------------------------------------------

# The most urgent objects listed per deadline on the regulators' dashboard.
OVERSIGHT_LIMIT = 5


@dataclass(frozen=True)
class DeadlineItem:
    """One running object of a deadline, as a regulator sees it."""

    title: str
    owner: str
    due_on: datetime.date
    days_left: int  # negative once past
    url: str

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0

    @property
    def due_text(self) -> str:
        """已逾期 N 天, 今天到期, 还剩 N 天 (the date is shown beside it)."""
        if self.days_left < 0:
            return f"已逾期 {-self.days_left} 天"
        if self.days_left == 0:
            return "今天到期"
        return f"还剩 {self.days_left} 天"


@dataclass(frozen=True)
class DeadlineSummary:
    """One deadline in a jurisdiction: the counts and the most urgent objects (overdue first, then by due
    date)."""

    key: str
    label: str
    overdue: int
    due_soon: int
    horizon_label: str  # 30天内, 3个月内
    items: list[DeadlineItem]
    list_url: str

    @property
    def total(self) -> int:
        return self.overdue + self.due_soon


def _span_label(offset: Offset) -> str:
    months = f"{offset.months}个月" if offset.months else ""
    days = f"{offset.days}天" if offset.days else ""
    return f"{months}{days}内" if months or days else "今天"


def deadline_items_in_scope(
    *, scope: str | None, today: datetime.date | None = None, limit: int = OVERSIGHT_LIMIT
) -> list[DeadlineSummary]:
    """Every deadline declared with `oversight=`, in the jurisdiction `scope` (a region code; None sees
    nothing): how many running objects (of the deadline's `queryset()`) are overdue and how many fall due
    from `today` to the end of the oversight's horizon, and the `limit` most urgent of them.

    Two queries per deadline (one aggregate, one page of objects; none for the page when nothing is
    due), whatever the number of objects."""
    today = today or timezone.localdate()
    summaries: list[DeadlineSummary] = []
    for deadline in registered_deadlines():
        oversight = deadline.oversight
        if oversight is None:
            continue
        due = deadline.due_field
        until = oversight.horizon.until(today)
        running = in_scope(deadline.queryset(), scope, oversight.region_field)
        counts = running.aggregate(
            overdue=Count("pk", filter=Q(**{f"{due}__lt": today})),
            due_soon=Count("pk", filter=Q(**{f"{due}__gte": today, f"{due}__lte": until})),
        )
        items: list[DeadlineItem] = []
        if counts["overdue"] or counts["due_soon"]:
            urgent = running.filter(**{f"{due}__lte": until}).order_by(due, "pk")[:limit]
            items = [
                DeadlineItem(
                    title=oversight.title(obj),
                    owner=oversight.owner(obj) if oversight.owner else "",
                    due_on=getattr(obj, due),
                    days_left=days_left(getattr(obj, due), today),
                    url=oversight.admin_url(obj),
                )
                for obj in urgent
            ]
        summaries.append(
            DeadlineSummary(
                key=deadline.key,
                label=deadline.label,
                overdue=counts["overdue"],
                due_soon=counts["due_soon"],
                horizon_label=_span_label(oversight.horizon),
                items=items,
                list_url=oversight.list_url() if oversight.list_url else "",
            )
        )
    return summaries
