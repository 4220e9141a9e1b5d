"""Every message and view the bot shows, built by small functions; all text people read is here.

Slack's limits are respected here, once: 50 blocks in a message, 100 in a modal or Home tab,
3,000 characters of section text, 24 for modal titles, and a `text` fallback with every message.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from bot import ids, program
from bot.program import Problem

if TYPE_CHECKING:
    from bot.services import home
    from bot.services.contributions import OwnContribution

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

# What a member sees when the request itself could not be handled (see handlers/errors.py).
INCOMPLETE_REQUEST = (
    ":warning: Slack sent this request without something it needs, so nothing was changed. "
    "Please try again; if it keeps happening, tell the program's organisers."
)
CONTROL_CHARACTERS_IN_COMMAND = (
    ":x: Your command contains invisible control characters (often from a paste), so nothing was "
    "changed. Please type it again."
)
DATABASE_BUSY = (
    ":hourglass: The bot's database is not answering right now, so nothing was changed. "
    "Please try again in a minute."
)
SLACK_SLOW = (
    ":hourglass: Slack is answering slowly right now, so nothing was changed. Please try again in a minute."
)
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

INLINE_LOG_INCOMPLETE = ":x: Nothing was recorded: type, link and title are all needed.\n\n" + LOG_USAGE
# A modal field error (Slack shows the first 150 characters or so): the short form of not_an_ambassador.
NOT_AN_AMBASSADOR_FIELD_ERROR = (
    f"Only current ambassadors can log contributions. To join, use `{ids.COMMAND} apply`."
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
    Problem.CONTROL_CHARACTERS: "The title contains invisible control characters (often from a paste); "
    "type it again.",
}


REACH_NOT_A_NUMBER = "Reach is a whole number, e.g. 250."


def problems_text(problems: dict[str, Problem], usage: str = LOG_USAGE) -> str:
    lines = [f"• {PROBLEM_TEXT[problem]}" for problem in problems.values()]
    return ":x: Nothing was recorded:\n" + "\n".join(lines) + f"\n\n{usage}"


def progress_line(current: program.Progress) -> str:
    """e.g. "2 of 4 contributions this term · term ends 2027-03-01 (97 days left)"."""
    counted = f"{current.counted} of {current.required} contributions this term"
    if current.ended:
        return f"{counted} · term ended {current.term.end.isoformat()} (verification pending)"
    left = current.days_left
    days = "last day" if left == 0 else f"{left} day{'s' if left != 1 else ''} left"
    return f"{counted} · term ends {current.term.end.isoformat()} ({days})"


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

SUBCOMMAND_HELP.extend(
    [
        ("apply", "apply to become an ambassador (a form the TSC reviews)"),
        ("nominate @someone", "propose someone for the program; I ask them to apply"),
        ("renew", "stay on for another year (last 30 days of your term, requirement met)"),
        ("admin", "TSC only: pending applications, add, link, extend, emeritus, reinstate"),
    ]
)

APPLY_FORM_FIELDS: dict[str, tuple[str, str, bool]] = {
    # block id: (label, placeholder, multiline); `program.APPLICATION_REQUIRED_FIELDS` are required.
    "name": ("Name", "Jane Doe", False),
    "title": ("Title", "Developer Advocate", False),
    "company": ("Company", "Acme Inc.", False),
    "country": ("Country", "🇪🇸 or Spain", False),
    "bio": ("Bio (shown on the website)", "A few sentences about you, in the third person", True),
    "github": ("GitHub handle", "janedoe", False),
    "twitter": ("Twitter / X handle", "janedoe", False),
    "linkedin": ("LinkedIn handle or profile link", "jane-doe", False),
    "img": ("Photo URL (default: your GitHub avatar)", "https://github.com/janedoe.png", False),
    "contributions": (
        "Contributions you have made",
        "talk https://youtu.be/abc 2026-03 AsyncAPI at KubeCon",
        True,
    ),
    "motivation": (
        "Why do you want to be an ambassador?",
        "What you would like to do for the community",
        True,
    ),
}
CONTRIBUTION_LINE_HINT = (
    "One per line: TYPE LINK YYYY-MM TITLE. Types: " + ", ".join(program.CONTRIBUTION_TYPES) + "."
)

FORM_PROBLEM_TEXT: dict[str, str] = {
    "required": "Please fill this in.",
    "too_long": "This is too long (at most {limit} characters).",
    "bad_github": "A GitHub handle has letters, digits and single hyphens, e.g. janedoe.",
    "bad_handle": "Give a handle (letters, digits, _ . -) or a full https:// link.",
    "bad_url": "This must be a full web address starting with http:// or https://.",
    "too_many": f"List at most {program.APPLICATION_MAX_CONTRIBUTIONS} contributions.",
    "line_shape": "needs TYPE LINK YYYY-MM TITLE",
    "repeated_link": "repeats the link of an earlier line",
    Problem.UNKNOWN_TYPE: "unknown type (use one of " + ", ".join(program.CONTRIBUTION_TYPES) + ")",
    Problem.BAD_LINK: "the link must start with http:// or https://",
    Problem.LINK_TOO_LONG: f"the link is too long (at most {program.LINK_MAX_LENGTH} characters)",
    Problem.BAD_DATE: "the date must be a real month, written YYYY-MM",
    Problem.FUTURE_DATE: "the date is in the future",
    Problem.EMPTY_TITLE: "a title is missing",
    Problem.TITLE_TOO_LONG: f"the title is too long (at most {program.TITLE_MAX_LENGTH} characters)",
}
FIELD_ERROR_MAX = 1000


def slack_date(moment: datetime | None) -> str:
    """A time every reader sees in their own time zone (Slack's date formatting); UTC as fallback."""
    if moment is None:
        return "an unknown date"
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _text_input(block_id: str, initial: str | None, required: bool, limit: int) -> Block:
    label, placeholder, multiline = APPLY_FORM_FIELDS[block_id]
    element: Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": limit,
        "placeholder": plain(truncate(placeholder, 150)),
    }
    if initial:
        element["initial_value"] = initial[:limit]
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
    if not required:
        block["optional"] = True
    if block_id == "contributions":
        block["hint"] = plain(CONTRIBUTION_LINE_HINT)
    return block


def apply_loading_modal() -> dict[str, Any]:
    """Shown at once (the click's trigger expires in 3 s) while the form is prepared."""
    return modal(ids.APPLY_MODAL, "Apply as ambassador", [section(":hourglass: One moment…")], submit=None)


def apply_modal(
    prefill: Any, required: int, nominated_by: str | None, private_metadata: str = ""
) -> dict[str, Any]:
    """The application form; `prefill` has one attribute per field (a membership.ApplicationForm)."""
    intro = (
        f"Ambassadors make at least *{required} contributions a year* (articles, talks, videos, podcasts, "
        f"workshops, initiatives…). Tell the TSC about yourself and what you have done; {required} in the "
        "last twelve months meets the requirement. Your profile is what the website will show."
    )
    if nominated_by:
        intro = f"{mention(nominated_by)} nominated you. " + intro
    fields: list[Block] = [section(intro)]
    for block_id in APPLY_FORM_FIELDS:
        fields.append(
            _text_input(
                block_id,
                getattr(prefill, block_id, None),
                block_id in program.APPLICATION_REQUIRED_FIELDS,
                program.PROFILE_LIMITS[block_id],
            )
        )
    fields.append(context("Your Slack account is taken from Slack itself, so nobody can apply in your name."))
    return modal(
        ids.APPLY_MODAL,
        "Apply as ambassador",
        fields,
        submit="Send to the TSC",
        private_metadata=private_metadata,
    )


