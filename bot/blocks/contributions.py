"""Logging contributions: usage and problems, progress and pace, status, the list, the log and edit
forms, and the member's history.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, tzinfo
from typing import Any

from bot.blocks import general as general_blocks
from bot.blocks import ids, kit
from bot.blocks import impact as impact_blocks
from bot.blocks import review as review_blocks
from bot.blocks.emeritus import emeritus_line
from bot.rules import impact as impact_rules
from bot.rules import membership as membership_rules
from bot.rules import parsing
from bot.rules.impact import Impact
from bot.rules.membership import Problem
from bot.rules.parsing import DateWrittenOtherwise
from bot.rules.review import ReviewState
from bot.services import home
from bot.services.contributions import OwnContribution
from bot.services.impact import TermImpact

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
    + ", ".join(membership_rules.CONTRIBUTION_TYPES)
    + ".",
    Problem.BAD_LINK: "The link must be a full web address starting with http:// or https://.",
    Problem.LINK_TOO_LONG: f"The link is too long (at most {membership_rules.LINK_MAX_LENGTH} characters).",
    Problem.FUTURE_DATE: "The date is in the future; log a contribution once it has happened "
    "(talks and workshops may be logged up to twelve months ahead).",
    Problem.TOO_FAR_AHEAD: "That is more than twelve months ahead; log the talk closer to its date.",
    Problem.BAD_DATE: "The date must be a real date written YYYY-MM-DD.",
    Problem.EMPTY_TITLE: "Give the contribution a title.",
    Problem.TITLE_TOO_LONG: f"The title is too long (at most {membership_rules.TITLE_MAX_LENGTH} characters).",
    Problem.DUPLICATE_LINK: "You already logged a contribution with this link.",
    Problem.CONTROL_CHARACTERS: "The title contains invisible control characters (often from a paste); "
    "type it again.",
}
REACH_NOT_A_NUMBER = "Reach is a whole number, e.g. 250."
DATE_EXAMPLE = "2025-11-25"


def date_written_otherwise(found: DateWrittenOtherwise) -> str:
    """A title that starts with a date written another way: nothing stored, and how to write it."""
    written = found.meant.isoformat() if found.meant else DATE_EXAMPLE
    meant = "" if found.meant else " (year, month, day)"
    return (
        f":x: Nothing was recorded: `{kit.escape(found.text)}` looks like a date. Write the date as "
        f"{written}{meant}, after the link and before the title.\n\n{LOG_USAGE}"
    )


def problems_text(problems: dict[str, Problem], usage: str = LOG_USAGE) -> str:
    lines = [f"• {PROBLEM_TEXT[problem]}" for problem in problems.values()]
    return ":x: Nothing was recorded:\n" + "\n".join(lines) + f"\n\n{usage}"


def progress_line(current: membership_rules.Progress) -> str:
    """e.g. "2 of 4 contributions this term · term ends 2027-03-01 (97 days left)"."""
    counted = kit.tally(current.counted, current.required, " this term")
    if current.ended:
        return f"{counted} · term ended {current.term.end.isoformat()} (verification pending)"
    left = current.days_left
    days = "last day" if left == 0 else f"{left} day{'s' if left != 1 else ''} left"
    return f"{counted} · term ends {current.term.end.isoformat()} ({days})"


def pace_text(current: membership_rules.Progress) -> str:
    if current.met:
        return ":white_check_mark: Requirement met for this term."
    if current.on_pace:
        return f":large_green_circle: On pace: {current.remaining} to go."
    return (
        f":large_orange_circle: Behind pace: {current.expected_by_now} expected by now, "
        f"{current.remaining} to go."
    )


def progress_bar(current: membership_rules.Progress) -> str:
    filled = min(current.counted, current.required)
    return "▰" * filled + "▱" * (current.required - filled)


def logged_message(
    type_: str,
    title: str,
    occurred_on: date,
    counts: bool,
    current: membership_rules.Progress | None,
    upcoming: bool = False,
    waiting_review: bool = False,
) -> dict[str, Any]:
    label = membership_rules.type_label(type_)
    if upcoming:
        text = (
            f":calendar: Logged your upcoming {label.lower()} *{kit.escape(title)}* ({occurred_on.isoformat()}). "
            "It counts once its day has come, and the day after I will ask you how it went."
        )
    else:
        text = f":tada: Logged your {label.lower()} *{kit.escape(title)}* ({occurred_on.isoformat()})."
    if waiting_review:
        text += "\n" + review_blocks.LOGGED_WAITING
    elif not counts and not upcoming:
        text += "\nIt is dated before your current term, so it is kept in your history but does not count toward this term."
    if current is not None:
        text += "\n" + progress_line(current)
    return kit.message(text, [kit.section(text)])


def status_message(
    name: str,
    current: membership_rules.Progress,
    renewal_requested: bool,
    reach: TermImpact | None = None,
) -> dict[str, Any]:
    """`/ambassador status`: the term, its progress and pace, and what it reached (`reach`)."""
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
    if reach is not None and (waiting := review_blocks.waiting_text(reach.waiting_review)):
        text += "\n" + waiting
    if reach is not None and (impact_text := impact_blocks.status_lines(reach.figures, reach.upcoming)):
        text += "\n" + impact_text
    return kit.message(text, [kit.section(text)])


def ambassador_list_message(
    rows: Sequence[Any],
    required: int,
    emeritus: Sequence[Any] = (),
    emeritus_total: int = 0,
    zone: tzinfo = UTC,
) -> dict[str, Any]:
    """`/ambassador list`: the current ambassadors (and who is on a pause), then the latest emeritus
    members with since when and why."""
    emeritus_lines = [
        f"• *{kit.escape(row.name)}*"
        + (f" ({kit.mention(row.slack_user_id)})" if row.slack_user_id else "")
        + f" — {emeritus_line(row.since, row.reason, row.note, zone)}"
        for row in emeritus
    ]
    if not rows and not emeritus_lines:
        text = "There are no current ambassadors yet."
        return kit.message(text, [kit.section(text)])
    header_text = f"*Current ambassadors* ({len(rows)})"
    lines = []
    for row in rows:
        role = ", ".join(part for part in (row.title, row.company) if part)
        who = (
            f"{kit.mention(row.slack_user_id, row.name)}"
            if row.slack_user_id
            else f"*{kit.escape(row.name)}*"
        )
        if row.slack_user_id:
            who = f"*{kit.escape(row.name)}* ({who})"
        paused = getattr(row, "paused_until", None)
        lines.append(
            f"• {who}{' — ' + kit.escape(role) if role else ''} · {kit.tally(row.counted, required, ' this term')}"
            + (f" · :pause_button: paused until {paused.isoformat()}" if paused else "")
        )
    blocks: list[kit.Block] = [kit.section(header_text)]
    # The emeritus section keeps its room at the end: the header, its lines, and a pointer.
    room = kit.MAX_MESSAGE_BLOCKS - (3 if emeritus_lines else 0)
    chunk: list[str] = []
    size = 0
    shown = 0
    for line in lines:
        if size + len(line) + 1 > kit.MAX_SECTION_TEXT:
            blocks.append(kit.section("\n".join(chunk)))
            chunk, size = [], 0
            if len(blocks) >= room - 2:
                break
        chunk.append(line)
        size += len(line) + 1
        shown += 1
    if chunk:
        blocks.append(kit.section("\n".join(chunk)))
    if more := kit.and_more(shown, len(lines), "`ambassador-bot export` lists everyone."):
        blocks.append(more)
    text = header_text + "\n" + "\n".join(lines[:shown])
    if emeritus_lines:
        heading = f"*Emeritus* ({emeritus_total}, the most recent first)"
        listed = [heading]
        for line in emeritus_lines:  # whole lines only: a cut mention or link would break the mrkdwn
            if len("\n".join([*listed, line])) > kit.MAX_SECTION_TEXT:
                break
            listed.append(line)
        blocks.append(kit.section("\n".join(listed), block_id="emeritus"))
        pointer = "`ambassador-bot export --emeritus` lists them all."
        if more := kit.and_more(len(listed) - 1, emeritus_total, pointer):
            blocks.append(more)
        text += "\n" + heading
    return kit.message(text, blocks)


@dataclass(frozen=True)
class LogForm:
    """The log form's values: what the member typed, or what the bot filled in for them."""

    occurred_on: date
    type: str | None = None  # a canonical type, or None before one is picked
    title: str = ""
    link: str = ""
    notes: str | None = None
    impact: Impact = field(default_factory=Impact)  # the audience is `impact.reach`
    # Slack keeps what an input holds across `views.update` as long as its block and action IDs stay
    # the same, whatever the new view says. A field the bot fills in after the form is open (a page's
    # title) therefore gets a new block ID: `title~1`, `title~2`... (`parsing.form_state` reads past it).
    versions: Mapping[str, int] = field(default_factory=dict)

    def block_id(self, name: str) -> str:
        version = self.versions.get(name, 0)
        return f"{name}{parsing.VERSION_SEPARATOR}{version}" if version else name


