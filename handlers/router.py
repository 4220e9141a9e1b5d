"""`/ambassador SUBCOMMAND ...`: one slash command, routed on its first word."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import general as general_blocks
from bot.blocks import ids, kit
from bot.rules import membership as membership_rules
from bot.rules import slack_text
from bot.slack.deps import Deps
from handlers.common import bind

log = logging.getLogger(__name__)


@dataclass
class Invocation:
    """One `/ambassador` call: who, what they typed after the subcommand, and how to answer."""

    ack: Ack
    respond: Respond
    client: WebClient
    body: dict[str, Any]
    user_id: str
    name: str  # the subcommand as typed (lowercased)
    slack_args: str  # the rest of the text as Slack sent it (escaped, with <...> entities)

    @property
    def args(self) -> str:
        """The rest of the text as the member typed it (decoded once; see bot.rules.slack_text)."""
        return slack_text.decode(self.slack_args)

    @property
    def trigger_id(self) -> str:
        return str(self.body.get("trigger_id", ""))

    @property
    def channel_id(self) -> str:
        return str(self.body.get("channel_id", ""))

    def reply(self, payload: dict[str, Any] | str) -> None:
        """Answer privately in the acknowledgement itself (ephemeral, no Web API call)."""
        if isinstance(payload, str):
            payload = kit.message(payload, [kit.section(payload)])
        self.ack(**payload)


Handler = Callable[[Invocation], None]


class CommandRouter:
    """The subcommands of `/ambassador`, by name and alias; each feature's `register` adds its own."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def add(self, name: str, handler: Handler, aliases: tuple[str, ...] = ()) -> None:
        for key in (name, *aliases):
            if key in self.handlers:
                raise ValueError(f"subcommand {key!r} registered twice")
            self.handlers[key] = handler

    def attach(self, app: App, deps: Deps) -> None:
        app.command(ids.COMMAND)(bind(ambassador_command, deps=deps, router=self))


def ambassador_command(
    ack: Ack, respond: Respond, client: WebClient, body: dict[str, Any], *, deps: Deps, router: CommandRouter
) -> None:
    text = str(body.get("text") or "")
    user_id = body.get("user_id")
    if not isinstance(user_id, str) or not user_id:
        log.warning("a command without a user_id; answered without doing anything")
        ack(
            **kit.message(general_blocks.INCOMPLETE_REQUEST, [kit.section(general_blocks.INCOMPLETE_REQUEST)])
        )
        return
    if membership_rules.control_characters(text):
        ack(
            **kit.message(
                general_blocks.CONTROL_CHARACTERS_IN_COMMAND,
                [kit.section(general_blocks.CONTROL_CHARACTERS_IN_COMMAND)],
            )
        )
        return
    raw_name, slack_args = slack_text.split_first(text)
    name = slack_text.decode(raw_name)
    invocation = Invocation(ack, respond, client, body, user_id, name.lower(), slack_args)
    handler = router.handlers.get(invocation.name or "help")
    if handler is None:
        invocation.reply(general_blocks.help_message(deps.settings.required_contributions, unknown=name))
        return
    handler(invocation)