def apply_blocked_text(
    blocker: str, submitted_at: datetime | None = None, term_end: date | None = None
) -> str:
    """Why someone cannot apply now, and where things stand."""
    if blocker == "ambassador":
        ends = f" Your term ends on {term_end.isoformat()}." if term_end else ""
        return (
            f"You are already an ambassador, so there is nothing to apply for.{ends} "
            f"`{ids.COMMAND} status` shows your progress; `{ids.COMMAND} renew` is open in the last 30 days."
        )
    return (
        f":hourglass_flowing_sand: Your application, sent {slack_date(submitted_at)}, is with the TSC. "
        "You will get a message from me when they decide; there is no need to apply again."
    )


def apply_blocked_modal(text: str) -> dict[str, Any]:
    return modal(ids.APPLY_MODAL, "Apply as ambassador", [section(text)], submit=None, close="Close")


def application_field_errors(issues: Mapping[str, Sequence[Any]]) -> dict[str, str]:
    """Slack's `response_action: errors`: one message per field; contribution lines by number."""
    errors: dict[str, str] = {}
    for field_name, found in issues.items():
        limit = program.PROFILE_LIMITS.get(field_name, 0)
        parts = []
        for issue in found:
            text = FORM_PROBLEM_TEXT[issue.code].format(limit=limit)
            parts.append(f"Line {issue.line}: {text}" if issue.line is not None else text)
        joined = "; ".join(parts)
        if any(issue.line is not None for issue in found):
            joined += "."
        errors[field_name] = truncate(joined, FIELD_ERROR_MAX)
    return errors


def github_taken_error(handle: str) -> str:
    return (
        f"The GitHub handle {handle} is on another member's record. If it is yours, ask a TSC member to "
        f"link it to you (`{ids.COMMAND} admin link`)."
    )


def _date_of(item: Any) -> str:
    if item.date_precision == program.DatePrecision.DAY:
        return str(item.occurred_on.isoformat())
    if item.date_precision == program.DatePrecision.MONTH:
        return str(item.occurred_on.isoformat()[:7])
    return str(item.occurred_on.year)


def _profile_line(view: Any) -> str:
    role = " at ".join(escape(part) for part in (view.title, view.company) if part)
    who = f"*{escape(view.name)}*" + (f" ({mention(view.slack_user_id)})" if view.slack_user_id else "")
    lines = [who + (f" — {role}" if role else "") + (f" · {escape(view.country)}" if view.country else "")]
    links = []
    if view.github:
        links.append(link(f"https://github.com/{view.github}", f"GitHub: {view.github}"))
    if view.twitter:
        url = view.twitter if program.is_http_link(view.twitter) else f"https://x.com/{view.twitter}"
        links.append(link(url, "Twitter/X"))
    if view.linkedin:
        url = (
            view.linkedin
            if program.is_http_link(view.linkedin)
            else f"https://www.linkedin.com/in/{view.linkedin}"
        )
        links.append(link(url, "LinkedIn"))
    if view.img and program.is_http_link(view.img):
        links.append(link(view.img, "Photo"))
    if links:
        lines.append(" · ".join(links))
    return "\n".join(lines)


def requirement_line(view: Any) -> str:
    counted = f"{view.recent_contributions} contribution{'s' if view.recent_contributions != 1 else ''}"
    if view.meets_requirement:
        return f":white_check_mark: *Meets the requirement*: {counted} in the last 12 months (of {view.required})."
    return f":warning: *Below the requirement*: {counted} in the last 12 months (of {view.required})."


def _contribution_lines(view: Any, budget: int = MAX_SECTION_TEXT - 100) -> str:
    """The newest contributions, whole lines only (a cut link would break the mrkdwn), then a count."""
    lines: list[str] = []
    size = 0
    for item in view.contributions:
        line = f"• {program.type_label(item.type)}: {link(item.link, item.title)} ({_date_of(item)})"
        if size + len(line) + 1 > budget:
            break
        lines.append(line)
        size += len(line) + 1
    if view.contributions_total > len(lines):
        lines.append(f"…and {view.contributions_total - len(lines)} earlier.")
    return "\n".join(lines) or "• none listed"


def decision_text(view: Any) -> str:
    """Who decided and when (or why the application is closed), for the review post and replies."""
    when = slack_date(view.decided_at)
    who = mention(view.decided_by, "the TSC")
    if view.status == "approved":
        return f":white_check_mark: *Approved* by {who} on {when}."
    if view.status == "rejected":
        reason = f"\n>{escape(truncate(view.decision_reason or '', 1000))}" if view.decision_reason else ""
        return f":x: *Not accepted* by {who} on {when}.{reason}"
    if view.status == "withdrawn":
        return f"Closed on {when}: {escape(view.decision_reason or 'withdrawn')}"
    return "Waiting for a TSC decision."


def review_message(view: Any) -> dict[str, Any]:
    """The application in REVIEW_CHANNEL: profile, contributions, requirement, Approve and Reject.

    Once decided, the same post without buttons and with who decided and when.
    """
    blocks: list[Block] = [
        header(f"Ambassador application: {view.name}"),
        section(_profile_line(view), block_id="profile"),
    ]
    if view.bio:
        blocks.append(section(f"*Bio*\n{escape(truncate(view.bio, 1500))}", block_id="bio"))
    if view.motivation:
        blocks.append(
            section(f"*Why they want to be an ambassador*\n{escape(view.motivation)}", block_id="why")
        )
    blocks.append(section(f"*Contributions*\n{_contribution_lines(view)}", block_id="contributions"))
    blocks.append(section(requirement_line(view), block_id="requirement"))
    meta = f"Application #{view.id} · sent {slack_date(view.submitted_at)}"
    if view.nominated_by:
        meta += f" · nominated by {mention(view.nominated_by)}"
    blocks.append(context(meta))
    if view.status == "pending":
        approve_confirm = {
            **confirm_dialog(
                f"Approve {truncate(view.name, 60)}?",
                "Their one-year term starts today; they get the welcome message and are announced.",
                "Approve",
            ),
            "style": "primary",
        }
        blocks.append(
            actions(
                button("Approve", ids.APPROVE, str(view.id), style="primary", confirm=approve_confirm),
                button("Reject", ids.REJECT, str(view.id), style="danger"),
                block_id="review",
            )
        )
        text = f"Ambassador application from {escape(view.name)}: {'meets' if view.meets_requirement else 'below'} the requirement."
    else:
        blocks.append(section(decision_text(view), block_id="decision"))
        text = f"Ambassador application from {escape(view.name)}: {view.status}."
    return message(text, blocks)


def application_receipt(view: Any, review_posted: bool) -> dict[str, Any]:
    if review_posted:
        tsc = "The TSC has been notified and will review it."
    else:
        tsc = "The TSC will be notified as soon as their review channel is ready; nothing is lost."
    text = (
        f":inbox_tray: Thanks, {escape(view.name)}! Your application to the ambassador program is in. {tsc}\n"
        f"You listed {view.recent_contributions} contribution{'s' if view.recent_contributions != 1 else ''} "
        f"in the last 12 months; the program asks for {view.required} a year. "
        "I will message you here when the TSC decides."
    )
    return message(text, [section(text)])


