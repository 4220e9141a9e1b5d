"""Pausing a membership, as plain functions on dates: how long a pause may last, what it does to the
term, and when the member hears that it is ending.

A pause runs from its first day to its return date, the first day back (paused from 2026-03-01 until
2026-04-01: 31 days away). While it runs, progress reminders and inactivity notices stop. With
PAUSE_EXTENDS_TERM (the default) the term's end moves by the pause's length, so the time away does not
eat into the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.rules import parsing

# At most about six months at a time (PAUSE_MAX_DAYS).
PAUSE_MAX_DAYS = 183
# The member, and the TSC's report, hear of the return this many days before it.
RETURN_NOTICE_DAYS = 7
PAUSE_REASON_MAX_LENGTH = 500


@dataclass(frozen=True)
class Pause:
    start: date
    until: date  # the return date: the first day back

    @property
    def length_days(self) -> int:
        return max(0, (self.until - self.start).days)

    def covers(self, day: date) -> bool:
        return self.start <= day < self.until


class PauseRefusal(StrEnum):
    NOT_AFTER_TODAY = "not_after_today"  # the return date must be after today
    TOO_LONG = "too_long"  # longer than PAUSE_MAX_DAYS from the pause's first day


def pause_refusal(pause: Pause, today: date, max_days: int = PAUSE_MAX_DAYS) -> PauseRefusal | None:
    """Why this pause (a new one, or a running one with a new return date) may not be, or None."""
    if pause.until <= today:
        return PauseRefusal.NOT_AFTER_TODAY
    if pause.length_days > max_days:
        return PauseRefusal.TOO_LONG
    return None


def latest_return(start: date, max_days: int = PAUSE_MAX_DAYS) -> date:
    """The furthest return date a pause starting on `start` may have."""
    return start + timedelta(days=max_days)


def term_days(pause: Pause, extends_term: bool) -> int:
    """How many days the pause moves the term's end: its length, or nothing when pauses do not extend."""
    return pause.length_days if extends_term else 0


def resumed_on(pause: Pause, today: date) -> Pause:
    """The pause as it stands when the member comes back early, today (at once: a pause of no days)."""
    return Pause(pause.start, min(pause.until, max(pause.start, today)))


def is_early(pause: Pause, today: date) -> bool:
    """Coming back today is before the return date (otherwise the pause has already run its course)."""
    return today < pause.until


def return_notice_on(pause: Pause, notice_days: int = RETURN_NOTICE_DAYS) -> date:
    return pause.until - timedelta(days=notice_days)


def return_notice_due(pause: Pause, today: date, notice_days: int = RETURN_NOTICE_DAYS) -> bool:
    """From a week before the return date until the day before it (caught up after downtime); a pause
    shorter than the notice gets it on its first day."""
    return max(pause.start, return_notice_on(pause, notice_days)) <= today < pause.until


@dataclass(frozen=True)
class PauseCommand:
    """`pause until DATE [reason]` as typed (decoded): the return date (None when it is not a date)."""

    until: date | None
    reason: str | None


def parse_pause(text: str) -> PauseCommand:
    """ "until 2026-06-01 parental leave" or "2026-06-01 parental leave" (the word `until` may be left
    out); the reason is everything after the date."""
    words = text.strip().split(maxsplit=1)
    if words and words[0].lower() == "until":
        words = words[1].split(maxsplit=1) if len(words) > 1 else []
    if not words:
        return PauseCommand(None, None)
    reason = words[1].strip() if len(words) > 1 else ""
    return PauseCommand(parsing.parse_iso_date(words[0]), reason or None)
