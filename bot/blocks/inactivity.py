"""Inactivity, with notice: the friendly DM (alone, or inside the pace reminder due the same day), and
the `activity` job's report to the TSC (pauses ending within a week, members long inactive)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks import ids, kit
from bot.blocks import reminders as reminders_blocks
from bot.rules import membership as membership_rules
from bot.services.inactivity import DueStep
from bot.services.pauses import PauseView

WHAT_COUNTS = (
    "Articles, talks, presentations, videos, podcasts, workshops, initiatives, booth help and reviewing "
    "community content all count, and anything you did but did not log yet counts too."
)


def _since(step: DueStep) -> str:
    if step.last_contribution is not None:
        return f"your last contribution on record is from {step.last_contribution.isoformat()}"
    return "there is no contribution on record for you yet"


def nudge_text(step: DueStep) -> str:
    weeks = step.days // 7
    return (
        f":seedling: It has been {weeks} weeks since we last heard of your ambassador work: {_since(step)}. "
        f"{WHAT_COUNTS}"
    )


def nudge_message(step: DueStep) -> dict[str, Any]:
    """The DM after NUDGE_DAYS of inactivity: what counts, and a Log button."""
    text = nudge_text(step)
    hint = (
        f"Log with the button or `{ids.COMMAND} log TYPE LINK TITLE`. Taking a break? "
        f"`{ids.COMMAND} pause until YYYY-MM-DD` pauses your membership and these notices."
    )
    return kit.message(
        text,
        [
            kit.section(text),
            kit.actions(kit.button("Log a contribution", ids.LOG_OPEN, style="primary")),
            kit.context(hint),
        ],
    )


def nudge_with_reminder(
    current: membership_rules.Progress, step: DueStep, waiting_review: int = 0
) -> dict[str, Any]:
    """The pace reminder and the inactivity notice due the same day, as one message."""
    reminder = reminders_blocks.reminder_message(current, waiting_review=waiting_review)
    blocks = list(reminder.get("blocks") or [])
    blocks.insert(1, kit.section(nudge_text(step)))
    blocks.append(
        kit.context(f"Taking a break? `{ids.COMMAND} pause until YYYY-MM-DD` pauses your membership.")
    )
    return kit.message(reminder["text"] + " " + nudge_text(step), blocks)


def _person(name: str, slack_user_id: str | None) -> str:
    who = f"*{kit.escape(name)}*"
    return f"{who} ({kit.mention(slack_user_id)})" if slack_user_id else who


def activity_report(
    day: date, returning: Sequence[PauseView], inactive: Sequence[DueStep], proposed: int
) -> dict[str, Any]:
    """One message to the TSC per `activity` run that found something new."""
    title = f"Between renewals, {day.isoformat()}"
    parts = []
    if returning:
        parts.append(f"{len(returning)} back from a pause within a week")
    if inactive:
        parts.append(f"{len(inactive)} inactive for a long while")
    if proposed:
        parts.append(f"{proposed} proposed for emeritus (the list with its buttons follows)")
    summary = "; ".join(parts) + "."
    sections = [
        (
            "Back from a pause soon",
            [
                f"• {_person(item.name, item.slack_user_id)} — back on {item.until.isoformat()}"
                + (f" ({kit.escape(kit.truncate(item.reason, 200))})" if item.reason else "")
                for item in returning
            ],
        ),
        (
            "Inactive (they had a friendly DM before)",
            [
                f"• {_person(item.name, item.slack_user_id)} — {item.days} days; "
                + (
                    f"last contribution {item.last_contribution.isoformat()}"
                    if item.last_contribution
                    else "no contribution on record"
                )
                for item in inactive
            ],
        ),
    ]
    blocks: list[kit.Block] = [kit.header(title), kit.section(summary)]
    for label, lines in sections:
        if not lines:
            continue
        chunk = [f"*{label}* ({len(lines)})"]
        for line in lines:
            if len("\n".join([*chunk, line])) > kit.MAX_SECTION_TEXT:
                blocks.append(kit.section("\n".join(chunk)))
                chunk = []
            chunk.append(line)
        blocks.append(kit.section("\n".join(chunk)))
    if len(blocks) > kit.MAX_MESSAGE_BLOCKS:
        blocks = [*blocks[: kit.MAX_MESSAGE_BLOCKS - 1], kit.context("…more in the audit trail.")]
    return kit.message(f"{title}: {summary}", blocks)
