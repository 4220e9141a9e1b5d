"""Leaving and coming back: `/ambassador step-down [reason]` (with a button to confirm), and
`/ambassador rejoin` (and the emeritus Home's Rejoin button): the application form, filled in from
their record, which the TSC sees as a returning ambassador's."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import emeritus as emeritus_blocks
from bot.blocks import ids
from bot.rules import emeritus as emeritus_rules
from bot.services import members
from bot.services.membership import leaving
from bot.services.membership.leaving import StepDownStatus
from bot.slack.deps import Deps
from handlers.common import Origin, bind, clicked_value, deliver_now, farewell, tell
from handlers.home import refresh_after_decision
from handlers.membership.applications import apply_button, apply_command
from handlers.router import CommandRouter, Invocation

NOTE_TOO_LONG = (
    f":x: Please keep the note under {emeritus_rules.NOTE_MAX_LENGTH} characters. Nothing was changed."
)


def step_down_command(call: Invocation, *, deps: Deps) -> None:
    note = call.args.strip()
    if len(note) > emeritus_rules.NOTE_MAX_LENGTH:
        call.reply(NOTE_TOO_LONG)
        return
    if not members.is_ambassador(deps.db, call.user_id):
        call.reply(emeritus_blocks.STEP_DOWN_NOT_AMBASSADOR)
        return
    # Leaving is not undone by a typo: the answer asks, the button does it.
    call.reply(emeritus_blocks.step_down_confirm(note))


def step_down_button(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    ack()
    origin = Origin.of(body)
    note = clicked_value(body).strip()[: emeritus_rules.NOTE_MAX_LENGTH]
    result = leaving.step_down(
        deps.db,
        origin.user_id,
        note or None,
        today=deps.program_today(),
        now=deps.now(),
        farewell=farewell(deps),
    )
    if result.status is StepDownStatus.STEPPED_DOWN:
        assert result.change is not None
        closed = result.change.closed_term
        text = emeritus_blocks.stepped_down_reply(closed.end if closed else None)
    elif result.status is StepDownStatus.ALREADY_EMERITUS:
        text = emeritus_blocks.STEP_DOWN_ALREADY
    else:
        text = emeritus_blocks.STEP_DOWN_NOT_AMBASSADOR
    if body.get("response_url"):
        # The question was only for them: its answer takes its place, and the button is gone.
        respond(text=text, response_type="ephemeral", replace_original=True)
    else:
        tell(client, origin, text)
    if result.status is StepDownStatus.STEPPED_DOWN and result.change is not None:
        deliver_now(deps, client, result.change.outbox_keys)
        refresh_after_decision(deps, client, origin.user_id)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("step-down", bind(step_down_command, deps=deps), aliases=("stepdown",))
    app.action(ids.STEP_DOWN)(bind(step_down_button, deps=deps))
    # Coming back is applying again; the form and the TSC's review post know a returning ambassador.
    router.add("rejoin", bind(apply_command, deps=deps))
    app.action(ids.REJOIN_OPEN)(bind(apply_button, deps=deps))