def apply_received_modal(view: Any, review_posted: bool) -> dict[str, Any]:
    return apply_blocked_modal(application_receipt(view, review_posted)["text"])


NOT_TSC_DECISION = ":no_entry: Only TSC members can approve or reject applications. Nothing was changed."
OWN_APPLICATION_DECISION = (
    ":no_entry: This is your own application: another TSC member must approve or reject it. "
    "Nothing was changed."
)
OWN_APPLICATION_ONLY_TSC = (
    " You are the only TSC member, so nobody can decide it yet: the organisers can add another "
    "(`TSC_USER_IDS`, or a member flagged `isTscMember`)."
)


def decision_refused_text(own_request: bool, only_tsc_member: bool) -> str:
    if not own_request:
        return NOT_TSC_DECISION
    return OWN_APPLICATION_DECISION + (OWN_APPLICATION_ONLY_TSC if only_tsc_member else "")


def already_decided_text(view: Any) -> str:
    return (
        f"Nothing changed: application #{view.id} from {escape(view.name)} was already decided. "
        + decision_text(view)
    )


def decided_confirmation(view: Any, term: Any = None) -> str:
    if view.status == "approved" and term is not None:
        return (
            f":white_check_mark: Approved {escape(view.name)}: their term runs {term.start.isoformat()} → "
            f"{term.end.isoformat()}. The welcome is on its way and the announcement is queued."
        )
    return f"Done: {escape(view.name)}'s application is closed. {decision_text(view)}"


def review_not_posted_log_hint(channel: str, error: str | None) -> str:
    """For the log: what the admin has to do when the review post cannot go out."""
    if not channel:
        return "REVIEW_CHANNEL is not set: set it to the TSC's channel ID (like C012AB3CD)"
    if error in ("not_in_channel", "channel_not_found"):
        return (
            f"the bot cannot post in REVIEW_CHANNEL {channel} ({error}): invite the bot to that channel "
            "(/invite @bot) or fix REVIEW_CHANNEL"
        )
    return (
        f"posting to REVIEW_CHANNEL {channel} failed for now ({error or 'unknown error'}); it will be retried"
    )


def reject_modal(application_id: int, private_metadata: str) -> dict[str, Any]:
    blocks: list[Block] = [
        section(
            f"Application #{application_id}. The applicant receives your reason in a direct message from the bot, "
            "so be kind and specific: what would make a future application succeed?"
        ),
        {
            "type": "input",
            "block_id": "reason",
            "label": plain("Reason (sent to the applicant)"),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": program.DECISION_REASON_MAX_LENGTH,
            },
        },
    ]
    return modal(
        ids.REJECT_MODAL, "Reject application", blocks, submit="Reject", private_metadata=private_metadata
    )


def decided_modal(text: str) -> dict[str, Any]:
    return modal(ids.REJECT_MODAL, "Application", [section(text)], submit=None, close="Close")


REJECT_REASON_REQUIRED = "Please give the applicant a reason."
REJECT_REASON_TOO_LONG = f"Please keep the reason under {program.DECISION_REASON_MAX_LENGTH} characters."
APPLICATION_GONE = "That application no longer exists. Nothing was changed."


def _term_text(term: Any) -> str:
    return f"*{term.start.isoformat()}* to *{term.end.isoformat()}*"


class MembershipMessages:
    """The texts of the membership outbox messages (bot.services.membership.Messages)."""

    def review(self, application: Any) -> dict[str, Any]:
        return review_message(application)

    def welcome(self, name: str, term: Any, required: int, returning: bool = False) -> dict[str, Any]:
        opening = (
            f":tada: Welcome back to the ambassador program, {escape(name)}!"
            if returning
            else f":tada: Welcome to the ambassador program, {escape(name)}! The TSC approved your application."
        )
        text = (
            f"{opening}\nYour term runs from {_term_text(term)}. During it, make at least *{required} "
            "contributions*: articles, talks, videos, podcasts, workshops, initiatives, booth help; reviewing "
            "community content counts too."
        )
        how = (
            f"*How to log*: `{ids.COMMAND} log` opens a form, or in one line "
            f"`{ids.COMMAND} log talk https://youtu.be/abc 2026-11-20 AsyncAPI at KubeCon`. "
            f"`{ids.COMMAND} status` shows your progress; I will remind you before your term ends."
        )
        benefits = "*Benefits*\n" + "\n".join(f"• {benefit}" for benefit in PROGRAM_BENEFITS)
        return message(
            text,
            [
                section(text),
                section(how),
                section(benefits),
                actions(button("Log a contribution", ids.LOG_OPEN, style="primary"), block_id="welcome"),
            ],
        )

    def announcement(self, name: str, title: str | None, company: str | None) -> str:
        role = " at ".join(part for part in (title, company) if part)
        return escape(f"{name}{f' ({role})' if role else ''} is a new ambassador.")

    def rejection(self, name: str, reason: str) -> dict[str, Any]:
        text = (
            f":pray: Hi {escape(name)}, thank you for applying to the ambassador program. The TSC decided not to "
            f"accept your application this time. Their note:\n>{escape(reason)}\n"
            f"Every contribution still counts: keep going, and you are welcome to apply again with "
            f"`{ids.COMMAND} apply`."
        )
        return message(text, [section(text)])

    def nomination(self, nominator: str, application_id: int, required: int) -> dict[str, Any]:
        text = (
            f":wave: {mention(nominator)} nominated you for the ambassador program! Ambassadors make at least "
            f"{required} contributions a year (articles, talks, videos, podcasts, initiatives…) and get the "
            "program's benefits. Interested? Tell the TSC about yourself; it takes a few minutes."
        )
        return message(
            text,
            [
                section(text),
                actions(
                    button("Complete my application", ids.APPLY_OPEN, str(application_id), style="primary"),
                    block_id="nomination",
                ),
                context(f"Or type `{ids.COMMAND} apply`. Not interested? Just ignore this message."),
            ],
        )

    def extended(self, name: str, term: Any, previous_end: date) -> dict[str, Any]:
        text = (
            f":calendar: {escape(name)}, the TSC changed the end of your ambassador term: it now ends on "
            f"*{term.end.isoformat()}* (it was {previous_end.isoformat()})."
        )
        return message(text, [section(text)])

    def emeritus(self, name: str, reason: str) -> dict[str, Any]:
        text = (
            f":pray: {escape(name)}, the TSC has moved you to *emeritus* ambassador. Their note:\n>{escape(reason)}\n"
            "Thank you for everything you gave the community; your contributions stay in the public history. "
            f"Whenever you want to come back, `{ids.COMMAND} apply`."
        )
        return message(text, [section(text)])


MEMBERSHIP_MESSAGES = MembershipMessages()

# --- nominate ---

NOMINATE_USAGE = (
    f"Usage: `{ids.COMMAND} nominate @someone` — mention them with @ so Slack tells me who they are."
)


def nomination_reply(
    status: str, nominee: str, open_status: str | None = None, nominated_by: str | None = None
) -> str:
    who = mention(nominee)
    if status == "nominated":
        return f":raised_hands: Thank you! I asked {who} to complete an application; the TSC will review it."
    if status == "self":
        return f"To put yourself forward, use `{ids.COMMAND} apply`."
    if status == "ambassador":
        return f"{who} is already an ambassador."
    if open_status == "pending":
        return f"{who} has already applied; the TSC is reviewing it."
    by = f" by {mention(nominated_by)}" if nominated_by else ""
    return f"{who} was already nominated{by}; I have asked them to complete the application."


