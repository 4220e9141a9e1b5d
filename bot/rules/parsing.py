"""Parsing what members type (command text, modal state) into plain values. No Slack calls here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.rules import slack_text

ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def unwrap_link(token: str) -> str:
    """Slack sends links in command text as `<https://x>` or `<https://x|label>` when escaping is on."""
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1].split("|", 1)[0]
    return token


def whole_number(text: str | None, max_digits: int = 9) -> int | None:
    """A non-negative whole number written in ASCII digits (`"²"` and `"١٢"` are not), small enough
    for a database integer column; None otherwise."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > max_digits:
        return None
    return int(text)


def parse_iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if ISO_DATE.match(text) else None
    except ValueError:
        try:
            year, month, day = (int(part) for part in text.split("-"))
            return date(year, month, day)
        except ValueError:
            return None


@dataclass(frozen=True)
class InlineLog:
    """`log TYPE LINK [YYYY-MM-DD] TITLE...`: the raw parts; `date_text` is None when omitted."""

    type: str
    link: str
    date_text: str | None
    title: str


def parse_inline_log(slack_args: str) -> InlineLog | None:
    """The parts of Slack's command text, decoded (`&amp;` → `&`, `<url|label>` → url for the link
    and the label elsewhere); None when it does not have the shape (fewer than type, link and title).
    """
    words = slack_text.words(slack_args)
    if len(words) < 3:
        return None
    type_, link, rest = words[0].text, words[1].link, words[2:]
    date_text = None
    if ISO_DATE.match(rest[0].text):
        date_text, rest = rest[0].text, rest[1:]
    return InlineLog(type_, link, date_text, " ".join(word.text for word in rest))


def user_mention(token: str) -> str | None:
    """The user ID in an escaped mention (`<@U123|jane>`), the only trustworthy form of a user in text."""
    match = USER_MENTION.match(token.strip())
    return match.group(1) if match else None


def state_value(state: dict[str, Any], block_id: str, action_id: str = "value") -> str | None:
    """The submitted value of one input in `view.state.values`, whatever its element type."""
    element = (state.get(block_id) or {}).get(action_id) or {}
    kind = element.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = element.get("selected_option") or {}
        return option.get("value")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "checkboxes":
        chosen = [str(option.get("value")) for option in element.get("selected_options") or []]
        return ",".join(chosen) or None
    value = element.get("value")
    return value if value is None else str(value)


# A form may give a block a new ID to replace what it shows (`title~2`): the name is what comes before.
VERSION_SEPARATOR = "~"


def base_block_id(block_id: str) -> str:
    return block_id.split(VERSION_SEPARATOR, 1)[0]


def form_state(state: dict[str, Any]) -> dict[str, Any]:
    """`view.state.values` keyed by each block's name (`title~2` → `title`), for `state_value`."""
    return {base_block_id(str(block_id)): value for block_id, value in (state or {}).items()}


# --- membership ----------------------------------------------------------------------------

MONTH_OR_DAY = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
# A name after the ID may contain spaces; the mention ends at the first ">".
LEADING_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>(.*)$", re.DOTALL)


@dataclass(frozen=True)
class ContributionLine:
    """One line of the application's contributions field, `TYPE LINK YYYY-MM TITLE...`, as typed.

    `complete` is False when the line has fewer than the four parts; the parts it has are kept.
    """

    number: int  # 1-based, counting every line of the field (what the applicant sees)
    type: str
    link: str
    date_text: str
    title: str
    complete: bool


def contribution_lines(text: str) -> list[ContributionLine]:
    """The non-blank lines of the field; bullets ("- ", "* ", "• ") in front are forgiven."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("-*•").strip()
        if not line:
            continue
        tokens = line.split()
        padded = [*tokens, "", "", ""]
        lines.append(
            ContributionLine(
                number,
                padded[0],
                unwrap_link(padded[1]),
                padded[2],
                " ".join(tokens[3:]),
                complete=len(tokens) >= 4,
            )
        )
    return lines


def parse_month_or_day(text: str) -> tuple[date, bool] | None:
    """`2026-03` → (2026-03-01, False); `2026-03-14` → (2026-03-14, True); None if not a real date.

    The boolean says whether the day was given (the public file records months only).
    """
    match = MONTH_OR_DAY.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day or 1)), day is not None
    except ValueError:
        return None


def leading_mention(slack_args: str) -> tuple[str | None, str]:
    """The user mentioned first in Slack's command text (`<@U123|jane> rest`), and the rest decoded."""
    match = LEADING_MENTION.match(slack_args.strip())
    if not match:
        return None, slack_text.decode(slack_args).strip()
    return match.group(1), slack_text.decode(match.group(2)).strip()
