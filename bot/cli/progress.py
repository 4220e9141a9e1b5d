"""Progress of `jobs run` on a terminal: one line, rewritten as messages go out.

At `SEND_RATE_PER_SECOND=1`, a reminder run for 2,000 members takes over half an hour; without a word
it looks hung. The line says how many were sent of those queued, how many wait for the member's local
daytime or a retry, and about how long is left. Nothing is written when the stream is not a terminal
(cron, CI, a pipe): the summary printed at the end says it all there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from bot.outbox.sender import DeliveryReport

CLEAR_LINE = "\r\x1b[K"
MIN_GAP = 0.2  # seconds between redraws


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    def __init__(
        self,
        stream: TextIO,
        name: str,
        *,
        seconds_per_message: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.name = name
        self.seconds_per_message = seconds_per_message  # the pace: a floor for the estimate
        self.monotonic = monotonic
        self.total: int | None = None
        self._started = monotonic()
        self._drawn_at: float | None = None
        self._shown = False

    @classmethod
    def for_terminal(cls, stream: TextIO, name: str, seconds_per_message: float) -> Progress | None:
        """A progress line on `stream` if it is a terminal; None (stay quiet) otherwise."""
        isatty = getattr(stream, "isatty", None)
        return cls(stream, name, seconds_per_message=seconds_per_message) if isatty and isatty() else None

    def status(self, text: str) -> None:
        self._draw(f"{self.name}: {text}")

    def start_delivery(self, total: int | None) -> None:
        self.total = total
        self._started = self.monotonic()
        self._drawn_at = None

    def line(self, report: DeliveryReport) -> str:
        handled = sum(
            len(getattr(report, name)) for name in ("sent", "recovered", "deferred", "retry", "failed")
        )
        sent = len(report.sent) + len(report.recovered)
        parts = [f"{sent} sent" + (f" of {self.total} queued" if self.total is not None else "")]
        if report.deferred:
            parts.append(f"{len(report.deferred)} waiting for the member's local daytime")
        if report.retry:
            parts.append(f"{len(report.retry)} to retry later")
        if report.failed:
            parts.append(f"{len(report.failed)} failed")
        if self.total is not None and handled < self.total:
            elapsed = self.monotonic() - self._started
            per_message = max(self.seconds_per_message, elapsed / handled if handled else 0.0)
            if per_message > 0:
                parts.append(f"about {duration((self.total - handled) * per_message)} left")
        return f"{self.name}: " + ", ".join(parts)

    def update(self, report: DeliveryReport) -> None:
        now = self.monotonic()
        if self._drawn_at is not None and now - self._drawn_at < MIN_GAP:
            return
        self._drawn_at = now
        self._draw(self.line(report))

    def done(self, report: DeliveryReport | None = None) -> None:
        """Draw the final figures (if any) and end the line, so what follows starts clean."""
        if report is not None:
            self._draw(self.line(report))
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False

    def clear(self) -> None:
        if self._shown:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self._shown = False

    def _draw(self, text: str) -> None:
        self.stream.write(CLEAR_LINE + text)
        self.stream.flush()
        self._shown = True