def unknown_user(user_id: str) -> str:
    return f"I could not find {mention(user_id)} in this workspace (or it is a bot). Nothing was changed."


# --- renew ---


def renewal_reply(result: Any, required: int) -> str:
    status = result.status
    following = result.next_term
    if status == "requested":
        return (
            f":white_check_mark: Renewal requested. Your next term runs {_term_text(following)}; it starts the day "
            "after this one ends. Thank you for staying on!"
        )
    if status == "renewed":
        return f":tada: Renewed! Your new term runs {_term_text(following)}. Thank you for staying on!"
    if status == "already_requested":
        return f"You have already asked to renew: your next term starts on {following.start.isoformat()}."
    if status == "not_current":
        return f"That term is no longer your current one, so there is nothing to renew. `{ids.COMMAND} status` shows where you stand."
    current = result.progress
    if result.refusal == "not_met":
        return (
            f"To renew, this term needs {required} contributions and you have {current.counted} "
            f"({current.remaining} to go before {current.term.end.isoformat()}). "
            f"Log them with `{ids.COMMAND} log`, then renew."
        )
    if result.refusal == "too_early":
        opens = program.renewal_opens_on(current.term)
        return (
            f"Renewal opens on {opens.isoformat()}, {program.RENEWAL_WINDOW_DAYS} days before your term ends on "
            f"{current.term.end.isoformat()}. I will remind you."
        )
    return (
        f"The time to renew that term is over (it ended on {current.term.end.isoformat()}, "
        f"{program.RENEWAL_GRACE_DAYS} days of grace included). To come back, `{ids.COMMAND} apply`."
    )


def renewal_clicked_blocks(original: Sequence[Block], reply: str) -> list[Block]:
    """The DM with the Renew button, after the click: the buttons replaced by what happened."""
    kept = [block for block in original if block.get("type") != "actions"]
    return [*kept, context(reply)][:MAX_MESSAGE_BLOCKS]


# --- admin ---

ADMIN_SUBCOMMANDS: list[tuple[str, str]] = [
    ("admin pending", "applications waiting for a decision, with Approve and Reject"),
    ("admin add @someone", "enrol someone directly (a one-year term from today, welcome and announcement)"),
    ("admin link @someone GITHUB", "connect an imported member record (by GitHub handle) to a Slack user"),
    (
        "admin extend @someone DAYS",
        f"let their current term run DAYS (0-{program.MAX_EXTENSION_DAYS}) past its normal end; replaces an earlier extension",
    ),
    ("admin emeritus @someone REASON", "move someone to emeritus now, with a reason they will read"),
    ("admin reinstate @someone", "bring an emeritus member back with a new term from today"),
]
ADMIN_REFUSED = ":no_entry: The admin commands are for TSC members only. Nothing was changed."


def admin_help(unknown: str | None = None) -> str:
    lines = "\n".join(f"• `{ids.COMMAND} {usage}` — {what}" for usage, what in ADMIN_SUBCOMMANDS)
    text = "*TSC admin commands*\n" + lines
    if unknown is not None:
        text = f"I don't know `admin {escape(unknown)}`.\n\n" + text
    return text


def admin_usage(subcommand: str) -> str:
    usage = next((u for u, _ in ADMIN_SUBCOMMANDS if u.split()[1] == subcommand), "admin")
    return f"Usage: `{ids.COMMAND} {usage}`. Mention people with @ so Slack tells me who they are."


def pending_list_message(items: Sequence[Any], total: int, required: int) -> dict[str, Any]:
    if not items:
        text = "No applications are waiting for a decision."
        return message(text, [section(text)])
    title = f"*Applications waiting for a decision* ({total})"
    blocks: list[Block] = [section(title)]
    for item in items:
        role = " at ".join(escape(p) for p in (item.title, item.company) if p)
        who = f"*{escape(item.name)}*" + (f" ({mention(item.slack_user_id)})" if item.slack_user_id else "")
        meets = ":white_check_mark: meets" if item.meets_requirement else ":warning: below"
        detail = (
            f"#{item.id} · sent {slack_date(item.submitted_at)} · {item.recent_contributions} in the last 12 months "
            f"({meets} the requirement of {required})"
        )
        if not item.review_posted:
            detail += " · not posted to the review channel"
        blocks.append(
            section(f"{who}{' — ' + role if role else ''}\n{detail}", block_id=f"pending-{item.id}")
        )
        blocks.append(
            actions(
                button("Approve", ids.APPROVE, str(item.id), style="primary"),
                button("Reject", ids.REJECT, str(item.id), style="danger"),
                block_id=f"pending-actions-{item.id}",
            )
        )
        if len(blocks) >= MAX_MESSAGE_BLOCKS - 2:
            break
    if total > len(items):
        blocks.append(context(f"…and {total - len(items)} more, oldest first."))
    return message(f"{total} application{'s' if total != 1 else ''} waiting for a decision.", blocks)


def add_reply(result: Any, who: str) -> str:
    if result.status == "pending_application":
        return (
            f"{mention(who)} has an application waiting (#{result.application_id}): approve or reject it in the "
            f"review channel or from `{ids.COMMAND} admin pending`."
        )
    term = result.change.term
    if result.status == "already":
        return f"{mention(who)} is already an ambassador (term {_term_text(term)}). Nothing was changed."
    return f":white_check_mark: {mention(who)} is now an ambassador, term {_term_text(term)}. Welcome sent, announcement queued."


def link_reply(result: Any, who: str, github: str) -> str:
    handle = escape(github)
    if result.status == "linked":
        return f":link: Linked {escape(result.name)} (GitHub {handle}, {result.member_status}) to {mention(who)}."
    if result.status == "already":
        return f"{escape(result.name)} (GitHub {handle}) is already linked to {mention(who)}. Nothing was changed."
    if result.status == "no_such_github":
        return (
            f"No member record has the GitHub handle {handle}. Import the members file first "
            f"(`ambassador-bot import`), or enrol them with `{ids.COMMAND} admin add`."
        )
    if result.status == "linked_elsewhere":
        return f"{escape(result.name)} (GitHub {handle}) is linked to {mention(result.other)} already. Nothing was changed."
    return (
        f"{mention(who)} already has their own record ({escape(result.other)}), separate from {escape(result.name)} "
        f"(GitHub {handle}). Nothing was changed; the two records need merging by hand."
    )


def term_change_reply(kind: str, result: Any, who: str, days: int = 0) -> str:
    change = result.change
    if change is None:
        if kind == "extend":
            return f"{mention(who)} has no current term to extend. To bring them back, `{ids.COMMAND} admin reinstate`."
        return f"{mention(who)} is not on record. Nothing was changed."
    if kind == "extend":
        term = change.term
        if not change.changed:
            return f"{mention(who)}'s term already ends on {term.end.isoformat()}. Nothing was changed."
        return (
            f":calendar: {mention(who)}'s term now ends on {term.end.isoformat()} ({days} days past its normal end; "
            f"it ended on {change.previous_end.isoformat()} before). They have been told."
        )
    if kind == "emeritus":
        if not change.changed:
            return f"{mention(who)} is already emeritus. Nothing was changed."
        return f":white_check_mark: {mention(who)} is now emeritus; their current term was closed. They have been told, kindly."
    if not change.changed:
        return (
            f"{mention(who)} is already an ambassador (term {_term_text(change.term)}). Nothing was changed."
        )
    return f":white_check_mark: {mention(who)} is an ambassador again, term {_term_text(change.term)}. They have been told."


