"""Benefits in Slack: `/ambassador benefits` (alias `perks`), the request form, Cancel, the TSC's
Approve / Decline / Mark fulfilled / Shipping details buttons, and `/ambassador admin benefits`.

Who acts is always the request's user (`body.user.id`). Forms open before any database work (a
trigger expires 3 s after the click). The database is written first and Slack told afterwards: when
a Slack call fails, what was decided stays decided and the outbox delivers the messages later.
Shipping details are never logged: log lines name requests by id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import benefits as benefits_blocks
from bot.blocks import ids
from bot.rules import benefits as benefit_rules
from bot.rules import membership as membership_rules
from bot.rules import parsing
from bot.services import home, members
from bot.services.benefits import catalogue, decisions, requesting, shipping
from bot.services.benefits.budget import BudgetSetting
from bot.services.benefits.common import NotYours, Outcome, RequestNotFound
from bot.services.benefits.open_requests import open_requests
from bot.slack.deps import Deps
from handlers.home import refresh_after_decision
from handlers.membership import Origin, clicked_id, deliver_now, tell
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


def budget_setting(deps: Deps) -> BudgetSetting:
    return BudgetSetting.from_settings(deps.settings)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    settings = deps.settings
    required = settings.required_contributions
    messages = benefits_blocks.BENEFIT_MESSAGES
    setting = budget_setting(deps)

    def deliver(client: WebClient, keys: Sequence[str]) -> None:
        deliver_now(deps, client, keys)

    def refresh(client: WebClient, *people: str | None) -> None:
        refresh_after_decision(deps, client, *people)

    def overview(user_id: str, client: WebClient) -> Any:
        catalogue.ensure_catalogue(deps.db, deps.now())
        return requesting.member_benefits(
            deps.db,
            user_id,
            now=deps.now(),
            today=deps.local_today(client, user_id),
            required=required,
            setting=setting,
        )

    # --- members ---------------------------------------------------------------------------------

    def benefits_command(call: Invocation) -> None:
        call.reply(benefits_blocks.overview_message(overview(call.user_id, call.client)))

    def form_for(user_id: str, client: WebClient, wanted: int | None) -> dict[str, Any]:
        data = overview(user_id, client)
        if not data.is_ambassador:
            return benefits_blocks.refused_modal(benefits_blocks.NOT_AMBASSADOR)
        available = [offer for offer in data.offers if offer.available]
        if not available:
            return benefits_blocks.refused_modal(benefits_blocks.NOTHING_LEFT)
        selected = next((offer for offer in available if offer.item.id == wanted), available[0])
        return benefits_blocks.request_modal(available, selected.item, data.currency)

    def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        # The trigger expires 3 s after the click: a placeholder opens first, the form follows.
        opened = client.views_open(trigger_id=body["trigger_id"], view=benefits_blocks.loading_modal())[
            "view"
        ]
        form = form_for(user_id, client, clicked_id(body))
        try:
            client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=form)
        except SlackApiError as exc:
            if exc.response.get("error") in ("not_found", "hash_conflict"):
                log.info("benefit form for %s closed before it was ready", user_id)
                return
            raise

    def benefit_chosen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Another benefit picked in the form: redraw it with the fields that benefit asks for."""
        ack()
        view = body.get("view") or {}
        chosen = ((body.get("actions") or [{}])[0].get("selected_option") or {}).get("value") or ""
        form = form_for(body["user"]["id"], client, int(chosen) if chosen.isdigit() else None)
        try:
            client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=form)
        except SlackApiError as exc:
            if exc.response.get("error") not in ("not_found", "hash_conflict"):
                raise

    def submit_request(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        state = view["state"]["values"]
        chosen = parsing.state_value(state, "benefit", ids.BENEFIT_SELECT) or ""
        drawn_for = json.loads(view.get("private_metadata") or "{}").get("benefit_id")
        items = {item.id: item for item in catalogue.items(deps.db)}
        item = items.get(int(chosen)) if chosen.isdigit() else None
        if chosen and item is None:
            refusal = benefits_blocks.REFUSALS[benefit_rules.RequestRefusal.NOT_OFFERED]
            ack(response_action="update", view=benefits_blocks.refused_modal(refusal))
            return
        if item is not None and item.id != drawn_for:
            # Picked another benefit and sent before the form was redrawn: show that benefit's fields.
            ack(response_action="update", view=form_for(user_id, client, item.id))
            return
        form = benefit_rules.RequestForm(
            benefit_id=chosen, **{name: parsing.state_value(state, name) for name in FORM_FIELDS}
        )
        today = deps.local_today(client, user_id)
        draft, problems = benefit_rules.validate_request(
            form, item.spec if item else None, item.id if item else None, today
        )
        if draft is None:
            ack(response_action="errors", errors=benefits_blocks.field_errors(problems))
            return
        try:
            submitted = requesting.submit_request(
                deps.db,
                user_id,
                draft,
                now=deps.now(),
                today=today,
                required=required,
                setting=setting,
                review_channel=settings.review_channel,
                messages=messages,
            )
        except requesting.RequestRefused as refused:
            ack(
                response_action="update",
                view=benefits_blocks.refused_modal(benefits_blocks.REFUSALS[refused.refusal]),
            )
            return
        ack(
            response_action="update",
            view=benefits_blocks.request_received_modal(submitted.request, bool(submitted.review_key)),
        )
        request_id = submitted.request.view.id
        if submitted.review_key:
            deliver(client, [submitted.review_key])
            location, error = requesting.review_location(deps.db, request_id)
            if location is None:
                log.error(
                    "benefit request %s is stored, but the TSC was not told: %s",
                    request_id,
                    benefits_blocks.review_not_posted_log_hint(settings.review_channel, error),
                )
        else:
            log.error(
                "benefit request %s is stored, but the TSC was not told: %s",
                request_id,
                benefits_blocks.review_not_posted_log_hint("", None),
            )
        refresh(client, user_id)

    def cancel_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
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
                required=required,
                setting=setting,
            )
        except NotYours:
            tell(client, origin, benefits_blocks.GONE)
            return
        if not outcome.changed:
            tell(client, origin, benefits_blocks.already_text(outcome.request))
            return
        update_review_post(client, outcome, None)
        tell(client, origin, f"Cancelled: {benefits_blocks.request_line(outcome.request)}")
        refresh(client, origin.user_id)

    # --- the TSC ---------------------------------------------------------------------------------

    def tsc_count() -> int:
        return len(home.tsc_slack_ids(deps.db, settings.tsc_user_ids))

    def refuse(client: WebClient, origin: Origin, request_id: int | None, what: str) -> None:
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
        tell(client, origin, benefits_blocks.NOT_TSC)

    def update_review_post(
        client: WebClient, outcome: Outcome, origin: Origin | None
    ) -> tuple[str, str] | None:
        location = outcome.review_location
        if location is None and origin is not None and origin.in_message:
            location = (origin.channel_id, origin.message_ts)
        if location is None:
            return None
        try:
            client.chat_update(
                channel=location[0], ts=location[1], **benefits_blocks.review_message(outcome.request)
            )
        except SlackApiError as exc:
            log.warning(
                "could not update the review post of benefit request %s (%s); the change stands",
                outcome.request.id,
                exc.response.get("error"),
            )
            return None
        return location

    def show(client: WebClient, origin: Origin, outcome: Outcome) -> None:
        """The review post updated in place (wherever the click came from), and a word to the clicker."""
        if outcome.refusal is not None:
            tell(client, origin, benefits_blocks.refusal_text(outcome.refusal, tsc_count()))
            return
        location = update_review_post(client, outcome, origin)
        clicked_on_review = (
            location is not None and origin.in_message and (origin.channel_id, origin.message_ts) == location
        )
        if not outcome.changed:
            tell(client, origin, benefits_blocks.already_text(outcome.request))
        elif not clicked_on_review:
            tell(client, origin, benefits_blocks.done_text(outcome.request))

    def deliver_and_show(client: WebClient, origin: Origin, outcome: Outcome) -> None:
        if outcome.changed:
            deliver(client, outcome.outbox_keys)
        show(client, origin, outcome)
        if outcome.changed:
            refresh(client, outcome.request.slack_user_id, origin.user_id)

    def approve_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        origin = Origin.of(body)
        request_id = clicked_id(body)
        is_tsc = deps.is_tsc(origin.user_id)
        if not is_tsc:
            refuse(client, origin, request_id, "approve")
            return
        if request_id is None:
            tell(client, origin, benefits_blocks.GONE)
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
            tell(client, origin, benefits_blocks.GONE)
            return
        deliver_and_show(client, origin, outcome)

    def open_reason_form(
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
            refuse(client, origin, request_id, what)
            return
        if request_id is None:
            tell(client, origin, benefits_blocks.GONE)
            return
        # The trigger expires in 3 s: the form opens before anything is read; the submission decides.
        client.views_open(
            trigger_id=body["trigger_id"], view=build(request_id, origin.metadata(request_id=request_id))
        )

    def decline_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        open_reason_form(ack, body, client, "decline", benefits_blocks.decline_modal)

    def fulfil_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        open_reason_form(ack, body, client, "fulfil", benefits_blocks.fulfil_modal)

    def finish_modal(ack: Ack, client: WebClient, origin: Origin, outcome: Outcome) -> None:
        if outcome.refusal is not None:
            ack(
                response_action="update",
                view=benefits_blocks.closed_modal(benefits_blocks.refusal_text(outcome.refusal, tsc_count())),
            )
            return
        if not outcome.changed:
            ack(
                response_action="update",
                view=benefits_blocks.closed_modal(benefits_blocks.already_text(outcome.request)),
            )
            return
        ack()
        deliver_and_show(client, origin, outcome)

    def submitted_origin(body: dict[str, Any], view: dict[str, Any]) -> tuple[Origin, int]:
        metadata = json.loads(view.get("private_metadata") or "{}")
        return Origin.from_metadata(body["user"]["id"], metadata), int(metadata.get("request_id") or 0)

    def submit_decline(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        origin, request_id = submitted_origin(body, view)
        reason = (parsing.state_value(view["state"]["values"], "reason") or "").strip()
        if not reason:
            ack(response_action="errors", errors={"reason": benefits_blocks.DECLINE_REASON_REQUIRED})
            return
        if len(reason) > membership_rules.DECISION_REASON_MAX_LENGTH:
            ack(response_action="errors", errors={"reason": benefits_blocks.DECLINE_REASON_TOO_LONG})
            return
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
            ack(response_action="update", view=benefits_blocks.closed_modal(benefits_blocks.GONE))
            return
        finish_modal(ack, client, origin, outcome)

    def submit_fulfilment(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        origin, request_id = submitted_origin(body, view)
        note = (parsing.state_value(view["state"]["values"], "note") or "").strip()
        if len(note) > benefit_rules.LIMITS["fulfilment_note"]:
            ack(response_action="errors", errors={"note": benefits_blocks.NOTE_TOO_LONG})
            return
        fulfilment = decisions.Fulfilment(
            request_id, origin.user_id, actor_is_tsc=deps.is_tsc(origin.user_id), at=deps.now(), note=note
        )
        try:
            outcome = decisions.fulfil(
                deps.db,
                fulfilment,
                today=deps.program_today(),
                required=required,
                setting=setting,
                messages=messages,
            )
        except RequestNotFound:
            ack(response_action="update", view=benefits_blocks.closed_modal(benefits_blocks.GONE))
            return
        finish_modal(ack, client, origin, outcome)

    def shipping_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        origin = Origin.of(body)
        request_id = clicked_id(body)
        is_tsc = deps.is_tsc(origin.user_id)
        if not is_tsc:
            refuse(client, origin, request_id, "see the shipping details of")
            return
        opened = client.views_open(
            trigger_id=body["trigger_id"], view=benefits_blocks.closed_modal(":hourglass: One moment…")
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
                required=required,
                setting=setting,
            )
            view = benefits_blocks.shipping_modal(private)
        except NotYours:
            view = benefits_blocks.closed_modal(benefits_blocks.GONE)
        client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view)

    router.add("benefits", benefits_command, aliases=("perks",))
    app.action(ids.BENEFIT_OPEN)(open_form)
    app.action(ids.BENEFIT_SELECT)(benefit_chosen)
    app.view(ids.BENEFIT_MODAL)(submit_request)
    app.action(ids.BENEFIT_CANCEL)(cancel_button)
    app.action(ids.BENEFIT_APPROVE)(approve_button)
    app.action(ids.BENEFIT_DECLINE)(decline_button)
    app.view(ids.BENEFIT_DECLINE_MODAL)(submit_decline)
    app.action(ids.BENEFIT_FULFIL)(fulfil_button)
    app.view(ids.BENEFIT_FULFIL_MODAL)(submit_fulfilment)
    app.action(ids.BENEFIT_SHIPPING)(shipping_button)


# --- /ambassador admin benefits ----------------------------------------------------------------------


def admin_command(deps: Deps) -> Callable[[Invocation, str], None]:
    """`/ambassador admin benefits ...` (handlers.admin has checked the caller is on the TSC)."""
    setting = budget_setting(deps)
    currency = deps.settings.benefits_currency

    def run(call: Invocation, rest: str) -> None:
        catalogue.ensure_catalogue(deps.db, deps.now())
        words = unescape(rest).split()
        action = words[0].lower() if words else ""
        if action == "":
            open_now = open_requests(deps.db, deps.now(), setting)
            call.reply(
                benefits_blocks.catalogue_message(catalogue.items(deps.db, include_disabled=True), open_now)
            )
        elif action in ("requests", "open", "pending"):
            call.reply(
                benefits_blocks.open_requests_message(open_requests(deps.db, deps.now(), setting, limit=20))
            )
        elif action == "add" and len(words) >= 5:
            add(call, words)
        elif action == "set" and len(words) >= 4:
            change(call, words)
        elif action in ("enable", "disable") and len(words) == 2:
            try:
                item, _ = catalogue.change_benefit(
                    deps.db, call.user_id, words[1].lower(), {"enabled": action == "enable"}, now=deps.now()
                )
            except catalogue.CatalogueError as exc:
                call.reply(benefits_blocks.catalogue_error(exc.code, words[1]))
                return
            call.reply(benefits_blocks.enabled_text(item))
        else:
            call.reply(benefits_blocks.ADMIN_HELP)

    def add(call: Invocation, words: list[str]) -> None:
        key, kind, value, name = (
            words[1].lower(),
            benefit_rules.normalize_kind(words[2]),
            words[3],
            " ".join(words[4:]),
        )
        if (
            not benefit_rules.is_benefit_key(key)
            or kind is None
            or not value.isdigit()
            or int(value) > benefit_rules.MAX_VALUE
            or len(name) > benefit_rules.LIMITS["name"]
        ):
            call.reply(benefits_blocks.field_usage("benefit"))
            return
        try:
            item = catalogue.add_benefit(deps.db, call.user_id, key, kind, int(value), name, now=deps.now())
        except catalogue.CatalogueError as exc:
            call.reply(benefits_blocks.catalogue_error(exc.code, key))
            return
        call.reply(benefits_blocks.added_text(item, currency))

    def change(call: Invocation, words: list[str]) -> None:
        key, field_name, raw = words[1].lower(), words[2].lower(), " ".join(words[3:])
        try:
            field = benefit_rules.CatalogueField(field_name)
            value = benefit_rules.parse_field_value(field, raw)
        except ValueError:
            call.reply(benefits_blocks.field_usage(field_name))
            return
        attribute = catalogue.SETTABLE[field]
        try:
            item, before = catalogue.change_benefit(
                deps.db, call.user_id, key, {attribute: value}, now=deps.now()
            )
        except catalogue.CatalogueError as exc:
            call.reply(benefits_blocks.catalogue_error(exc.code, key))
            return
        call.reply(benefits_blocks.changed_text(item, field.value, before[attribute], value))

    return run


def unescape(text: str) -> str:
    """Slack escapes &, < and > in command text; the catalogue stores what the TSC meant."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
