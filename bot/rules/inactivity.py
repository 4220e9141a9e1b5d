"""Inactivity, with notice, as plain functions on dates.

A stretch of inactivity starts on the member's last contribution (or when they became an ambassador,
or came back from a pause, whichever is latest) and lasts until they contribute again. Along one
stretch there are three steps, each taken once: a friendly DM (8 weeks), a line in the TSC's report
(90 days), and a proposal to the TSC to move them to emeritus (180 days), which a person decides.

The steps come in order and keep their spacing: when the bot first sees someone already inactive for
200 days (after an import, or a long downtime), they get the DM today, the report line 34 days later
and the proposal 90 days after that, so nobody is proposed without notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

NUDGE_DAYS = 56  # 8 weeks
REPORT_DAYS = 90
PROPOSE_DAYS = 180


class Step(StrEnum):
    NUDGE = "nudge"  # a DM to the member: what counts, and a Log button
    REPORT = "report"  # listed in the TSC's report
    PROPOSE = "propose"  # proposed to the TSC for emeritus (Move to emeritus / Keep)


@dataclass(frozen=True)
class Thresholds:
    """Days of inactivity before each step; 0 turns a step off."""

    nudge_days: int = NUDGE_DAYS
    report_days: int = REPORT_DAYS
    propose_days: int = PROPOSE_DAYS

    def steps(self) -> list[tuple[Step, int]]:
        """The steps that are on, in order, with their thresholds."""
        pairs = [
            (Step.NUDGE, self.nudge_days),
            (Step.REPORT, self.report_days),
            (Step.PROPOSE, self.propose_days),
        ]
        return [(step, days) for step, days in pairs if days > 0]

    @property
    def first(self) -> int | None:
        """The fewest days of inactivity that can make a step due (None: every step is off)."""
        steps = self.steps()
        return steps[0][1] if steps else None


def in_order(thresholds: Thresholds) -> bool:
    """The steps that are on come one after the other (a DM before the report, the report before a
    proposal)."""
    days = [days for _, days in thresholds.steps()]
    return all(earlier < later for earlier, later in pairwise(days))


def stretch_start(last_contribution: date | None, member_since: date, back_from_pause: date | None) -> date:
    """The first day of the current stretch: the latest of the last contribution, the day they became
    an ambassador, and the day they came back from a pause."""
    return max(day for day in (last_contribution, member_since, back_from_pause) if day is not None)


def days_inactive(start: date, today: date) -> int:
    return max(0, (today - start).days)


def next_step(
    start: date, today: date, done: Mapping[Step, date], thresholds: Thresholds, paused: bool = False
) -> Step | None:
    """The step due today along the stretch that began on `start`, or None.

    `done` holds the steps already taken on this stretch and the day each was taken. At most one step
    a day; none while paused. A step is due once its threshold has passed and, after a step taken
    late, once as many days have gone by as lie between the two thresholds.
    """
    if paused:
        return None
    previous: tuple[int, date] | None = None
    for step, threshold in thresholds.steps():
        if step in done:
            previous = (threshold, done[step])
            continue
        due_on = start + timedelta(days=threshold)
        if previous is not None:
            due_on = max(due_on, previous[1] + timedelta(days=threshold - previous[0]))
        return step if today >= due_on else None
    return None
