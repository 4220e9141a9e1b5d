"""Every message and view the bot shows, built by small functions; all text people read is here.

Slack's limits are respected here, once: 50 blocks in a message, 100 in a modal or Home tab,
3,000 characters of section text, 24 for modal titles, and a `text` fallback with every message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot import ids, program
from bot.program import Problem

Block = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_PLAIN_INPUT = 3000

# --- primitives ---------------------------------------------------------------------------------


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}


def section(text: str, block_id: str | None = None, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def divider() -> Block:
    return {"type": "divider"}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(truncate(text, 150))}


def button(
    text: str, action_id: str, value: str = "", style: str | None = None, confirm: Block | None = None
) -> Block:
    element: Block = {"type": "button", "text": plain(truncate(text, 75)), "action_id": action_id}
    if value:
        element["value"] = truncate(value, 2000)
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def confirm_dialog(title: str, text: str, confirm: str, deny: str = "Cancel") -> Block:
    return {
        "title": plain(truncate(title, 100)),
        "text": mrkdwn(truncate(text, 300)),
        "confirm": plain(truncate(confirm, 30)),
        "deny": plain(truncate(deny, 30)),
        "style": "danger",
    }


def escape(text: str) -> str:
    """Escape &, < and > so member-provided text cannot form mentions or links in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    if not url:
        return escape(label)
    return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{escape(label).replace('|', '¦')}>"


def mention(slack_user_id: str | None, fallback: str = "someone") -> str:
    return f"<@{slack_user_id}>" if slack_user_id else escape(fallback)


def modal(
    callback_id: str,
    title: str,
    blocks: Sequence[Block],
    submit: str | None = "Submit",
    close: str = "Cancel",
    private_metadata: str = "",
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(truncate(title, 24)),
        "close": plain(truncate(close, 24)),
        "blocks": list(blocks)[:MAX_VIEW_BLOCKS],
    }
    if submit:
        view["submit"] = plain(truncate(submit, 24))
    if private_metadata:
        if len(private_metadata) > 3000:
            raise ValueError("private_metadata is limited to 3,000 characters")
        view["private_metadata"] = private_metadata
    return view


def message(text: str, blocks: Sequence[Block] | None = None) -> dict[str, Any]:
    """A message payload: the `text` fallback (notifications, screen readers) and the blocks."""
    payload: dict[str, Any] = {"text": truncate(text, 3000)}
    if blocks:
        payload["blocks"] = list(blocks)[:MAX_MESSAGE_BLOCKS]
    return payload


def and_more(shown: int, total: int, where: str) -> Block | None:
    if total <= shown:
        return None
    return context(f"…and {total - shown} more. {where}")


# --- general ------------------------------------------------------------------------------------

APOLOGY = (
    ":warning: Sorry, something went wrong on our side and nothing was changed. "
    "Please try again in a minute; if it keeps happening, tell the program's organisers."
)
UNKNOWN_SUBCOMMAND = "I don't know the subcommand `{name}`."

# (usage, what it does) for `/ambassador help`; every subcommand adds its line here.
SUBCOMMAND_HELP: list[tuple[str, str]] = [
    ("help", "show this help"),
    ("log", "open a form to record a contribution"),
    ("log TYPE LINK [YYYY-MM-DD] TITLE", "record one in a single line"),
    ("status", "your term, contributions counted and pace (alias: `progress`)"),
    ("list", "current ambassadors and their contributions this term"),
]


def help_message(required: int, unknown: str | None = None) -> dict[str, Any]:
    intro = (
        "*Ambassador program bot.* Ambassadors are enrolled for a year, renewable, and make at least "
        f"*{required} contributions* a year (articles, talks, videos, podcasts, workshops, initiatives…)."
    )
    lines = "\n".join(f"• `{ids.COMMAND} {usage}` — {what}" for usage, what in SUBCOMMAND_HELP)
    types = ", ".join(f"`{name}`" for name in program.CONTRIBUTION_TYPES)
    text = intro + "\n\n" + lines + f"\n\nContribution types: {types}."
    if unknown is not None:
        text = UNKNOWN_SUBCOMMAND.format(name=escape(unknown)) + "\n\n" + text
    return message(text, [section(text)])


def not_an_ambassador(required: int) -> str:
    return (
        "You are not a current ambassador, so there is nothing to log or track yet. "
        f"Ambassadors make at least {required} contributions a year for the community. "
        f"To join, apply with `{ids.COMMAND} apply`, or ask a TSC member."
    )


# --- contributions ------------------------------------------------------------------------------

LOG_USAGE = f"Usage: `{ids.COMMAND} log TYPE LINK [YYYY-MM-DD] TITLE` — e.g. " + (
    f"`{ids.COMMAND} log talk https://youtu.be/abc 2026-11-20 AsyncAPI at KubeCon`"
)

PROBLEM_TEXT: dict[Problem, str] = {
    Problem.UNKNOWN_TYPE: "Unknown contribution type. Use one of: "
    + ", ".join(program.CONTRIBUTION_TYPES)
    + ".",
    Problem.BAD_LINK: "The link must be a full web address starting with http:// or https://.",
    Problem.LINK_TOO_LONG: f"The link is too long (at most {program.LINK_MAX_LENGTH} characters).",
    Problem.FUTURE_DATE: "The date is in the future; log a contribution once it has happened.",
    Problem.BAD_DATE: "The date must be a real date written YYYY-MM-DD.",
    Problem.EMPTY_TITLE: "Give the contribution a title.",
    Problem.TITLE_TOO_LONG: f"The title is too long (at most {program.TITLE_MAX_LENGTH} characters).",
    Problem.DUPLICATE_LINK: "You already logged a contribution with this link.",
}


