"""The progress line of `jobs run`: what it says, and that it stays quiet off a terminal."""

from __future__ import annotations

import io

from bot.cli.progress import Progress
from bot.outbox.sender import DeliveryReport


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def report(sent: int = 0, deferred: int = 0, retry: int = 0, failed: int = 0) -> DeliveryReport:
    return DeliveryReport(
        sent=[f"s{i}" for i in range(sent)],
        deferred=[f"d{i}" for i in range(deferred)],
        retry=[f"r{i}" for i in range(retry)],
        failed=[f"f{i}" for i in range(failed)],
    )


def test_the_line_counts_sent_waiting_and_estimates_what_is_left_at_the_pace() -> None:
    clock = [100.0]
    progress = Progress(Terminal(), "reminders", seconds_per_message=1.0, monotonic=lambda: clock[0])
    progress.start_delivery(2000)
    clock[0] += 120

    assert progress.line(report(sent=115, deferred=3, retry=1, failed=1)) == (
        "reminders: 115 sent of 2000 queued, 3 waiting for the member's local daytime, 1 to retry later, "
        "1 failed, about 31 min left"
    )
    # Slower than the pace (Slack made us wait): the estimate follows what was measured.
    clock[0] += 1080
    assert progress.line(report(sent=600)).endswith("about 47 min left")
    assert progress.line(report(sent=1999, deferred=1)) == (
        "reminders: 1999 sent of 2000 queued, 1 waiting for the member's local daytime"
    )


def test_redraws_are_throttled_and_the_line_is_ended_once() -> None:
    clock = [0.0]
    stream = Terminal()
    progress = Progress(stream, "sender", monotonic=lambda: clock[0])
    progress.start_delivery(None)

    progress.update(report(sent=1))
    clock[0] += 0.05
    progress.update(report(sent=2))  # too soon: not drawn
    clock[0] += 0.5
    progress.update(report(sent=3))
    progress.done(report(sent=4))
    progress.done()

    assert stream.getvalue() == "\r\x1b[Ksender: 1 sent\r\x1b[Ksender: 3 sent\r\x1b[Ksender: 4 sent\n"


def test_nothing_is_drawn_when_the_stream_is_not_a_terminal() -> None:
    assert Progress.for_terminal(io.StringIO(), "reminders", 1.0) is None
    assert isinstance(Progress.for_terminal(Terminal(), "reminders", 1.0), Progress)
