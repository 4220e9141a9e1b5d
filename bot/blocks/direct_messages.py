"""What the bot answers when someone writes to it in its Messages tab (a DM to the bot)."""

from __future__ import annotations

from typing import Any

from bot.blocks import general as general_blocks
from bot.blocks import ids, kit

DM_INTRO = (
    ":wave: I don't read messages here: I answer the `{command}` command, which works in any "
    "channel or right here. This is what I can do:"
)


def direct_message_reply(required: int) -> dict[str, Any]:
    """The help, with a line saying that messages typed here are not read."""
    intro = DM_INTRO.format(command=ids.COMMAND)
    help_payload = general_blocks.help_message(required)
    return kit.message(intro + "\n\n" + help_payload["text"], [kit.section(intro), *help_payload["blocks"]])
