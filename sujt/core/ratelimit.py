"""Fixed-window counters in the cache, for anything a user can trigger that costs someone else.

`limit_take` counts one use of `key` under `scope` in every window of `limits` (count, seconds) and says
whether all of them still allow it. The counters live in the configured cache, shared by every process
when that is Redis (production); a window's counter disappears with the window.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Refusal:
    """A use over a limit: `count` uses per `seconds` allowed, the next one in `retry_after` seconds."""

    count: int
    seconds: int
    retry_after: int

    @property
    def period_label(self) -> str:
        if self.seconds % 86400 == 0:
            days = self.seconds // 86400
            return "每天" if days == 1 else f"每{days}天"
        if self.seconds % 3600 == 0:
            hours = self.seconds // 3600
            return "每小时" if hours == 1 else f"每{hours}小时"
        return f"每{max(1, self.seconds // 60)}分钟"

    @property
    def retry_label(self) -> str:
        minutes = max(1, -(-self.retry_after // 60))
        if minutes < 60:
            return f"{minutes}分钟"
        hours = -(-minutes // 60)
        return f"{hours}小时"


def limit_take(*, scope: str, key: str, limits: Sequence[tuple[int, int]]) -> Refusal | None:
    """Counts one use; returns None when every window allows it, else the tightest refusal.

    A refused use is counted too: hammering a limit does not make it open sooner.
    """
    now = int(time.time())
    refusal: Refusal | None = None
    for count, seconds in limits:
        window = now // seconds
        cache_key = f"ratelimit:{scope}:{key}:{seconds}:{window}"
        cache.add(cache_key, 0, timeout=seconds + 60)
        try:
            used = cache.incr(cache_key)
        except ValueError:
            # Expired between add and incr: this use opens a new window.
            cache.set(cache_key, 1, timeout=seconds + 60)
            used = 1
        if used > count:
            retry_after = (window + 1) * seconds - now
            if refusal is None or retry_after > refusal.retry_after:
                refusal = Refusal(count=count, seconds=seconds, retry_after=retry_after)
    return refusal
