"""Parsing what members type (command text, modal state) into plain values. No Slack calls here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def unwrap_link(token: str) -> str:
    """Slack sends links in command text as `<https://x>` or `<https://x|label>` when escaping is on."""
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1].split("|", 1)[0]
    return token


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


def parse_inline_log(args: str) -> InlineLog | None:
    """None when the text does not have the shape at all (fewer than type, link and title)."""
    tokens = args.split()
    if len(tokens) < 3:
        return None
    type_, link, rest = tokens[0], unwrap_link(tokens[1]), tokens[2:]
    date_text = None
    if ISO_DATE.match(rest[0]):
        date_text, rest = rest[0], rest[1:]
    return InlineLog(type_, link, date_text, " ".join(rest))


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
    value = element.get("value")
    return value if value is None else str(value)
