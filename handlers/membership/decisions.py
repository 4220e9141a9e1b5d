"""Deciding: the TSC's Approve and Reject buttons (in the review channel, the App Home or `admin pending`)
and the rejection form. Only the TSC decides, never on their own application."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids
from bot.blocks.membership import deciding as deciding_blocks
from bot.blocks.membership import messages as membership_messages
from bot.rules import membership as membership_rules
from bot.services import members
from bot.services.membership import common as membership_common
from bot.services.membership import deciders, decisions
from bot.services.membership.decisions import Decision
from bot.slack.deps import Deps
from handlers import forms
from handlers.common import Origin, bind, clicked_id, deliver_now, tell
from handlers.forms import NotDone, ShowView, submit_form
from handlers.home import refresh_after_decision
from handlers.router import CommandRouter

log = logging.getLogger(__name__)


def approve_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    origin = Origin.of(body)
    application_id = clicked_id(body)
    if refusal := refusal_for(deps, origin.user_id, application_id):
        tell(client, origin, record_refusal(deps, origin.user_id, application_id, "approve", refusal))
        return
    if application_id is None:
        tell(client, origin, deciding_blocks.APPLICATION_GONE)
        return
    settings = deps.settings
    try:
        decision = decisions.approve(
            deps.db,
            application_id,
            origin.user_id,
            now=deps.now(),
            today=deps.program_today(),
            required=settings.required_contributions,
            announce_channel=settings.announce_channel,
            messages=membership_messages.MEMBERSHIP_MESSAGES,
            github_org=settings.github_org,
        )
    except membership_common.ApplicationNotFound:
        tell(client, origin, deciding_blocks.APPLICATION_GONE)
        return
    announce(deps, client, origin, decision)


def reject_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    origin = Origin.of(body)
    application_id = clicked_id(body)
    if refusal := refusal_for(deps, origin.user_id, application_id):
        tell(client, origin, record_refusal(deps, origin.user_id, application_id, "reject", refusal))
        return
    if application_id is None:
        tell(client, origin, deciding_blocks.APPLICATION_GONE)
        return
    # The trigger expires in 3 s: the form opens before anything is read; the submission decides.
    metadata = origin.metadata(application_id=application_id)
    client.views_open(
        trigger_id=body["trigger_id"], view=deciding_blocks.reject_modal(application_id, metadata)
    )


def submit_rejection(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    metadata = forms.metadata(view)
    origin = Origin.from_metadata(body["user"]["id"], metadata)
    try:
        application_id = int(metadata.get("application_id") or 0)
    except (TypeError, ValueError):
        application_id = 0
    submit_form(
        ack,
        validate=lambda: forms.decision_reason(
            view, deciding_blocks.REJECT_REASON_REQUIRED, deciding_blocks.REJECT_REASON_TOO_LONG
        ),
        act=lambda reason: reject(deps, origin.user_id, application_id, reason),
        then=lambda decision: announce(deps, client, origin, decision),
    )


def reject(deps: Deps, user_id: str, application_id: int, reason: str) -> Decision | NotDone:
    if refusal := refusal_for(deps, user_id, application_id):
        return ShowView(
            deciding_blocks.decided_modal(record_refusal(deps, user_id, application_id, "reject", refusal))
        )
    try:
        decision = decisions.reject(
            deps.db,
            application_id,
            user_id,
            reason,
            now=deps.now(),
            today=deps.program_today(),
            required=deps.settings.required_contributions,
            messages=membership_messages.MEMBERSHIP_MESSAGES,
        )
    except membership_common.ApplicationNotFound:
        return ShowView(deciding_blocks.decided_modal(deciding_blocks.APPLICATION_GONE))
    if not decision.decided_now:
        return ShowView(
            deciding_blocks.decided_modal(deciding_blocks.already_decided_text(decision.application))
        )
    return decision


def refusal_for(deps: Deps, user_id: str, application_id: int | None) -> deciders.Refusal | None:
    return deciders.application_refusal(
        deps.db, user_id, deps.is_tsc(user_id), application_id, deps.settings.tsc_user_ids
    )


def record_refusal(
    deps: Deps, user_id: str, application_id: int | None, decision: str, refusal: deciders.Refusal
) -> str:
    """Log and audit a refused decision; the text that tells the clicker why."""
    own = refusal.reason is membership_rules.DecisionRefusal.OWN_REQUEST
    log.warning(
        "%s tried to %s application %s; refused (%s)", user_id, decision, application_id, refusal.reason
    )
    members.record_refused(
        deps.db,
        user_id,
        "application.decision_refused",
        now=deps.now(),
        application_id=application_id,
        decision=decision,
        reason=str(refusal.reason),
    )
    return deciding_blocks.decision_refused_text(own, refusal.only_tsc_member)


def announce(deps: Deps, client: WebClient, origin: Origin, decision: Decision) -> None:
    """After a decision: its messages sent, the review post and the clicker told, the Homes redrawn."""
    if decision.decided_now:
        deliver_now(deps, client, decision.outbox_keys)
    show_decision(client, origin, decision)
    if decision.decided_now:
        refresh_after_decision(deps, client, decision.application.slack_user_id, origin.user_id)


def show_decision(client: WebClient, origin: Origin, decision: Decision) -> None:
    """The review post updated in place (wherever the click came from), and a word to the clicker."""
    view = decision.application
    location = decision.review_location
    if location is None and origin.in_message:
        location = (origin.channel_id, origin.message_ts)
    if location is not None:
        try:
            client.chat_update(channel=location[0], ts=location[1], **deciding_blocks.review_message(view))
        except SlackApiError as exc:
            log.warning(
                "could not update the review post of application %s (%s); the decision stands",
                view.id,
                exc.response.get("error"),
            )
            location = None
    clicked_on_review = (
        location is not None and origin.in_message and (origin.channel_id, origin.message_ts) == location
    )
    if not decision.decided_now:
        tell(client, origin, deciding_blocks.already_decided_text(view))
    elif not clicked_on_review:
        tell(client, origin, deciding_blocks.decided_confirmation(view, decision.term))


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    app.action(ids.APPROVE)(bind(approve_button, deps=deps))
    app.action(ids.REJECT)(bind(reject_button, deps=deps))
    app.view(ids.REJECT_MODAL)(bind(submit_rejection, deps=deps))
