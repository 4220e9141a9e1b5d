"""The sandbox's time: the program's "now" for commands, jobs and the Slack stand-in alike.

It runs at the pace of real time from wherever it was set, and only forward: the jobs and the outbox
take a later "now" to mean later, as they do in production.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class ClockError(ValueError):
    """A move the sandbox clock refuses (backwards), in words for the page."""


class SandboxClock:
    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the sandbox clock needs an aware datetime")
        self._lock = threading.Lock()
        self._start = start.astimezone(UTC)
        self._real = time.monotonic()

    def __call__(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=time.monotonic() - self._real)

    def timestamp(self) -> float:
        """The same moment as seconds since the epoch (Slack's message timestamps)."""
        return self().timestamp()

    def go_to(self, moment: datetime) -> datetime:
        """Set the time to `moment` (aware); ClockError when that would go back."""
        if moment.tzinfo is None:
            raise ClockError("a moment without a time zone")
        now = self()
        if moment < now - timedelta(seconds=1):
            raise ClockError(
                f"the sandbox clock only goes forward: it is already {now:%Y-%m-%d %H:%M} UTC "
                "(start over with `ambassador-bot sandbox --fresh` to go back)"
            )
        with self._lock:
            self._start = max(moment.astimezone(UTC), now)
            self._real = time.monotonic()
        return self._start
