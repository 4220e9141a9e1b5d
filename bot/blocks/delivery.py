"""The TSC's report of messages Slack refused for good, with what to do about each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks import kit

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
    return f"`{kit.escape(channel)}`"


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
            f"• `{kit.escape(failure.key)}` → {_where(failure.channel)}: `{kit.escape(error)}`. "
            + explain.format(where=_where(failure.channel), error=kit.escape(error))
        )
    blocks: list[kit.Block] = [kit.section(f"*{title}*")]
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > kit.MAX_SECTION_TEXT:
            blocks.append(kit.section("\n".join(chunk)))
            chunk = []
        chunk.append(kit.truncate(line, kit.MAX_SECTION_TEXT))
    if chunk:
        blocks.append(kit.section("\n".join(chunk)))
    blocks.append(
        kit.context("These messages will not be retried. Fix the cause; new messages will go through.")
    )
    return kit.message(title + ": " + " ".join(lines), blocks[: kit.MAX_MESSAGE_BLOCKS])