# --- jobs: announcements, reminders, renewals, digest (#4) ---------------------------------------

SNOOZE_DAYS_DEFAULT = 30
SNOOZE_USAGE = (
    f"Usage: `{ids.COMMAND} snooze 30d` (or `2w`, `3m`, up to a year) to pause progress reminders, "
    f"`{ids.COMMAND} snooze off` to get them again. Renewal and end-of-term messages are never snoozed."
)
SUBCOMMAND_HELP.append(("snooze 30d | 2w | off", "pause or resume progress reminders"))


def days_phrase(days: int) -> str:
    if days == 0:
        return "today is the last day"
    return f"{days} day{'s' if days != 1 else ''} left"


def reminder_message(current: program.Progress, snooze_days: int = SNOOZE_DAYS_DEFAULT) -> dict[str, Any]:
    """The monthly nudge to an ambassador behind pace: where they are, what is left, how to log."""
    term = current.term
    text = (
        f":wave: A friendly nudge about your ambassador term: *{current.counted} of {current.required}* "
        f"contributions so far, {current.expected_by_now} expected by now. "
        f"{current.remaining} to go, {days_phrase(current.days_left)} (term ends {term.end.isoformat()})."
    )
    hint = (
        f"Log one with the button or `{ids.COMMAND} log TYPE LINK TITLE`. "
        f"Busy? `{ids.COMMAND} snooze 30d` pauses these reminders."
    )
    return message(
        text,
        [
            section(text),
            actions(
                button("Log a contribution", ids.LOG_OPEN, style="primary"),
                button(f"Snooze {snooze_days} days", ids.SNOOZE, value=str(snooze_days)),
            ),
            context(hint),
        ],
    )


def renewal_notice_message(current: program.Progress, term_id: int, can_renew: bool) -> dict[str, Any]:
    """Before the end of a term: met → a Renew button; not met → how many are missing."""
    end = current.term.end.isoformat()
    when = f"Your ambassador term ends on *{end}* ({days_phrase(current.days_left)})."
    if current.met:
        text = (
            f":tada: {when} You made *{current.counted} of {current.required}* contributions, "
            "so you can stay an ambassador for another year."
        )
        if can_renew:
            return message(
                text + " Press *Renew* to continue.",
                [
                    section(text),
                    actions(button("Renew for another year", ids.RENEW, value=str(term_id), style="primary")),
                    context(f"Or type `{ids.COMMAND} renew`."),
                ],
            )
        days = program.RENEWAL_WINDOW_DAYS
        text += f" Renewal opens {days} days before the end; I will remind you."
        return message(text, [section(text)])
    missing = current.remaining
    text = (
        f":hourglass_flowing_sand: {when} You have *{current.counted} of {current.required}* contributions: "
        f"*{missing} more* {'is' if missing == 1 else 'are'} needed to stay an ambassador. "
        "Anything you did this term counts, so log what you have not logged yet."
    )
    return message(
        text,
        [section(text), actions(button("Log a contribution", ids.LOG_OPEN, style="primary"))],
    )


def verification_message(
    outcome: str, current: program.Progress, term_id: int, next_term: Any | None, renew_by: date
) -> dict[str, Any]:
    """The DM after the yearly verification: renewed, may still renew, or emeritus (kindly).

    `next_term` (RENEWED) has `start` and `end`; `renew_by` is the last day of the renewal grace.
    """
    end = current.term.end.isoformat()
    counted = f"{current.counted} of {current.required}"
    thanks = "Thank you for what you gave the community — your contributions stay in the public history."
    if outcome == program.Verification.RENEWED:
        term = f" from {next_term.start.isoformat()} to {next_term.end.isoformat()}" if next_term else ""
        text = (
            f":tada: Your ambassador term ended on {end} with {counted} contributions, and you are renewed "
            f"for another year{term}. Thank you for everything you do for the community!"
        )
    elif outcome == program.Verification.MET:
        text = (
            f":white_check_mark: Your ambassador term ended on {end} and you met the requirement "
            f"({counted} contributions). To stay on for another year, renew by *{renew_by.isoformat()}*."
        )
        return message(
            text,
            [
                section(text),
                actions(button("Renew for another year", ids.RENEW, value=str(term_id), style="primary")),
                context(f"Or type `{ids.COMMAND} renew`."),
            ],
        )
    elif outcome == program.Verification.NOT_RENEWED:
        text = (
            f":pray: Your ambassador term ended on {end}. You met the requirement ({counted}) but did not "
            f"renew by {renew_by.isoformat()}, so you are now an *emeritus* ambassador. {thanks} "
            "If you want to come back, a TSC member can reinstate you."
        )
    else:
        text = (
            f":pray: Your ambassador term ended on {end} with {counted} contributions, short of the "
            f"{current.required} the program asks for, so you are now an *emeritus* ambassador. {thanks} "
            f"Whenever you are ready, you can apply again with `{ids.COMMAND} apply`."
        )
    return message(text, [section(text)])


def _person(item: Any) -> str:
    who = f"*{escape(item.name)}*"
    return f"{who} ({mention(item.slack_user_id)})" if item.slack_user_id else who


def verification_report_message(
    day: date, renewed: Sequence[Any], pending: Sequence[Any], lapsed: Sequence[Any], renew_by: Any
) -> dict[str, Any]:
    """One message to the TSC per verification run: renewed, pending renewal and lapsed members.

    Each item has `name`, `slack_user_id`, `outcome`, `progress` and, renewed, `next_term`;
    `renew_by(item)` is the last day a pending member may still renew.
    """
    title = f"Term verification, {day.isoformat()}"
    summary = f"{len(renewed)} renewed, {len(pending)} pending renewal, {len(lapsed)} lapsed (now emeritus)."
    sections: list[tuple[str, list[str]]] = [
        (
            "Renewed",
            [
                f"• {_person(item)} — {item.progress.counted}/{item.progress.required}"
                + (f", next term to {item.next_term.end.isoformat()}" if item.next_term else "")
                for item in renewed
            ],
        ),
        (
            "Met the requirement, renewal not requested yet",
            [
                f"• {_person(item)} — {item.progress.counted}/{item.progress.required}, "
                f"may renew until {renew_by(item).isoformat()}"
                for item in pending
            ],
        ),
        (
            "Lapsed, now emeritus",
            [
                f"• {_person(item)} — {item.progress.counted}/{item.progress.required}"
                + (" (met, but did not renew)" if item.outcome == program.Verification.NOT_RENEWED else "")
                for item in lapsed
            ],
        ),
    ]
    blocks: list[Block] = [header(title), section(summary)]
    for label, lines in sections:
        if not lines:
            continue
        chunk: list[str] = [f"*{label}* ({len(lines)})"]
        for line in lines:
            if len("\n".join([*chunk, line])) > MAX_SECTION_TEXT:
                blocks.append(section("\n".join(chunk)))
                chunk = []
            chunk.append(line)
        blocks.append(section("\n".join(chunk)))
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        blocks = [*blocks[: MAX_MESSAGE_BLOCKS - 1], context("…more in the audit trail.")]
    return message(f"{title}: {summary}", blocks)


