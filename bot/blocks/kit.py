"""Slack's limits and the Block Kit primitives every feature module builds with.

Slack's limits are respected here, once: 50 blocks in a message, 100 in a modal or Home tab,
3,000 characters of section text, 24 for modal titles, and a `text` fallback with every message.
Small formatting helpers shared by several features live here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

Block = dict[str, Any]
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_PLAIN_INPUT = 3000


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


def slack_date(moment: datetime | None) -> str:
    """A time every reader sees in their own time zone (Slack's date formatting); UTC as fallback."""
    if moment is None:
        return "an unknown date"
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def term_text(term: Any) -> str:
    return f"*{term.start.isoformat()}* to *{term.end.isoformat()}*"


def days_phrase(days: int) -> str:
    if days == 0:
        return "today is the last day"
    return f"{days} day{'s' if days != 1 else ''} left"


def tally(counted: int, required: int, where: str = "") -> str:
    """A count against the requirement: `2 of 4 contributions this term`, and once it is met
    `5 contributions this term (4 required) ✓`, never "5 of 4". `where` follows the noun."""
    noun = "contribution" if (counted if counted >= required else required) == 1 else "contributions"
    if counted >= required:
        return f"{counted} {noun}{where} ({required} required) ✓"
    return f"{counted} of {required} {noun}{where}"
