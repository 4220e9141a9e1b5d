"""A member's requests: `/ambassador benefits`, the request form and its review post, and Cancel."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids
from bot.blocks.benefits import requesting as request_blocks
from bot.blocks.benefits import review as benefit_review_blocks
from bot.rules import benefits as benefit_rules
from bot.rules import parsing
from bot.services.benefits import catalogue, requesting
from bot.services.benefits.budget import BudgetSetting
from bot.services.benefits.common import NotYours, Outcome
from bot.slack.deps import Deps
from handlers import forms
from handlers.common import Origin, bind, clicked_id, deliver_now, tell
from handlers.forms import FieldErrors, NotDone, ShowView, submit_form
from handlers.home import refresh_after_decision
from handlers.router import CommandRouter, Invocation

log = logging.getLogger(__name__)

FORM_FIELDS = (
    "event_name",
    "event_date",
    "event_link",
    "participants",
    "ship_name",
    "ship_address",
    "ship_country",
    "ship_phone",
    "note",
)


def benefits_command(call: Invocation, *, deps: Deps) -> None:
    call.reply(request_blocks.overview_message(overview(deps, call.user_id, call.client)))


def overview(deps: Deps, user_id: str, client: WebClient) -> Any:
    catalogue.ensure_catalogue(deps.db, deps.now())
    return requesting.member_benefits(
        deps.db,
        user_id,
        now=deps.now(),
        today=deps.local_today(client, user_id),
        required=deps.settings.required_contributions,
        setting=BudgetSetting.from_settings(deps.settings),
    )


def open_form(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    user_id = body["user"]["id"]
    # The trigger expires 3 s after the click: a placeholder opens first, the form follows.
    opened = client.views_open(trigger_id=body["trigger_id"], view=request_blocks.loading_modal())["view"]
    form = form_for(deps, user_id, client, clicked_id(body))
    try:
        client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=form)
    except SlackApiError as exc:
        if exc.response.get("error") in ("not_found", "hash_conflict"):
            log.info("benefit form for %s closed before it was ready", user_id)
            return
        raise


def benefit_chosen(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    """Another benefit picked in the form: redraw it with the fields that benefit asks for."""
    ack()
    view = body.get("view") or {}
    chosen = ((body.get("actions") or [{}])[0].get("selected_option") or {}).get("value") or ""
    form = form_for(deps, body["user"]["id"], client, int(chosen) if chosen.isdigit() else None)
    try:
        client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=form)
    except SlackApiError as exc:
        if exc.response.get("error") not in ("not_found", "hash_conflict"):
            raise


def form_for(deps: Deps, user_id: str, client: WebClient, wanted: int | None) -> dict[str, Any]:
    data = overview(deps, user_id, client)
    if not data.is_ambassador:
        return request_blocks.refused_modal(request_blocks.NOT_AMBASSADOR)
    available = [offer for offer in data.offers if offer.available]
    if not available:
        return request_blocks.refused_modal(request_blocks.NOTHING_LEFT)
    selected = next((offer for offer in available if offer.item.id == wanted), available[0])
    return request_blocks.request_modal(available, selected.item, data.currency)


@dataclass(frozen=True)
class ValidRequest:
    draft: benefit_rules.RequestDraft
    today: date  # the member's own, which the request's dates were checked against


def submit_request(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    user_id = body["user"]["id"]
    submit_form(
        ack,
        validate=lambda: valid_request(deps, client, user_id, view),
        act=lambda request: send_request(deps, user_id, request),
        done_view=lambda submitted: request_blocks.request_received_modal(
            submitted.request, bool(submitted.review_key)
        ),
        then=lambda submitted: tell_the_tsc(deps, client, user_id, submitted),
    )


def valid_request(
    deps: Deps, client: WebClient, user_id: str, view: dict[str, Any]
) -> ValidRequest | NotDone:
    state = view["state"]["values"]
    chosen = parsing.state_value(state, "benefit", ids.BENEFIT_SELECT) or ""
    drawn_for = forms.metadata(view).get("benefit_id")
    items = {item.id: item for item in catalogue.items(deps.db)}
    item = items.get(int(chosen)) if chosen.isdigit() else None
    if chosen and item is None:
        refusal = request_blocks.REFUSALS[benefit_rules.RequestRefusal.NOT_OFFERED]
        return ShowView(request_blocks.refused_modal(refusal))
    if item is not None and item.id != drawn_for:
        # Picked another benefit and sent before the form was redrawn: show that benefit's fields.
        return ShowView(form_for(deps, user_id, client, item.id))
    form = benefit_rules.RequestForm(
        benefit_id=chosen, **{name: parsing.state_value(state, name) for name in FORM_FIELDS}
    )
    today = deps.local_today(client, user_id)
    draft, problems = benefit_rules.validate_request(
        form, item.spec if item else None, item.id if item else None, today
    )
    if draft is None:
        return FieldErrors(request_blocks.field_errors(problems))
    return ValidRequest(draft, today)


def send_request(deps: Deps, user_id: str, request: ValidRequest) -> requesting.Submitted | ShowView:
    settings = deps.settings
    try:
        return requesting.submit_request(
            deps.db,
            user_id,
            request.draft,
            now=deps.now(),
            today=request.today,
            required=settings.required_contributions,
            setting=BudgetSetting.from_settings(settings),
            review_channel=settings.review_channel,
            messages=benefit_review_blocks.BENEFIT_MESSAGES,
        )
    except requesting.RequestRefused as refused:
        return ShowView(request_blocks.refused_modal(request_blocks.REFUSALS[refused.refusal]))


def tell_the_tsc(deps: Deps, client: WebClient, user_id: str, submitted: requesting.Submitted) -> None:
    request_id = submitted.request.view.id
    if submitted.review_key:
        deliver_now(deps, client, [submitted.review_key])
        location, error = requesting.review_location(deps.db, request_id)
        if location is None:
            log.error(
                "benefit request %s is stored, but the TSC was not told: %s",
                request_id,
                benefit_review_blocks.review_not_posted_log_hint(deps.settings.review_channel, error),
            )
    else:
        log.error(
            "benefit request %s is stored, but the TSC was not told: %s",
            request_id,
            benefit_review_blocks.review_not_posted_log_hint("", None),
        )
    refresh_after_decision(deps, client, user_id)


def cancel_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    origin = Origin.of(body)
    request_id = clicked_id(body)
    try:
        if request_id is None:
            raise NotYours(0)
        outcome = requesting.cancel(
            deps.db,
            origin.user_id,
            request_id,
            now=deps.now(),
            today=deps.program_today(),
            required=deps.settings.required_contributions,
            setting=BudgetSetting.from_settings(deps.settings),
        )
    except NotYours:
        tell(client, origin, benefit_review_blocks.GONE)
        return
    if not outcome.changed:
        tell(client, origin, benefit_review_blocks.already_text(outcome.request))
        return
    update_review_post(client, outcome, None)
    tell(client, origin, f"Cancelled: {request_blocks.request_line(outcome.request)}")
    refresh_after_decision(deps, client, origin.user_id)


def update_review_post(client: WebClient, outcome: Outcome, origin: Origin | None) -> tuple[str, str] | None:
    """The request's review post (where the TSC decides) redrawn as the request now is; where it is."""
    location = outcome.review_location
    if location is None and origin is not None and origin.in_message:
        location = (origin.channel_id, origin.message_ts)
    if location is None:
        return None
    try:
        client.chat_update(
            channel=location[0], ts=location[1], **benefit_review_blocks.review_message(outcome.request)
        )
    except SlackApiError as exc:
        log.warning(
            "could not update the review post of benefit request %s (%s); the change stands",
            outcome.request.id,
            exc.response.get("error"),
        )
        return None
    return location


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("benefits", bind(benefits_command, deps=deps), aliases=("perks",))
    app.action(ids.BENEFIT_OPEN)(bind(open_form, deps=deps))
    app.action(ids.BENEFIT_SELECT)(bind(benefit_chosen, deps=deps))
    app.view(ids.BENEFIT_MODAL)(bind(submit_request, deps=deps))
    app.action(ids.BENEFIT_CANCEL)(bind(cancel_button, deps=deps))