def digest_message(month: date, items: Sequence[Any]) -> dict[str, Any]:
    """Monthly recognition in the announce channel; each item has name, slack_user_id, type, title, link."""
    title = f"Community contributions in {program.month_label(month)} {month.year}"
    people = len({(item.slack_user_id, item.name) for item in items})
    intro = (
        f":sparkles: *{len(items)} contribution{'s' if len(items) != 1 else ''}* by "
        f"{people} ambassador{'s' if people != 1 else ''} last month. Thank you!"
    )
    lines = []
    for item in items:
        who = mention(item.slack_user_id, item.name) if item.slack_user_id else f"*{escape(item.name)}*"
        what = link(item.link, item.title) if item.link else escape(item.title)
        lines.append(f"• {who} — {program.type_label(item.type)}: {what}")
    blocks: list[Block] = [header(title), section(intro)]
    chunk: list[str] = []
    shown = 0
    for line in lines:
        line = truncate(line, MAX_SECTION_TEXT)
        if chunk and len("\n".join([*chunk, line])) > MAX_SECTION_TEXT:
            if len(blocks) >= MAX_MESSAGE_BLOCKS - 2:
                break
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
        shown += 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if more := and_more(shown, len(lines), "See everyone's contributions with `/ambassador list`."):
        blocks.append(more)
    return message(f"{title}: {len(items)} contributions. " + " ".join(lines[:20]), blocks)


ANNOUNCE_BIO_LENGTH = 200


def announcement_message(profiles: Sequence[Any]) -> dict[str, Any]:
    """New ambassadors, batched: name, title and company, a line of bio, and a mention.

    Each profile has name, slack_user_id, title, company, bio.
    """
    many = len(profiles) > 1
    title = ":loudspeaker: Please welcome our new ambassador" + ("s" if many else "") + "!"
    blocks: list[Block] = [section(f"*{title.removeprefix(':loudspeaker: ')}*")]
    names = []
    for profile in profiles:
        role = " at ".join(escape(part) for part in (profile.title, profile.company) if part)
        bio_line = (profile.bio or "").strip().splitlines()[0] if (profile.bio or "").strip() else ""
        who = f"*{escape(profile.name)}*"
        if profile.slack_user_id:
            who += f" ({mention(profile.slack_user_id)})"
        text = who + (f" — {role}" if role else "")
        if bio_line:
            text += f"\n>{escape(truncate(bio_line, ANNOUNCE_BIO_LENGTH))}"
        blocks.append(section(text))
        names.append(profile.name)
    blocks.append(context(f"Want to join them? `{ids.COMMAND} apply`."))
    return message(f"{title.removeprefix(':loudspeaker: ')} " + ", ".join(names), blocks)


# Why a message could not be delivered, and what an admin can do about it.
DELIVERY_ERROR_HELP: dict[str, str] = {
    "not_in_channel": "I am not a member of {where}: invite me there (`/invite @ambassador-bot`).",
    "channel_not_found": (
        "{where} does not exist or I cannot see it: check the channel ID in the settings "
        "(REVIEW_CHANNEL / ANNOUNCE_CHANNEL), or invite me if it is private."
    ),
    "is_archived": "{where} is archived: unarchive it, or point the setting at another channel.",
    "user_not_found": "{where} is not a Slack user I can find (deleted or from another workspace).",
    "user_disabled": "{where} has been deactivated in Slack.",
    "account_inactive": "{where} has been deactivated in Slack.",
    "cannot_dm_bot": "{where} is a bot; it cannot receive DMs.",
    "restricted_action": "A workspace setting stops me from posting in {where}.",
}
DELIVERY_ERROR_FALLBACK = (
    "Slack refused the message ({error}); this is probably a bug: tell the bot's maintainers."
)


def _where(channel: str) -> str:
    if channel.startswith(("U", "W")):
        return f"<@{channel}>"
    if channel.startswith(("C", "G")):
        return f"<#{channel}>"
    return f"`{escape(channel)}`"


def delivery_failures_message(failures: Sequence[Any]) -> dict[str, Any]:
    """Report to the TSC, once, messages Slack refused for good; each has key, channel and error."""
    title = f":warning: I could not deliver {len(failures)} message{'s' if len(failures) != 1 else ''}"
    lines = []
    for failure in failures:
        error = str(failure.error or "unknown_error").split(":")[0]
        explain = DELIVERY_ERROR_HELP.get(error, DELIVERY_ERROR_FALLBACK)
        if error.startswith("gave up"):
            explain = "Slack kept failing for about a day ({error}); see https://slack-status.com."
        lines.append(
            f"• `{escape(failure.key)}` → {_where(failure.channel)}: `{escape(error)}`. "
            + explain.format(where=_where(failure.channel), error=escape(error))
        )
    blocks: list[Block] = [section(f"*{title}*")]
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > MAX_SECTION_TEXT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(truncate(line, MAX_SECTION_TEXT))
    if chunk:
        blocks.append(section("\n".join(chunk)))
    blocks.append(context("These messages will not be retried. Fix the cause; new messages will go through."))
    return message(title + ": " + " ".join(lines), blocks[:MAX_MESSAGE_BLOCKS])


def snoozed_message(until: date) -> str:
    return (
        f":zzz: Progress reminders paused until {until.isoformat()}. "
        f"Renewal and end-of-term messages still reach you. `{ids.COMMAND} snooze off` resumes them."
    )


RESUMED_MESSAGE = ":bell: Progress reminders are back on. `/ambassador snooze 30d` pauses them again."
NOT_SNOOZED_MESSAGE = "Your progress reminders are already on. " + SNOOZE_USAGE
SNOOZE_NOT_AMBASSADOR = "Reminders are for current ambassadors; you have none to snooze."


def snooze_not_understood(typed: str) -> str:
    return f":x: I could not read `{escape(typed)}` as a duration.\n\n{SNOOZE_USAGE}"


# --- App Home (#5) -------------------------------------------------------------------------------

# Program facts for people who are not ambassadors yet (AMBASSADOR_PROGRAM.md, "Ambassador benefits").
PROGRAM_BENEFITS = (
    "An invitation to the project's GitHub organization",
    "A special swag pack for ambassadors, and swag for the people at your talks and workshops",
    "Free entry to the project's conferences",
    "Community-wide recognition, and all our respect for your contributions",
)
HISTORY_POINTER = f"`{ids.COMMAND} history` lists them all."
PENDING_POINTER = f"`{ids.COMMAND} admin pending` lists them all."
AT_RISK_POINTER = f"`{ids.COMMAND} list` shows every ambassador's progress."
EXPORT_POINTER = "The TSC's `ambassador-bot export` has the whole record."
CONTRIBUTION_GONE = "That contribution is no longer on your record (it may have been deleted already)."
HISTORY_MAX_BLOCKS = MAX_MESSAGE_BLOCKS - 2

SUBCOMMAND_HELP.append(("history", "every contribution you have on record, newest first"))


def _local_date(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).date().isoformat() if moment else "an unknown date"