def problems_text(problems: dict[str, Problem], usage: str = LOG_USAGE) -> str:
    lines = [f"• {PROBLEM_TEXT[problem]}" for problem in problems.values()]
    return ":x: Nothing was recorded:\n" + "\n".join(lines) + f"\n\n{usage}"


def progress_line(current: program.Progress) -> str:
    """e.g. "2 of 4 contributions this term · term ends 2027-03-01 (97 days left)"."""
    left = current.days_left
    days = "last day" if left == 0 else f"{left} day{'s' if left != 1 else ''} left"
    return (
        f"{current.counted} of {current.required} contributions this term · "
        f"term ends {current.term.end.isoformat()} ({days})"
    )


def pace_text(current: program.Progress) -> str:
    if current.met:
        return ":white_check_mark: Requirement met for this term."
    if current.on_pace:
        return f":large_green_circle: On pace: {current.remaining} to go."
    return (
        f":large_orange_circle: Behind pace: {current.expected_by_now} expected by now, "
        f"{current.remaining} to go."
    )


def progress_bar(current: program.Progress) -> str:
    filled = min(current.counted, current.required)
    return "▰" * filled + "▱" * (current.required - filled)


def logged_message(
    type_: str, title: str, occurred_on: date, counts: bool, current: program.Progress | None
) -> dict[str, Any]:
    label = program.type_label(type_)
    text = f":tada: Logged your {label.lower()} *{escape(title)}* ({occurred_on.isoformat()})."
    if not counts:
        text += "\nIt is dated before your current term, so it is kept in your history but does not count toward this term."
    if current is not None:
        text += "\n" + progress_line(current)
    return message(text, [section(text)])


def status_message(name: str, current: program.Progress, renewal_requested: bool) -> dict[str, Any]:
    term = current.term
    text = (
        f"*Your ambassador term*: {term.start.isoformat()} → {term.end.isoformat()}\n"
        f"{progress_bar(current)}  {progress_line(current)}\n"
        f"{pace_text(current)}"
    )
    if current.met and current.in_renewal_window and not renewal_requested:
        text += f"\nYou can renew for another year: `{ids.COMMAND} renew`."
    elif renewal_requested:
        text += "\nRenewal requested: your next term starts the day after this one ends."
    return message(text, [section(text)])


def ambassador_list_message(rows: Sequence[Any], required: int) -> dict[str, Any]:
    if not rows:
        text = "There are no current ambassadors yet."
        return message(text, [section(text)])
    header_text = f"*Current ambassadors* ({len(rows)})"
    lines = []
    for row in rows:
        role = ", ".join(part for part in (row.title, row.company) if part)
        who = f"{mention(row.slack_user_id, row.name)}" if row.slack_user_id else f"*{escape(row.name)}*"
        if row.slack_user_id:
            who = f"*{escape(row.name)}* ({who})"
        lines.append(f"• {who}{' — ' + escape(role) if role else ''} · {row.counted}/{required} this term")
    blocks: list[Block] = [section(header_text)]
    chunk: list[str] = []
    size = 0
    shown = 0
    for line in lines:
        if size + len(line) + 1 > MAX_SECTION_TEXT:
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
            if len(blocks) >= MAX_MESSAGE_BLOCKS - 2:
                break
        chunk.append(line)
        size += len(line) + 1
        shown += 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if more := and_more(shown, len(lines), "`ambassador-bot export` lists everyone."):
        blocks.append(more)
    return message(header_text + "\n" + "\n".join(lines[:shown]), blocks)


def log_modal(today: date, private_metadata: str = "") -> dict[str, Any]:
    options = [{"text": plain(label), "value": value} for value, label in program.CONTRIBUTION_TYPES.items()]
    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": "type",
            "label": plain("Type"),
            "element": {"type": "static_select", "action_id": "value", "options": options},
        },
        {
            "type": "input",
            "block_id": "title",
            "label": plain("Title"),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "max_length": program.TITLE_MAX_LENGTH,
                "placeholder": plain("AsyncAPI at KubeCon"),
            },
        },
        {
            "type": "input",
            "block_id": "link",
            "label": plain("Link"),
            "element": {"type": "url_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "date",
            "label": plain("Date"),
            "element": {"type": "datepicker", "action_id": "value", "initial_date": today.isoformat()},
        },
        {
            "type": "input",
            "block_id": "reach",
            "optional": True,
            "label": plain("Reach (people, views or listeners)"),
            "element": {
                "type": "number_input",
                "action_id": "value",
                "is_decimal_allowed": False,
                "min_value": "0",
            },
        },
        {
            "type": "input",
            "block_id": "notes",
            "optional": True,
            "label": plain("Notes for the TSC"),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": 2000,
            },
        },
    ]
    return modal(
        ids.LOG_MODAL, "Log a contribution", blocks, submit="Log it", private_metadata=private_metadata
    )


# --- membership: apply, review, renewal, admin (#3) ----------------------------------------------


# --- jobs: announcements, reminders, renewals, digest (#4) ---------------------------------------


# --- App Home (#5) -------------------------------------------------------------------------------
