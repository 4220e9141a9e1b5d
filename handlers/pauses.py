"""Pausing a membership: `/ambassador pause until DATE [reason]` and `/ambassador resume`, the Home's
Pause button (a form) and Resume button, and the TSC's `admin pause` / `admin resume`.

`/ambassador snooze` is another thing: it mutes progress reminders only (handlers/reminders.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import admin as admin_blocks
from bot.blocks import ids
from bot.blocks import pauses as pause_blocks
from bot.blocks.pauses import PAUSE_MESSAGES
from bot.rules import parsing
from bot.rules import pauses as pause_rules
from bot.services import pauses
from bot.services.pauses import PausePolicy, PauseResult
from bot.slack.deps import Deps
from bot.slack.home_refresh import from_home
from handlers import forms
from handlers.common import Origin, bind, deliver_now, tell
from handlers.forms import FieldErrors, submit_form
from handlers.router import CommandRouter, Invocation


def policy(deps: Deps) -> PausePolicy:
    return PausePolicy.from_settings(deps.settings)


def pause_command(call: Invocation, *, deps: Deps) -> None:
    rules = policy(deps)
    if call.args.strip().lower() in ("", "help"):
        call.reply(pause_blocks.usage(rules.max_days))
        return
    wanted = pause_rules.parse_pause(call.args)
    if wanted.until is None:
        call.reply(pause_blocks.not_understood(call.args, rules.max_days))
        return
    if wanted.reason and len(wanted.reason) > pause_rules.PAUSE_REASON_MAX_LENGTH:
        call.reply(f":x: {pause_blocks.REASON_TOO_LONG}")
        return
    result = pause_for(deps, call.user_id, wanted.until, wanted.reason, actor=call.user_id)
    call.reply(pause_blocks.pause_reply(result, rules.max_days))
    if result.changed:
        deps.changed(call.client, call.user_id)


def pause_for(deps: Deps, slack_user_id: str, until: date, reason: str | None, *, actor: str) -> PauseResult:
    return pauses.pause_member(
        deps.db,
        slack_user_id,
        until,
        reason,
        today=deps.program_today(),
        now=deps.now(),
        actor=actor,
        policy=policy(deps),
        messages=PAUSE_MESSAGES,
    )


def resume_command(call: Invocation, *, deps: Deps) -> None:
    result = pauses.resume_member(
        deps.db,
        call.user_id,
        today=deps.program_today(),
        now=deps.now(),
        actor=call.user_id,
        messages=PAUSE_MESSAGES,
    )
    call.reply(pause_blocks.resume_reply(result))
    if result.status == pauses.ResumeStatus.RESUMED:
        deps.changed(call.client, call.user_id)


def pause_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    # The trigger expires 3 s after the click: the form opens before anything is read.
    origin = Origin.of(body)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=pause_blocks.pause_modal(deps.program_today(), policy(deps).max_days, origin.metadata()),
    )


def submit_pause(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    user_id = body["user"]["id"]
    submit_form(
        ack,
        validate=lambda: pause_form(view),
        act=lambda wanted: pause_from_form(deps, user_id, wanted),
        then=lambda result: after_pause_form(deps, client, user_id, view, result),
    )


def pause_form(view: dict[str, Any]) -> pause_rules.PauseCommand | FieldErrors:
    state = view["state"]["values"]
    until = parsing.parse_iso_date(parsing.state_value(state, "until") or "")
    reason = (parsing.state_value(state, "reason") or "").strip()
    if until is None:
        return FieldErrors({"until": pause_blocks.DATE_REQUIRED})
    if len(reason) > pause_rules.PAUSE_REASON_MAX_LENGTH:
        return FieldErrors({"reason": pause_blocks.REASON_TOO_LONG})
    return pause_rules.PauseCommand(until, reason or None)


def pause_from_form(deps: Deps, user_id: str, wanted: pause_rules.PauseCommand) -> PauseResult | FieldErrors:
    assert wanted.until is not None
    result = pause_for(deps, user_id, wanted.until, wanted.reason, actor=user_id)
    if result.status == pauses.PauseStatus.REFUSED:
        assert result.refusal is not None
        return FieldErrors(
            {"until": pause_blocks.refusal_text(result.refusal, result.latest_return, policy(deps).max_days)}
        )
    if result.status == pauses.PauseStatus.NOT_AMBASSADOR:
        return FieldErrors({"until": pause_blocks.NOT_AMBASSADOR})
    return result


def after_pause_form(
    deps: Deps, client: WebClient, user_id: str, view: dict[str, Any], result: PauseResult
) -> None:
    origin = Origin.from_metadata(user_id, forms.metadata(view))
    if origin.channel_id or origin.response_url:
        tell(client, origin, pause_blocks.pause_reply(result, policy(deps).max_days))
    deps.changed(client, user_id)


def resume_button(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps) -> None:
    ack()
    user_id = body["user"]["id"]
    result = pauses.resume_member(
        deps.db, user_id, today=deps.program_today(), now=deps.now(), actor=user_id, messages=PAUSE_MESSAGES
    )
    # In a message (the return notice) the answer goes under it; on the Home the redraw shows it.
    if body.get("response_url"):
        respond(text=pause_blocks.resume_reply(result), response_type="ephemeral", replace_original=False)
    if result.status == pauses.ResumeStatus.RESUMED and from_home(body):
        deps.changed(client, user_id)


# --- the TSC: `/ambassador admin pause @someone until DATE [reason]`, `admin resume @someone` ----------


def admin_pause(call: Invocation, rest: str, *, deps: Deps) -> None:
    who, text = parsing.leading_mention(rest)
    wanted = pause_rules.parse_pause(text)
    if who is None or wanted.until is None:
        call.reply(admin_blocks.admin_usage("pause"))
        return
    if wanted.reason and len(wanted.reason) > pause_rules.PAUSE_REASON_MAX_LENGTH:
        call.reply(f":x: {pause_blocks.REASON_TOO_LONG}")
        return
    result = pause_for(deps, who, wanted.until, wanted.reason, actor=call.user_id)
    call.reply(pause_blocks.admin_pause_reply(result, who, policy(deps).max_days))
    deliver_now(deps, call.client, result.outbox_keys)
    if result.changed:
        deps.changed(call.client, who)


def admin_resume(call: Invocation, rest: str, *, deps: Deps) -> None:
    who, _ = parsing.leading_mention(rest)
    if who is None:
        call.reply(admin_blocks.admin_usage("resume"))
        return
    result = pauses.resume_member(
        deps.db, who, today=deps.program_today(), now=deps.now(), actor=call.user_id, messages=PAUSE_MESSAGES
    )
    call.reply(pause_blocks.admin_resume_reply(result, who))
    deliver_now(deps, call.client, result.outbox_keys)
    if result.status == pauses.ResumeStatus.RESUMED:
        deps.changed(call.client, who)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("pause", bind(pause_command, deps=deps))
    router.add("resume", bind(resume_command, deps=deps))
    app.action(ids.PAUSE_OPEN)(bind(pause_button, deps=deps))
    app.view(ids.PAUSE_MODAL)(bind(submit_pause, deps=deps))
    app.action(ids.PAUSE_RESUME)(bind(resume_button, deps=deps))
