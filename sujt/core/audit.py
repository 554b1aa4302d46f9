"""Who is acting: the request's user, or a named system user inside background jobs.

Every HistoricalRecords in the project is built with `history()` so that history rows name the actor.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from django.contrib.auth import get_user_model
from simple_history.models import HistoricalRecords

SYSTEM_TASK_ACTOR = "系统任务"

_actor: ContextVar[Any] = ContextVar("sujt_actor", default=None)
_system_tokens: list[Token] = []


def current_actor() -> Any:
    return _actor.get()


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def system_user(name: str = SYSTEM_TASK_ACTOR) -> Any:
    """The inactive account that stands for a background job in history rows and logs."""
    return get_user_model().objects.system_user(name)


def begin_system_actor(name: str = SYSTEM_TASK_ACTOR) -> None:
    # An eager task inside a request keeps the request's user: that user caused it.
    if _actor.get() is None:
        _system_tokens.append(_actor.set(system_user(name)))
    else:
        _system_tokens.append(_actor.set(_actor.get()))


def end_system_actor() -> None:
    if _system_tokens:
        _actor.reset(_system_tokens.pop())


def history_user(instance: Any = None, request: Any = None, **_kwargs: Any) -> Any:
    actor = _actor.get()
    if actor is not None:
        return actor
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def history(**kwargs: Any) -> HistoricalRecords:
    """HistoricalRecords for a business model, attributing rows to the acting user."""
    kwargs.setdefault("get_user", history_user)
    return HistoricalRecords(**kwargs)
