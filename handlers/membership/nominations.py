"""Nominating: `/ambassador nominate @someone` asks them to complete an application."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks.membership import messages as membership_messages
from bot.rules import parsing
from bot.services.membership import nominations
from bot.slack.client import lookup_client
from bot.slack.deps import Deps
from handlers.common import bind, deliver_now, slack_name
from handlers.home import refresh_after_decision
from handlers.router import CommandRouter, Invocation


def nominate_command(call: Invocation, *, deps: Deps) -> None:
    nominee, _ = parsing.leading_mention(call.slack_args)
    if nominee is None:
        call.reply(membership_messages.NOMINATE_USAGE)
        return
    name = slack_name(lookup_client(call.client), nominee)
    if name is None:
        call.reply(membership_messages.unknown_user(nominee))
        return
    result = nominations.nominate(
        deps.db,
        call.user_id,
        nominee,
        name,
        now=deps.now(),
        required=deps.settings.required_contributions,
        messages=membership_messages.MEMBERSHIP_MESSAGES,
    )
    call.reply(
        membership_messages.nomination_reply(result.status, nominee, result.open_status, result.nominated_by)
    )
    if result.outbox_keys:
        deliver_now(deps, call.client, result.outbox_keys)
        refresh_after_decision(deps, call.client, nominee)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("nominate", bind(nominate_command, deps=deps))
