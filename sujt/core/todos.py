"""Registries the dashboard reads without importing every app.

- To-dos: each app registers `provider(user) -> list[Todo]`; `todos_for(user)` merges them by due date.
- 首要工作 checklist: each app registers `provider(user, institution) -> list[ChecklistItem]`;
  `checklist_for(user, institution)` merges them by `order`.

A provider that raises is logged and skipped: one broken module never takes the dashboard down.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from .choices import TodoUrgency
from .dates import days_left, format_date

logger = logging.getLogger(__name__)

SOON_DAYS = 7


def urgency_of(due_date: date | None, *, today: date | None = None) -> str:
    """逾期 when past due, 临近 within SOON_DAYS days, otherwise 一般."""
    if due_date is None:
        return TodoUrgency.NORMAL
    today = today or timezone.localdate()
    if due_date < today:
        return TodoUrgency.OVERDUE
    if due_date <= today + timedelta(days=SOON_DAYS):
        return TodoUrgency.SOON
    return TodoUrgency.NORMAL


@dataclass
class Todo:
    title: str
    module: str
    url: str
    due_date: date | None = None
    urgency: str = field(init=False)

    def __post_init__(self) -> None:
        self.urgency = urgency_of(self.due_date)

    @property
    def urgency_label(self) -> str:
        return TodoUrgency(self.urgency).label

    @property
    def days_left(self) -> int | None:
        return None if self.due_date is None else days_left(self.due_date)

    @property
    def due_text(self) -> str:
        """The due date as the dashboard says it: 已逾期 N 天 once past (never "before" a past date),
        otherwise 还剩 N 天（截止 YYYY-MM-DD）; "" without a due date."""
        left = self.days_left
        if left is None:
            return ""
        if left < 0:
            return f"已逾期 {-left} 天"
        if left == 0:
            return f"今天到期（截止 {format_date(self.due_date)}）"
        return f"还剩 {left} 天（截止 {format_date(self.due_date)}）"


@dataclass
class ChecklistItem:
    key: str
    title: str
    done: bool
    url: str
    note: str = ""
    order: int = 100


TodoProvider = Callable[[Any], list[Todo]]
ChecklistProvider = Callable[[Any, Any], list[ChecklistItem]]

_todo_providers: list[TodoProvider] = []
_checklist_providers: list[ChecklistProvider] = []


def _provider_name(provider: Callable) -> str:
    return f"{getattr(provider, '__module__', '?')}.{getattr(provider, '__qualname__', provider)}"


def register_todo_provider(provider: TodoProvider) -> TodoProvider:
    """Registers `provider(user) -> list[Todo]`; usable as a decorator, idempotent."""
    if provider not in _todo_providers:
        _todo_providers.append(provider)
    return provider


def unregister_todo_provider(provider: TodoProvider) -> None:
    if provider in _todo_providers:
        _todo_providers.remove(provider)


def todos_for(user: Any) -> list[Todo]:
    """Every module's to-dos for `user`, earliest due date first, undated last."""
    todos: list[Todo] = []
    for provider in list(_todo_providers):
        try:
            todos.extend(provider(user))
        except Exception:
            logger.exception("to-do provider %s failed; skipped", _provider_name(provider))
    return sorted(todos, key=lambda todo: (todo.due_date is None, todo.due_date or date.max, todo.title))


def register_checklist_provider(provider: ChecklistProvider) -> ChecklistProvider:
    """Registers `provider(user, institution) -> list[ChecklistItem]`; usable as a decorator, idempotent."""
    if provider not in _checklist_providers:
        _checklist_providers.append(provider)
    return provider


def unregister_checklist_provider(provider: ChecklistProvider) -> None:
    if provider in _checklist_providers:
        _checklist_providers.remove(provider)


def checklist_for(user: Any, institution: Any) -> list[ChecklistItem]:
    """The 首要工作 checklist, ordered by `order` (then key); a key given twice counts once."""
    items: dict[str, ChecklistItem] = {}
    for provider in list(_checklist_providers):
        try:
            provided = list(provider(user, institution))
        except Exception:
            logger.exception("checklist provider %s failed; skipped", _provider_name(provider))
            continue
        for item in provided:
            items.setdefault(item.key, item)
    return sorted(items.values(), key=lambda item: (item.order, item.key))
