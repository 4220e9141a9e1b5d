"""`/ambassador snooze 30d | 2w | off`, and the Snooze / Resume buttons (in DMs or the App Home)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks import reminders as reminders_blocks
from bot.rules import parsing
from bot.services import reminders
from bot.slack.deps import Deps
from bot.slack.home_refresh import from_home
from handlers.common import bind
from handlers.router import CommandRouter, Invocation

RESUME_WORDS = {"off", "on", "resume", "stop", "cancel", "none", "0"}
UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "week": 7, "weeks": 7, "m": 30, "month": 30, "months": 30}
DURATION = re.compile(r"^(\d{1,4})\s*([a-z]*)$")


def parse_snooze(text: str) -> int | None:
    """Days for "30d", "2w", "3m", "30" or "" (the default); None when it is not a duration or too long."""
    text = text.strip().lower()
    if not text:
        return reminders_blocks.SNOOZE_DAYS_DEFAULT
    match = DURATION.match(text)
    if not match or match.group(2) not in {"", *UNITS}:
        return None
    days = int(match.group(1)) * UNITS.get(match.group(2), 1)
    return days if 1 <= days <= reminders.MAX_SNOOZE_DAYS else None


# These only build the answer: whoever calls them answers first and then, for a click on the
# App Home, has the Home redrawn (`answer`), never in front of the answer.
def reply_for_snooze(deps: Deps, client: WebClient, user_id: str, days: int) -> tuple[str, bool]:
    """The answer, and whether anything changed."""
    try:
        state = reminders.snooze(deps.db, user_id, days, deps.now())
    except reminders.NotAnAmbassador:
        return reminders_blocks.SNOOZE_NOT_AMBASSADOR, False
    assert state.snoozed_until is not None
    until = state.snoozed_until.astimezone(deps.zone_for(client, user_id)).date()
    return reminders_blocks.snoozed_message(until), True


def reply_for_resume(deps: Deps, user_id: str) -> tuple[str, bool]:
    try:
        state = reminders.resume(deps.db, user_id, deps.now())
    except reminders.NotAnAmbassador:
        return reminders_blocks.SNOOZE_NOT_AMBASSADOR, False
    if not state.was_snoozed:
        return reminders_blocks.NOT_SNOOZED_MESSAGE, False
    return reminders_blocks.RESUMED_MESSAGE, True


def snooze_command(call: Invocation, *, deps: Deps) -> None:
    if call.args.strip().lower() in RESUME_WORDS:
        call.reply(reply_for_resume(deps, call.user_id)[0])
        return
    days = parse_snooze(call.args)
    if days is None:
        call.reply(reminders_blocks.snooze_not_understood(call.args))
        return
    call.reply(reply_for_snooze(deps, call.client, call.user_id, days)[0])


def snooze_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    ack()
    value = str(action.get("value") or "")
    number = parsing.whole_number(value)
    days = number if number is not None and 1 <= number <= reminders.MAX_SNOOZE_DAYS else None
    reply = reply_for_snooze(deps, client, body["user"]["id"], days or reminders_blocks.SNOOZE_DAYS_DEFAULT)
    answer(deps, respond, body, client, reply)


def resume_button(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps) -> None:
    ack()
    answer(deps, respond, body, client, reply_for_resume(deps, body["user"]["id"]))


def answer(
    deps: Deps, respond: Respond, body: dict[str, Any], client: WebClient, reply: tuple[str, bool]
) -> None:
    text, changed = reply
    # In a message (a reminder DM) the answer goes under it; in the App Home the redraw shows it.
    if body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    if changed and from_home(body):
        deps.changed(client, body["user"]["id"])


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    # `pause` is the membership pause (handlers/pauses.py); a snooze mutes progress reminders only.
    router.add("snooze", bind(snooze_command, deps=deps), aliases=("mute",))
    app.action(ids.SNOOZE)(bind(snooze_button, deps=deps))
    app.action(ids.RESUME)(bind(resume_button, deps=deps))
