"""Setting when a member joined: what `/ambassador admin term` answers and `ambassador-bot terms set`
prints. `who` is how the member is named where the text goes (a Slack mention, or a GitHub handle)."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids, kit
from bot.rules import term_starts as start_rules

DATE_EXAMPLE = "2022-05-05"


def dates(term: Any) -> str:
    return f"{term.start.isoformat()} to {term.end.isoformat()}"


def earlier_text(count: int) -> str:
    if count == 0:
        return "no earlier term to record"
    return f"{count} earlier term{'s' if count != 1 else ''} recorded"


def start_result(result: Any, who: str) -> str:
    """One line on what setting the start did, or why it did not."""
    start = result.start.isoformat()
    status = result.status
    if status == "set":
        standing = kit.tally(result.progress.counted, result.progress.required, " this term")
        return (
            f"{who} joined on {start}: current term {dates(result.term)} (was {dates(result.before)}), "
            f"{earlier_text(len(result.earlier))}; {standing}."
        )
    if status == "unchanged":
        return f"{who} already has the terms a start on {start} gives (current term {dates(result.term)}); nothing changed."
    if status == "not_on_record":
        return f"{who} is not on record; nothing changed. Import the members file first, or enrol them."
    if status == "not_an_ambassador":
        return (
            f"{who} has no current term, so there is no start to set; nothing changed. To bring them back, "
            f"`{ids.COMMAND} admin reinstate`."
        )
    if status == "recorded_history":
        return (
            f"A start on {start} would rewrite {who}'s term {dates(result.clash)}, which the bot recorded itself "
            "(terms are history, never rewritten); nothing changed."
        )
    if status == "future":
        return f"{start} is in the future: a term cannot have started yet. Nothing changed."
    return f"{start} is before {start_rules.EARLIEST_START.year}: check the year. Nothing changed."


def admin_term_usage() -> str:
    return (
        f"Usage: `{ids.COMMAND} admin term @someone start YYYY-MM-DD` — the day they became an ambassador "
        f"(e.g. {DATE_EXAMPLE}); their current term becomes the yearly one from it. Mention people with @ "
        "so Slack tells me who they are."
    )


def admin_term_reply(result: Any, who: str) -> str:
    text = start_result(result, kit.mention(who))
    if result.status == "set":
        return ":calendar: " + text + " Their App Home shows the new dates."
    return text