def contribution_date(occurred_on: date, precision: str) -> str:
    """As precise as the record: 2026-11-20, "March 2024" (imported month), or "2024"."""
    if precision == program.DatePrecision.YEAR:
        return str(occurred_on.year)
    if precision == program.DatePrecision.MONTH:
        return f"{program.month_label(occurred_on)} {occurred_on.year}"
    return occurred_on.isoformat()


def contribution_line(item: home.ContributionItem) -> str:
    label = program.type_label(item.type)
    when = contribution_date(item.occurred_on, item.date_precision)
    return f"*{escape(label)}* · {link(item.link, item.title)} · {when}"


def contribution_row(item: home.ContributionItem) -> list[Block]:
    """One of the viewer's contributions with Edit and Delete (the delete asks first)."""
    confirm = confirm_dialog(
        "Delete this contribution?",
        f"“{escape(truncate(item.title, 150))}” will be removed from your record"
        + (" and no longer count toward this term." if item.counts_toward_term else "."),
        "Delete",
        "Keep it",
    )
    return [
        section(contribution_line(item), block_id=f"contribution-{item.id}"),
        actions(
            button("Edit", ids.EDIT_CONTRIBUTION, str(item.id)),
            button("Delete", ids.DELETE_CONTRIBUTION, str(item.id), style="danger", confirm=confirm),
            block_id=f"contribution-actions-{item.id}",
        ),
    ]


def program_blocks(required: int) -> list[Block]:
    benefits = "\n".join(f"• {benefit}" for benefit in PROGRAM_BENEFITS)
    return [
        header("The ambassador program"),
        section(
            "Ambassadors bring the project to more people: they write, speak, record, teach and drive "
            "community initiatives.\n\n"
            f"*The commitment:* at least *{required} contributions a year* (articles, talks, videos, "
            "podcasts, presentations, workshops, initiatives…).\n"
            "*A term* lasts one year from acceptance and can be renewed when the requirement is met.\n\n"
            f"*What ambassadors get:*\n{benefits}"
        ),
    ]


def apply_blocks(required: int, application: home.ApplicationItem | None, zone: tzinfo) -> list[Block]:
    """The Apply button, or where the viewer's application stands."""
    if application and application.status == "pending":
        return [
            section(
                f":hourglass_flowing_sand: Your application, sent {_local_date(application.submitted_at, zone)}, "
                "is with the TSC. You will get a message from me when they decide."
            )
        ]
    if application and application.status == "nominated":
        return [
            section(
                f":wave: {mention(application.nominated_by, 'A community member')} nominated you for the "
                "ambassador program. Tell the TSC about yourself to complete your application."
            ),
            actions(
                button("Complete my application", ids.APPLY_OPEN, str(application.id), style="primary"),
                block_id="apply",
            ),
        ]
    blocks: list[Block] = []
    if application and application.status == "rejected":
        reason = (
            f"\n>{escape(truncate(application.decision_reason, 1000))}" if application.decision_reason else ""
        )
        blocks.append(
            section(
                f"Your application of {_local_date(application.submitted_at or application.decided_at, zone)} "
                f"was not accepted this time.{reason}\nYou are welcome to apply again."
            )
        )
    blocks.append(
        section(
            f"Made {required} contributions in the last twelve months? Apply and the TSC will review it.",
            block_id="apply-intro",
            accessory=button("Apply", ids.APPLY_OPEN, style="primary"),
        )
    )
    return blocks


def ambassador_blocks(personal: home.PersonalHome, now: datetime, zone: tzinfo) -> list[Block]:
    current = personal.progress
    term = personal.current_term
    assert current is not None and term is not None
    status = (
        f"*Term* {term.start.isoformat()} → {term.end.isoformat()}\n"
        f"{progress_bar(current)}  {progress_line(current)}\n{pace_text(current)}"
    )
    notes: list[str] = []
    buttons = [button("Log a contribution", ids.LOG_OPEN, style="primary")]
    if term.renewal_requested:
        notes.append(":repeat: Renewal requested: your next term starts the day after this one ends.")
    elif personal.can_renew:
        notes.append(":tada: You met the requirement: you can renew for another year.")
        buttons.append(button("Renew", ids.RENEW, str(term.id), style="primary"))
    if personal.snoozed(now):
        assert personal.snoozed_until is not None
        notes.append(
            f":zzz: Progress reminders snoozed until {_local_date(personal.snoozed_until, zone)} "
            "(renewal messages still come)."
        )
        buttons.append(button("Resume reminders", ids.RESUME))
    else:
        buttons.append(
            button(f"Snooze reminders {SNOOZE_DAYS_DEFAULT} days", ids.SNOOZE, str(SNOOZE_DAYS_DEFAULT))
        )
    blocks: list[Block] = [header("Your ambassador term"), section(status, block_id="progress")]
    if notes:
        blocks.append(context("\n".join(notes)))
    blocks += [actions(*buttons, block_id="member-actions"), divider()]
    blocks.append(header(f"Your contributions this term ({personal.contributions_listed_total})"))
    if not personal.contributions:
        blocks.append(section("Nothing logged this term yet. *Log a contribution* above to start counting."))
    for item in personal.contributions:
        blocks += contribution_row(item)
    if more := and_more(len(personal.contributions), personal.contributions_listed_total, HISTORY_POINTER):
        blocks.append(more)
    if personal.earlier_contributions:
        earlier = personal.earlier_contributions
        blocks.append(
            context(
                f":books: {earlier} contribution{'s' if earlier != 1 else ''} from before this term. "
                + HISTORY_POINTER
            )
        )
    return blocks


TERM_STATUS_TEXT = {
    "active": "current",
    "completed": "requirement met",
    "lapsed": "ended without the requirement",
    "ended": "closed by the TSC",
}


def emeritus_blocks(personal: home.PersonalHome, required: int, zone: tzinfo) -> list[Block]:
    terms = [
        f"• {term.start.isoformat()} → {term.end.isoformat()} ({TERM_STATUS_TEXT.get(term.status, term.status)})"
        for term in personal.terms[-10:]
    ]
    blocks: list[Block] = [
        header("Thank you for being an ambassador"),
        section(
            "You are an emeritus ambassador. Your terms:\n" + ("\n".join(terms) or "• none recorded"),
            block_id="terms",
        ),
    ]
    total = personal.contributions_total
    if total:
        lines = "\n".join(f"• {contribution_line(item)}" for item in personal.contributions)
        blocks.append(
            section(f"*Your contributions* ({total} on record, latest first)\n{lines}", block_id="history")
        )
        if more := and_more(len(personal.contributions), total, HISTORY_POINTER):
            blocks.append(more)
    blocks += [
        divider(),
        header("Coming back"),
        section(
            f"Make {required} contributions within twelve months and apply again, or ask a TSC member "
            "to reinstate you."
        ),
        *apply_blocks(required, personal.application, zone),
    ]
    return blocks


def newcomer_blocks(personal: home.PersonalHome | None, required: int, zone: tzinfo) -> list[Block]:
    application = personal.application if personal else None
    blocks: list[Block] = []
    if application is None or application.status not in ("pending", "nominated"):
        blocks += program_blocks(required)
    else:
        blocks.append(header("Your application"))
    blocks += apply_blocks(required, application, zone)
    if application and application.status in ("pending", "nominated"):
        blocks += [divider(), *program_blocks(required)]
    return blocks


