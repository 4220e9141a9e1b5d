"""The TSC's side of a request: Approve, Decline (with a reason), Mark fulfilled (with a note), and
Shipping details (shown only in a modal, to the TSC member who asked)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.benefits import review as benefit_review_blocks
from bot.rules import benefits as benefit_rules
from bot.rules import parsing
from bot.services import home_tsc, members
from bot.services.benefits import decisions, shipping
from bot.services.benefits.budget import BudgetSetting
from bot.services.benefits.common import NotYours, Outcome, RequestNotFound
from bot.slack.deps import Deps
from handlers import forms
from handlers.benefits.requests import update_review_post
from handlers.common import Origin, bind, clicked_id, deliver_now, tell
from handlers.forms import FieldErrors, ShowView, submit_form
from handlers.home import refresh_after_decision
from handlers.router import CommandRouter

log = logging.getLogger(__name__)


def approve_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    required = deps.settings.required_contributions
    setting = BudgetSetting.from_settings(deps.settings)
    messages = benefit_review_blocks.BENEFIT_MESSAGES
    origin = Origin.of(body)
    request_id = clicked_id(body)
    is_tsc = deps.is_tsc(origin.user_id)
    if not is_tsc:
        refuse(deps, client, origin, request_id, "approve")
        return
    if request_id is None:
        tell(client, origin, benefit_review_blocks.GONE)
        return
    decision = decisions.Decision(
        request_id, origin.user_id, decider_is_tsc=is_tsc, approve=True, at=deps.now()
    )
    try:
        outcome = decisions.decide(
            deps.db,
            decision,
            today=deps.program_today(),
            required=required,
            setting=setting,
            messages=messages,
        )
    except RequestNotFound:
        tell(client, origin, benefit_review_blocks.GONE)
        return
    deliver_and_show(deps, client, origin, outcome)


def decline_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    open_reason_form(deps, ack, body, client, "decline", benefit_review_blocks.decline_modal)


def fulfil_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    open_reason_form(deps, ack, body, client, "fulfil", benefit_review_blocks.fulfil_modal)


def open_reason_form(
    deps: Deps,
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    what: str,
    build: Callable[[int, str], dict[str, Any]],
) -> None:
    ack()
    origin = Origin.of(body)
    request_id = clicked_id(body)
    if not deps.is_tsc(origin.user_id):
        refuse(deps, client, origin, request_id, what)
        return
    if request_id is None:
        tell(client, origin, benefit_review_blocks.GONE)
        return
    # The trigger expires in 3 s: the form opens before anything is read; the submission decides.
    client.views_open(
        trigger_id=body["trigger_id"], view=build(request_id, origin.metadata(request_id=request_id))
    )


def submit_decline(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    origin, request_id = submitted_origin(body, view)
    submit_form(
        ack,
        validate=lambda: forms.decision_reason(
            view, benefit_review_blocks.DECLINE_REASON_REQUIRED, benefit_review_blocks.DECLINE_REASON_TOO_LONG
        ),
        act=lambda reason: decline(deps, origin, request_id, reason),
        then=lambda outcome: deliver_and_show(deps, client, origin, outcome),
    )


def decline(deps: Deps, origin: Origin, request_id: int, reason: str) -> Outcome | ShowView:
    required = deps.settings.required_contributions
    setting = BudgetSetting.from_settings(deps.settings)
    messages = benefit_review_blocks.BENEFIT_MESSAGES
    decision = decisions.Decision(
        request_id,
        origin.user_id,
        decider_is_tsc=deps.is_tsc(origin.user_id),
        approve=False,
        at=deps.now(),
        reason=reason,
    )
    try:
        outcome = decisions.decide(
            deps.db,
            decision,
            today=deps.program_today(),
            required=required,
            setting=setting,
            messages=messages,
        )
    except RequestNotFound:
        return ShowView(benefit_review_blocks.closed_modal(benefit_review_blocks.GONE))
    return changed_or_why_not(deps, outcome)


def submit_fulfilment(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    origin, request_id = submitted_origin(body, view)
    submit_form(
        ack,
        validate=lambda: fulfilment_note(view),
        act=lambda note: fulfil(deps, origin, request_id, note),
        then=lambda outcome: deliver_and_show(deps, client, origin, outcome),
    )


def fulfilment_note(view: dict[str, Any]) -> str | FieldErrors:
    note = (parsing.state_value(view["state"]["values"], "note") or "").strip()
    if len(note) > benefit_rules.LIMITS["fulfilment_note"]:
        return FieldErrors({"note": benefit_review_blocks.NOTE_TOO_LONG})
    return note


def fulfil(deps: Deps, origin: Origin, request_id: int, note: str) -> Outcome | ShowView:
    fulfilment = decisions.Fulfilment(
        request_id, origin.user_id, actor_is_tsc=deps.is_tsc(origin.user_id), at=deps.now(), note=note
    )
    try:
        outcome = decisions.fulfil(
            deps.db,
            fulfilment,
            today=deps.program_today(),
            required=deps.settings.required_contributions,
            setting=BudgetSetting.from_settings(deps.settings),
            messages=benefit_review_blocks.BENEFIT_MESSAGES,
        )
    except RequestNotFound:
        return ShowView(benefit_review_blocks.closed_modal(benefit_review_blocks.GONE))
    return changed_or_why_not(deps, outcome)


def submitted_origin(body: dict[str, Any], view: dict[str, Any]) -> tuple[Origin, int]:
    metadata = forms.metadata(view)
    return Origin.from_metadata(body["user"]["id"], metadata), int(metadata.get("request_id") or 0)


def changed_or_why_not(deps: Deps, outcome: Outcome) -> Outcome | ShowView:
    """A form's outcome: done, or the modal says why not (refused, or done already by someone else)."""
    if outcome.refusal is not None:
        return ShowView(
            benefit_review_blocks.closed_modal(
                benefit_review_blocks.refusal_text(outcome.refusal, tsc_count(deps))
            )
        )
    if not outcome.changed:
        return ShowView(
            benefit_review_blocks.closed_modal(benefit_review_blocks.already_text(outcome.request))
        )
    return outcome


