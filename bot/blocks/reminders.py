"""Pace reminders and snoozing them."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import ids, kit
from bot.blocks import review as review_blocks
from bot.rules import membership as membership_rules

SNOOZE_DAYS_DEFAULT = 30
SNOOZE_USAGE = (
    f"Usage: `{ids.COMMAND} snooze 30d` (or `2w`, `3m`, up to a year) to pause progress reminders, "
    f"`{ids.COMMAND} snooze off` to get them again. Renewal and end-of-term messages are never snoozed."
)


def reminder_message(
    current: membership_rules.Progress, snooze_days: int = SNOOZE_DAYS_DEFAULT, waiting_review: int = 0
) -> dict[str, Any]:
    """The monthly nudge to an ambassador behind pace: where they are, what is left, how to log (and
    how many more wait for the TSC's review, which count once verified)."""
    term = current.term
    text = (
        f":wave: A friendly nudge about your ambassador term: *{current.counted} of {current.required}* "
        f"contributions so far, {current.expected_by_now} expected by now. "
        f"{current.remaining} to go, {kit.days_phrase(current.days_left)} (term ends {term.end.isoformat()})."
    )
    if waiting := review_blocks.waiting_text(waiting_review):
        text += f"\n{waiting}"
    hint = (
        f"Log one with the button or `{ids.COMMAND} log TYPE LINK TITLE`. "
        f"Busy? `{ids.COMMAND} snooze 30d` pauses these reminders."
    )
    return kit.message(
        text,
        [
            kit.section(text),
            kit.actions(
                kit.button("Log a contribution", ids.LOG_OPEN, style="primary"),
                kit.button(f"Snooze {snooze_days} days", ids.SNOOZE, value=str(snooze_days)),
            ),
            kit.context(hint),
        ],
    )


def snoozed_message(until: date) -> str:
    return (
        f":zzz: Progress reminders paused until {until.isoformat()}. "
        f"Renewal and end-of-term messages still reach you. `{ids.COMMAND} snooze off` resumes them."
    )


RESUMED_MESSAGE = ":bell: Progress reminders are back on. `/ambassador snooze 30d` pauses them again."
NOT_SNOOZED_MESSAGE = "Your progress reminders are already on. " + SNOOZE_USAGE
SNOOZE_NOT_AMBASSADOR = "Reminders are for current ambassadors; you have none to snooze."


def snooze_not_understood(typed: str) -> str:
    return f":x: I could not read `{kit.escape(typed)}` as a duration.\n\n{SNOOZE_USAGE}"
