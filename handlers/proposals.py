"""The TSC's decisions on emeritus proposals: **Move to emeritus**, **Keep**, **Give 30 more days** on each
proposal, and **Confirm all** on the verification's list (in the review channel, or the App Home).

Only TSC members decide, never about themselves; each proposal gets exactly one decision, whoever
clicks. The list is redrawn in place after each decision, and the Homes it concerns too.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids
from bot.blocks import proposals as proposals_blocks
from bot.rules import membership as membership_rules
from bot.rules.emeritus import ProposalDecision
from bot.services.membership import proposals
from bot.services.membership.proposals import Deciding, DecisionStatus, ProposalView
from bot.slack.deps import Deps
from handlers.common import Origin, bind, clicked_id, clicked_value, deliver_now, farewell, tell
from handlers.home import refresh_after_decision
from handlers.router import CommandRouter

log = logging.getLogger(__name__)


def deciding(deps: Deps, user_id: str) -> Deciding:
    return Deciding(
        user_id,
        deps.is_tsc(user_id),
        deps.program_today(),
        deps.now(),
        deps.settings.required_contributions,
        farewell(deps),
        proposals_blocks.PROPOSAL_MESSAGES,
    )


def refused_text(refusal: membership_rules.DecisionRefusal | None) -> str:
    if refusal is membership_rules.DecisionRefusal.OWN_REQUEST:
        return proposals_blocks.OWN
    return proposals_blocks.NOT_TSC


def decide_button(
    ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps, decision: ProposalDecision
) -> None:
    ack()
    origin = Origin.of(body)
    proposal_id = clicked_id(body)
    if proposal_id is None:
        tell(client, origin, proposals_blocks.GONE)
        return
    outcome = proposals.decide(deps.db, proposal_id, decision, deciding(deps, origin.user_id))
    if outcome.status is DecisionStatus.NOT_FOUND:
        tell(client, origin, proposals_blocks.GONE)
        return
    if outcome.status is DecisionStatus.REFUSED:
        log.warning(
            "%s tried to decide proposal %s (%s); refused", origin.user_id, proposal_id, outcome.refusal
        )
        tell(client, origin, refused_text(outcome.refusal))
        return
    if outcome.status is DecisionStatus.NOT_OFFERED:
        tell(client, origin, proposals_blocks.NOT_OFFERED)
        return
    assert outcome.proposal is not None
    deliver_now(deps, client, outcome.outbox_keys)
    clicked_on_list = redraw(client, origin, outcome.listed, outcome.location, outcome.proposal)
    if outcome.status is DecisionStatus.ALREADY:
        tell(client, origin, proposals_blocks.already_decided(outcome.proposal))
        return
    if not clicked_on_list:
        tell(client, origin, proposals_blocks.decided_reply(outcome.proposal, outcome.term_end))
    refresh_after_decision(deps, client, outcome.proposal.slack_user_id, origin.user_id)


def confirm_all_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    origin = Origin.of(body)
    message_key = clicked_value(body)
    if not message_key.startswith("proposals:"):
        tell(client, origin, proposals_blocks.GONE)
        return
    outcome = proposals.confirm_all(deps.db, message_key, deciding(deps, origin.user_id))
    if outcome.refusal is not None:
        log.warning("%s tried to confirm all of %s; refused", origin.user_id, message_key)
        tell(client, origin, refused_text(outcome.refusal))
        return
    deliver_now(deps, client, outcome.outbox_keys)
    if outcome.listed:
        redraw(client, origin, outcome.listed, outcome.location, outcome.listed[0])
    tell(client, origin, proposals_blocks.confirm_all_reply(len(outcome.decided), len(outcome.own)))
    refresh_after_decision(deps, client, *(item.slack_user_id for item in outcome.decided), origin.user_id)


def redraw(
    client: WebClient,
    origin: Origin,
    listed: list[ProposalView],
    location: tuple[str, str] | None,
    item: ProposalView,
) -> bool:
    """The list in the review channel as it stands now; True when the click came from that list."""
    if location is None and origin.in_message:
        location = (origin.channel_id, origin.message_ts)
    if location is None or not item.message_key:
        return False
    payload = proposals_blocks.proposals_message(
        proposals_blocks.title_for(item.message_key, item.cause), listed, item.message_key
    )
    try:
        client.chat_update(channel=location[0], ts=location[1], **payload)
    except SlackApiError as exc:
        log.warning(
            "could not redraw the proposals %s (%s); the decision stands",
            item.message_key,
            exc.response.get("error"),
        )
        return False
    return origin.in_message and (origin.channel_id, origin.message_ts) == location


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    for action_id, decision in (
        (ids.PROPOSAL_EMERITUS, ProposalDecision.EMERITUS),
        (ids.PROPOSAL_KEEP, ProposalDecision.KEEP),
        (ids.PROPOSAL_MORE_DAYS, ProposalDecision.MORE_DAYS),
    ):
        app.action(action_id)(bind(decide_button, deps=deps, decision=decision))
    app.action(ids.PROPOSAL_CONFIRM_ALL)(bind(confirm_all_button, deps=deps))