def shipping_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    origin = Origin.of(body)
    request_id = clicked_id(body)
    is_tsc = deps.is_tsc(origin.user_id)
    if not is_tsc:
        refuse(deps, client, origin, request_id, "see the shipping details of")
        return
    opened = client.views_open(
        trigger_id=body["trigger_id"], view=benefit_review_blocks.closed_modal(":hourglass: One moment…")
    )["view"]
    try:
        if request_id is None:
            raise NotYours(0)
        private = shipping.private_request(
            deps.db,
            request_id,
            origin.user_id,
            viewer_is_tsc=is_tsc,
            now=deps.now(),
            today=deps.program_today(),
            required=deps.settings.required_contributions,
            setting=BudgetSetting.from_settings(deps.settings),
        )
        view = benefit_review_blocks.shipping_modal(private)
    except NotYours:
        view = benefit_review_blocks.closed_modal(benefit_review_blocks.GONE)
    client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view)


def refuse(deps: Deps, client: WebClient, origin: Origin, request_id: int | None, what: str) -> None:
    log.warning(
        "%s, who is not on the TSC, tried to %s benefit request %s; refused",
        origin.user_id,
        what,
        request_id,
    )
    members.record_refused(
        deps.db,
        origin.user_id,
        "benefit.decision_refused",
        now=deps.now(),
        request_id=request_id,
        decision=what,
        refusal="not_tsc",
    )
    tell(client, origin, benefit_review_blocks.NOT_TSC)


def deliver_and_show(deps: Deps, client: WebClient, origin: Origin, outcome: Outcome) -> None:
    if outcome.changed:
        deliver_now(deps, client, outcome.outbox_keys)
    show(deps, client, origin, outcome)
    if outcome.changed:
        refresh_after_decision(deps, client, outcome.request.slack_user_id, origin.user_id)


def show(deps: Deps, client: WebClient, origin: Origin, outcome: Outcome) -> None:
    """The review post updated in place (wherever the click came from), and a word to the clicker."""
    if outcome.refusal is not None:
        tell(client, origin, benefit_review_blocks.refusal_text(outcome.refusal, tsc_count(deps)))
        return
    location = update_review_post(client, outcome, origin)
    clicked_on_review = (
        location is not None and origin.in_message and (origin.channel_id, origin.message_ts) == location
    )
    if not outcome.changed:
        tell(client, origin, benefit_review_blocks.already_text(outcome.request))
    elif not clicked_on_review:
        tell(client, origin, benefit_review_blocks.done_text(outcome.request))


def tsc_count(deps: Deps) -> int:
    return len(home_tsc.tsc_slack_ids(deps.db, deps.settings.tsc_user_ids))


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    app.action(ids.BENEFIT_APPROVE)(bind(approve_button, deps=deps))
    app.action(ids.BENEFIT_DECLINE)(bind(decline_button, deps=deps))
    app.view(ids.BENEFIT_DECLINE_MODAL)(bind(submit_decline, deps=deps))
    app.action(ids.BENEFIT_FULFIL)(bind(fulfil_button, deps=deps))
    app.view(ids.BENEFIT_FULFIL_MODAL)(bind(submit_fulfilment, deps=deps))
    app.action(ids.BENEFIT_SHIPPING)(bind(shipping_button, deps=deps))