TYPE_OPTIONS = [
    {"text": kit.plain(label), "value": value} for value, label in membership_rules.CONTRIBUTION_TYPES.items()
]


def log_form_blocks(form: LogForm, *, link_details: bool = False) -> list[kit.Block]:
    """The log (and edit) form: type, title, link, date, what it reached (by type), notes.

    Picking a type redraws the form with the fields that fit it; with `link_details`, pressing Enter in
    the link field has the bot read the page and fill in the title and type.
    """
    type_element: kit.Block = {"type": "static_select", "action_id": "value", "options": TYPE_OPTIONS}
    for option in TYPE_OPTIONS:
        if option["value"] == form.type:
            type_element["initial_option"] = option
    title_element: kit.Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": membership_rules.TITLE_MAX_LENGTH,
        "placeholder": kit.plain("AsyncAPI at KubeCon"),
    }
    if form.title:
        title_element["initial_value"] = form.title
        if len(form.title) > membership_rules.TITLE_MAX_LENGTH:
            # An imported title longer than the form allows: shown whole, so the member can shorten it.
            del title_element["max_length"]
    link_element: kit.Block = {"type": "url_text_input", "action_id": "value"}
    if form.link:
        link_element["initial_value"] = form.link
    link_block: kit.Block = {
        "type": "input",
        "block_id": form.block_id("link"),
        "label": kit.plain("Link"),
        "element": link_element,
    }
    if link_details:
        link_block["dispatch_action"] = True
        link_element["dispatch_action_config"] = {"trigger_actions_on": ["on_enter_pressed"]}
        link_block["hint"] = kit.plain(
            "Press Enter after the link: I fill in the title and type from the page."
        )
    date_block: kit.Block = {
        "type": "input",
        "block_id": form.block_id("date"),
        "label": kit.plain("Date"),
        "element": {"type": "datepicker", "action_id": "value", "initial_date": form.occurred_on.isoformat()},
    }
    if form.type is None or impact_rules.may_be_upcoming(form.type):
        date_block["hint"] = kit.plain(impact_blocks.UPCOMING_HINT)
    notes_element: kit.Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": NOTES_MAX_LENGTH,
    }
    if form.notes:
        notes_element["initial_value"] = form.notes
        notes_element["max_length"] = max(NOTES_MAX_LENGTH, len(form.notes))
    type_block: kit.Block = {
        "type": "input",
        "block_id": form.block_id("type"),
        # Picking a type redraws the form with the impact fields that fit it.
        "dispatch_action": True,
        "label": kit.plain("Type"),
        "element": type_element,
    }
    if form.type is None:
        type_block["hint"] = kit.plain(impact_blocks.PICK_A_TYPE_HINT)
    return [
        type_block,
        {
            "type": "input",
            "block_id": form.block_id("title"),
            "label": kit.plain("Title"),
            "element": title_element,
        },
        link_block,
        date_block,
        *impact_blocks.impact_inputs(form.type, form.impact),
        {
            "type": "input",
            "block_id": "notes",
            "optional": True,
            "label": kit.plain("Notes for the TSC"),
            "element": notes_element,
        },
    ]