def _types_text(by_type: dict[str, int]) -> str:
    ordered = sorted(by_type.items(), key=lambda pair: (-pair[1], pair[0]))
    return " · ".join(f"{program.type_label(type_)} {count}" for type_, count in ordered)


def pending_row(application: home.PendingApplication, required: int, zone: tzinfo) -> list[Block]:
    role = ", ".join(escape(part) for part in (application.title, application.company) if part)
    who = f"*{escape(application.name)}*"
    if application.slack_user_id:
        who += f" ({mention(application.slack_user_id)})"
    if role:
        who += f" — {role}"
    if application.country:
        who += f" · {escape(application.country)}"
    meets = (
        ":white_check_mark: meets the requirement"
        if application.meets_requirement
        else f":warning: below the requirement of {required}"
    )
    detail = (
        f"Sent {_local_date(application.submitted_at, zone)} · {application.recent_contributions} "
        f"contribution{'s' if application.recent_contributions != 1 else ''} in the last 12 months · {meets}"
    )
    approve_confirm = {
        **confirm_dialog(
            f"Approve {truncate(application.name, 60)}?",
            "Their one-year term starts today and they get the welcome message.",
            "Approve",
        ),
        "style": "primary",
    }
    return [
        section(f"{who}\n{detail}", block_id=f"application-{application.id}"),
        actions(
            button("Approve", ids.APPROVE, str(application.id), style="primary", confirm=approve_confirm),
            button("Reject", ids.REJECT, str(application.id), style="danger"),
            block_id=f"application-actions-{application.id}",
        ),
    ]


def at_risk_line(ambassador: home.AtRiskAmbassador) -> str:
    current = ambassador.progress
    who = f"*{escape(ambassador.name)}*" + (
        f" ({mention(ambassador.slack_user_id)})" if ambassador.slack_user_id else ""
    )
    why = (
        f"behind pace ({current.expected_by_now} expected by now)"
        if ambassador.behind_pace
        else "requirement not met yet"
    )
    days = "term ended" if current.ended else f"{current.days_left} days left"
    return f"• {who} — {current.counted} of {current.required} · {why} · ends {current.term.end.isoformat()} ({days})"


def tsc_blocks(tsc: home.TscHome, required: int, today: date, zone: tzinfo) -> list[Block]:
    blocks: list[Block] = [divider(), header(f"TSC · Applications waiting ({tsc.pending_total})")]
    if not tsc.pending:
        blocks.append(context("No applications are waiting for a decision."))
    for application in tsc.pending:
        blocks += pending_row(application, required, zone)
    if more := and_more(len(tsc.pending), tsc.pending_total, PENDING_POINTER):
        blocks.append(more)

    blocks.append(header(f"TSC · Ambassadors at risk ({tsc.at_risk_total})"))
    if not tsc.at_risk:
        blocks.append(context("Every ambassador is on pace. :tada:"))
    chunk: list[str] = []
    for line in (at_risk_line(ambassador) for ambassador in tsc.at_risk):
        if sum(len(text) + 1 for text in chunk) + len(line) > MAX_SECTION_TEXT - 100:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk), block_id="at-risk"))
    if more := and_more(len(tsc.at_risk), tsc.at_risk_total, AT_RISK_POINTER):
        blocks.append(more)

    figures = tsc.figures
    month_name = f"{program.month_label(today)} {today.year}"
    fields = [
        mrkdwn(f"*Active ambassadors*\n{figures.active_ambassadors}"),
        mrkdwn(
            f"*Renewals due in {program.RENEWAL_WINDOW_DAYS} days*\n{figures.renewals_due} "
            f"({figures.renewals_due_met} met the requirement, {figures.renewals_requested} asked to renew)"
        ),
        mrkdwn(
            f"*Contributions in {month_name}*\n{figures.this_month}"
            + (f"\n{_types_text(figures.this_month_by_type)}" if figures.this_month else "")
        ),
        mrkdwn(
            f"*Contributions in {today.year}*\n{figures.this_year}"
            + (f"\n{_types_text(figures.this_year_by_type)}" if figures.this_year else "")
        ),
    ]
    blocks += [header("TSC · Program figures"), {"type": "section", "block_id": "figures", "fields": fields}]
    return blocks


def home_view(data: home.Home, zone: tzinfo) -> dict[str, Any]:
    """The App Home tab for `data.slack_user_id`; dates in their time zone (`zone`)."""
    personal = data.personal
    if personal and personal.is_ambassador:
        blocks = ambassador_blocks(personal, data.now, zone)
    elif personal and personal.status == "emeritus":
        blocks = emeritus_blocks(personal, data.required, zone)
    else:
        blocks = newcomer_blocks(personal, data.required, zone)
    if data.tsc is not None:
        blocks += tsc_blocks(data.tsc, data.required, data.today, zone)
    blocks.append(
        context(f"Updated {data.now.astimezone(zone):%Y-%m-%d %H:%M} · `{ids.COMMAND} help` for commands")
    )
    # The lists above are cut to fit; this only guards Slack's hard limit.
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


def edit_contribution_modal(item: OwnContribution) -> dict[str, Any]:
    """The log form, filled with the contribution as it is; submitting saves the changes."""
    blocks = copy.deepcopy(log_modal(item.occurred_on)["blocks"])
    by_id = {block["block_id"]: block["element"] for block in blocks}
    canonical = program.normalize_type(item.type)
    for option in by_id["type"]["options"]:
        if option["value"] == canonical:
            by_id["type"]["initial_option"] = option
    by_id["title"]["initial_value"] = item.title
    if len(item.title) > by_id["title"].get("max_length", len(item.title)):
        # An imported title longer than the form allows: shown whole, so the member can shorten it.
        del by_id["title"]["max_length"]
    if item.link:
        by_id["link"]["initial_value"] = item.link
    if item.reach is not None:
        by_id["reach"]["initial_value"] = str(item.reach)
    if item.notes:
        by_id["notes"]["initial_value"] = item.notes
        by_id["notes"]["max_length"] = max(by_id["notes"]["max_length"], len(item.notes))
    return modal(
        ids.EDIT_MODAL,
        "Edit contribution",
        blocks,
        submit="Save",
        private_metadata=json.dumps({"contribution_id": item.id}),
    )


def history_message(record: home.History | None, required: int) -> dict[str, Any]:
    """`/ambassador history`: the member's own contributions, newest first, in as many sections as fit."""
    if record is None or not record.contributions:
        text = "You have no contributions on record yet."
        if record is None or not record.terms:
            text += " " + not_an_ambassador(required)
        return message(text, [section(text)])
    terms = "; ".join(
        f"{term.start.isoformat()} → {term.end.isoformat()} ({TERM_STATUS_TEXT.get(term.status, term.status)})"
        for term in record.terms[-5:]
    )
    intro = f"*Your contributions* ({len(record.contributions)} on record, newest first; ✓ counts toward this term)"
    if terms:
        intro += f"\nTerms: {terms}"
    blocks: list[Block] = [section(intro)]
    chunk: list[str] = []
    size = shown = 0
    for item in record.contributions:
        line = ("✓ " if item.counts_toward_term else "• ") + contribution_line(item)
        if size + len(line) + 1 > MAX_SECTION_TEXT:
            if len(blocks) >= HISTORY_MAX_BLOCKS:
                break
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
        shown += 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if more := and_more(shown, len(record.contributions), EXPORT_POINTER):
        blocks.append(more)
    return message(intro, blocks)
