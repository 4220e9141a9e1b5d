"""A message typed in the bot's Messages tab (`message.im`): answered with the help.

The Messages tab stays writable because the slash command works there too; plain messages are not
read, so the bot says so instead of staying silent. Only people's own new messages get an answer:
not the bot's own posts (Bolt drops those), other bots, edits, deletions or thread replies.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.direct_messages import direct_message_reply
from bot.slack.deps import Deps
from handlers.common import bind
from handlers.router import CommandRouter

log = logging.getLogger(__name__)


def is_person_writing_to_the_bot(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and not event.get("thread_ts")
        and bool(event.get("user"))
        and bool(event.get("channel"))
    )


# Slack's retries of the same message never reach here twice (handlers/events.py).
def answer(event: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    client.chat_postMessage(
        channel=str(event["channel"]), **direct_message_reply(deps.settings.required_contributions)
    )


def ignore() -> None:
    """Other message events (edits, deletions, other bots) are acknowledged, so Slack does not retry."""


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    # Only the first matching listener runs: the answer, for people's own new messages, goes first.
    app.event("message", matchers=[is_person_writing_to_the_bot])(bind(answer, deps=deps))
    app.event("message")(ignore)