NOTES_MAX_LENGTH = 2000
FORM_TITLES = {ids.LOG_MODAL: ("Log a contribution", "Log it"), ids.EDIT_MODAL: ("Edit contribution", "Save")}


def log_form_view(
    callback_id: str, form: LogForm, private_metadata: str = "", *, link_details: bool = False
) -> dict[str, Any]:
    """The log form (`ids.LOG_MODAL`) or the edit form (`ids.EDIT_MODAL`) with these values."""
    title, submit = FORM_TITLES[callback_id]
    asked = review_blocks.question_block(private_metadata) if callback_id == ids.EDIT_MODAL else []
    return kit.modal(
        callback_id,
        title,
        [*asked, *log_form_blocks(form, link_details=link_details)],
        submit=submit,
        private_metadata=private_metadata,
    )


def log_modal(
    today: date, private_metadata: str = "", *, form: LogForm | None = None, link_details: bool = False
) -> dict[str, Any]:
    return log_form_view(ids.LOG_MODAL, form or LogForm(today), private_metadata, link_details=link_details)


EXPORT_POINTER = "The TSC's `ambassador-bot export` has the whole record."
CONTRIBUTION_GONE = "That contribution is no longer on your record (it may have been deleted already)."
HISTORY_MAX_BLOCKS = kit.MAX_MESSAGE_BLOCKS - 2


