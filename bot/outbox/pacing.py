"""When the sender may post: the pace of posts, the backoff between attempts, and the local daytime
window of scheduled DMs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)


class Pacer:
    """At most `rate` posts a second, shared by every sender of the process (thread-safe)."""

    def __init__(
        self,
        rate: float,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.sleep = sleep
        self.monotonic = monotonic
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self.sleep(slot - now)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after the n-th failed attempt, at most an hour."""
    return min(BACKOFF_FIRST * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def next_window_start(local: datetime, hours: tuple[int, int]) -> datetime | None:
    """None when `local` is inside [start, end) o'clock; else the next start, in the same zone."""
    start, end = hours
    if start <= local.hour < end:
        return None
    day = local.date() if local.hour < start else local.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, start, tzinfo=local.tzinfo)
