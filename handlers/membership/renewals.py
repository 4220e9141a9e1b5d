"""Renewing: `/ambassador renew` and the Renew button (in the renewal reminder or on the App Home)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import general as general_blocks
from bot.blocks import ids
from bot.blocks.membership import messages as membership_messages
from bot.services.membership import renewals
from bot.services.membership.terms import RenewalStatus
from bot.slack.deps import Deps
from bot.slack.home_refresh import from_home
from handlers.common import Origin, bind, clicked_id, tell
from handlers.home import refresh_after_decision
from handlers.router import CommandRouter, Invocation

log = logging.getLogger(__name__)

# After these the Renew button has done its work: its message shows the answer in the button's place.
SETTLED = (RenewalStatus.REQUESTED, RenewalStatus.RENEWED, RenewalStatus.ALREADY_REQUESTED)


def renew_command(call: Invocation, *, deps: Deps) -> None:
    required = deps.settings.required_contributions
    today = deps.local_today(call.client, call.user_id)
    result = renewals.renew_for(deps.db, call.user_id, None, today=today, now=deps.now(), required=required)
    if result is None:
        call.reply(general_blocks.not_an_ambassador(required))
        return
    call.reply(membership_messages.renewal_reply(result, required))
    if result.changed:
        # The TSC's figures changed; the member's own Home is drawn afresh when next opened.
        refresh_after_decision(deps, call.client)


def renew_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    required = deps.settings.required_contributions
    origin = Origin.of(body)
    term_id = clicked_id(body)
    today = deps.local_today(client, origin.user_id)
    result = (
        renewals.renew_for(deps.db, origin.user_id, term_id, today=today, now=deps.now(), required=required)
        if term_id is not None
        else None
    )
    reply = (
        general_blocks.not_an_ambassador(required)
        if result is None
        else membership_messages.renewal_reply(result, required)
    )
    settled = result is not None and result.status in SETTLED
    if settled and origin.in_message:
        original = (body.get("message") or {}).get("blocks") or []
        try:
            client.chat_update(
                channel=origin.channel_id,
                ts=origin.message_ts,
                text=reply,
                blocks=membership_messages.renewal_clicked_blocks(original, reply),
            )
        except SlackApiError as exc:
            log.warning("could not update the renewal message (%s)", exc.response.get("error"))
            tell(client, origin, reply)
    else:
        tell(client, origin, reply)
    if result is not None and result.changed:
        refresh_after_decision(deps, client, origin.user_id if from_home(body) else None)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("renew", bind(renew_command, deps=deps))
    app.action(ids.RENEW)(bind(renew_button, deps=deps))