def contribution_date(occurred_on: date, precision: str) -> str:
    """As precise as the record: 2026-11-20, "March 2024" (imported month), or "2024"."""
    if precision == membership_rules.DatePrecision.YEAR:
        return str(occurred_on.year)
    if precision == membership_rules.DatePrecision.MONTH:
        return f"{membership_rules.month_label(occurred_on)} {occurred_on.year}"
    return occurred_on.isoformat()


def contribution_line(item: home.ContributionItem, with_impact: bool = False) -> str:
    """One contribution: type, title (linked), date; upcoming ones say so; `with_impact` adds a second
    line with what it reached (event, place, language, audience, recording, slides)."""
    label = membership_rules.type_label(item.type)
    when = contribution_date(item.occurred_on, item.date_precision)
    line = f"*{kit.escape(label)}* · {kit.link(item.link, item.title)} · {when}"
    if item.upcoming:
        line = f":calendar: Upcoming {line} (counts once its day has come)"
    if with_impact and (reached := impact_blocks.impact_line(item.type, item.impact)):
        line += f"\n{reached}"
    if review := review_blocks.state_line(item.review_state, item.review_note):
        line += f"\n{review}"
    return line


TERM_STATUS_TEXT = {
    "active": "current",
    "completed": "requirement met",
    "lapsed": "ended without the requirement",
    "ended": "closed by the TSC",
}


def edit_contribution_modal(item: OwnContribution, *, link_details: bool = False) -> dict[str, Any]:
    """The log form, filled with the contribution as it is; submitting saves the changes."""
    form = LogForm(
        occurred_on=item.occurred_on,
        type=membership_rules.normalize_type(item.type),
        title=item.title,
        link=item.link,
        notes=item.notes,
        impact=replace(item.impact, reach=item.reach),
    )
    metadata: dict[str, Any] = {"contribution_id": item.id}
    if item.review_state == ReviewState.NEEDS_INFO and item.review_note:
        metadata["asked"] = kit.truncate(item.review_note, 1000)  # shown above the form, kept on redraws
    return log_form_view(ids.EDIT_MODAL, form, json.dumps(metadata), link_details=link_details)


def history_message(record: home.History | None, required: int) -> dict[str, Any]:
    """`/ambassador history`: the member's own contributions, newest first, in as many sections as fit."""
    if record is None or not record.contributions:
        text = "You have no contributions on record yet."
        if record is None or not record.terms:
            text += " " + general_blocks.not_an_ambassador(required)
        return kit.message(text, [kit.section(text)])
    terms = "; ".join(
        f"{term.start.isoformat()} → {term.end.isoformat()} ({TERM_STATUS_TEXT.get(term.status, term.status)})"
        for term in record.terms[-5:]
    )
    intro = f"*Your contributions* ({len(record.contributions)} on record, newest first; ✓ counts toward this term)"
    if terms:
        intro += f"\nTerms: {terms}"
    blocks: list[kit.Block] = [kit.section(intro)]
    chunk: list[str] = []
    size = shown = 0
    for item in record.contributions:
        line = ("✓ " if item.counts_toward_term else "• ") + contribution_line(item, with_impact=True)
        if size + len(line) + 1 > kit.MAX_SECTION_TEXT:
            if len(blocks) >= HISTORY_MAX_BLOCKS:
                break
            blocks.append(kit.section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
        shown += 1
    if chunk:
        blocks.append(kit.section("\n".join(chunk)))
    if more := kit.and_more(shown, len(record.contributions), EXPORT_POINTER):
        blocks.append(more)
    return kit.message(intro, blocks)
