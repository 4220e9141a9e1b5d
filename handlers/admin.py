"""`/ambassador admin ...`: the TSC's commands (pending, add, link, extend, emeritus, reinstate, pause,
resume, benefits).

Refused, and audited, for anyone not on the TSC. People are named by Slack mentions, which Slack sends
escaped with their ID (`<@U123|jane>`); a name typed without @ is not trusted.
"""

from __future__ import annotations

import logging
import re
from typing import Protocol

from slack_bolt import App

from bot.blocks import admin as admin_blocks
from bot.blocks.membership import messages as membership_messages
from bot.rules import emeritus as emeritus_rules
from bot.rules import membership as membership_rules
from bot.rules import parsing, slack_text
from bot.services import admin, members
from bot.services.membership import decisions
from bot.slack.client import lookup_client
from bot.slack.deps import Deps
from handlers.benefits.catalogue import admin_benefits
from handlers.common import bind, deliver_now, farewell, slack_name
from handlers.pauses import admin_pause, admin_resume
from handlers.router import CommandRouter, Invocation
from handlers.term_starts import admin_term

log = logging.getLogger(__name__)

DAYS = re.compile(r"^(\d{1,4})\s*(?:d|days?)?$", re.IGNORECASE)


def pending(call: Invocation, rest: str, *, deps: Deps) -> None:
    required = deps.settings.required_contributions
    items, total = decisions.pending_applications(deps.db, deps.program_today(), required)
    call.reply(admin_blocks.pending_list_message(items, total, required))


def add(call: Invocation, rest: str, *, deps: Deps) -> None:
    settings = deps.settings
    who, _ = parsing.leading_mention(rest)
    if who is None:
        call.reply(admin_blocks.admin_usage("add"))
        return
    name = slack_name(lookup_client(call.client), who)
    if name is None:
        call.reply(membership_messages.unknown_user(who))
        return
    result = admin.add_ambassador(
        deps.db,
        who,
        name,
        today=deps.program_today(),
        now=deps.now(),
        actor=call.user_id,
        required=settings.required_contributions,
        announce_channel=settings.announce_channel,
        messages=membership_messages.MEMBERSHIP_MESSAGES,
        github_org=settings.github_org,
    )
    call.reply(admin_blocks.add_reply(result, who))
    deliver_now(deps, call.client, result.outbox_keys)
    if result.status == admin.AddStatus.ADDED:
        deps.changed(call.client, who)


def link(call: Invocation, rest: str, *, deps: Deps) -> None:
    who, github = parsing.leading_mention(rest)
    github = github.strip().removeprefix("@")
    if who is None or not membership_rules.is_github_handle(github):
        call.reply(admin_blocks.admin_usage("link"))
        return
    result = admin.link_member(deps.db, who, github, now=deps.now(), actor=call.user_id)
    call.reply(admin_blocks.link_reply(result, who, github))
    if result.status == admin.LinkStatus.LINKED:
        deps.changed(call.client, who)


def extend(call: Invocation, rest: str, *, deps: Deps) -> None:
    who, days_text = parsing.leading_mention(rest)
    match = DAYS.match(days_text.strip())
    if who is None or match is None or not membership_rules.valid_extension(int(match.group(1))):
        call.reply(admin_blocks.admin_usage("extend"))
        return
    days = int(match.group(1))
    result = admin.extend_member(
        deps.db,
        who,
        days,
        now=deps.now(),
        actor=call.user_id,
        messages=membership_messages.MEMBERSHIP_MESSAGES,
    )
    call.reply(admin_blocks.term_change_reply("extend", result, who, days))
    after_term_change(deps, call, who, result)


def emeritus(call: Invocation, rest: str, *, deps: Deps) -> None:
    who, text = parsing.leading_mention(rest)
    reason, note = emeritus_rules.reason_and_note(text)
    # A reason word alone ("staff") is enough; otherwise the TSC says why in their own words.
    if who is None or not text or len(note) > emeritus_rules.NOTE_MAX_LENGTH:
        call.reply(admin_blocks.admin_usage("emeritus"))
        return
    result = admin.emeritus_member(
        deps.db,
        who,
        reason,
        note or None,
        today=deps.program_today(),
        now=deps.now(),
        actor=call.user_id,
        farewell=farewell(deps),
    )
    call.reply(admin_blocks.term_change_reply("emeritus", result, who))
    after_term_change(deps, call, who, result)


def reinstate(call: Invocation, rest: str, *, deps: Deps) -> None:
    who, _ = parsing.leading_mention(rest)
    if who is None:
        call.reply(admin_blocks.admin_usage("reinstate"))
        return
    result = admin.reinstate_member(
        deps.db,
        who,
        today=deps.program_today(),
        now=deps.now(),
        actor=call.user_id,
        required=deps.settings.required_contributions,
        messages=membership_messages.MEMBERSHIP_MESSAGES,
    )
    call.reply(admin_blocks.term_change_reply("reinstate", result, who))
    after_term_change(deps, call, who, result)


def after_term_change(deps: Deps, call: Invocation, who: str, result: admin.AdminChange) -> None:
    deliver_now(deps, call.client, result.outbox_keys)
    if result.change is not None and result.change.changed:
        deps.changed(call.client, who)


class Subcommand(Protocol):
    def __call__(self, call: Invocation, rest: str, *, deps: Deps) -> None: ...


SUBCOMMANDS: dict[str, Subcommand] = {
    "pending": pending,
    "add": add,
    "link": link,
    "extend": extend,
    "emeritus": emeritus,
    "reinstate": reinstate,
    "term": admin_term,
    "pause": admin_pause,
    "resume": admin_resume,
    "benefits": admin_benefits,
}


def admin_command(call: Invocation, *, deps: Deps) -> None:
    if not deps.is_tsc(call.user_id):
        log.warning("%s, who is not on the TSC, tried `admin %s`; refused", call.user_id, call.args[:100])
        members.record_refused(
            deps.db, call.user_id, "admin.refused", now=deps.now(), command=call.args[:200]
        )
        call.reply(admin_blocks.ADMIN_REFUSED)
        return
    raw_name, rest = slack_text.split_first(call.slack_args)
    name = slack_text.decode(raw_name).lower()
    if name in ("", "help"):
        call.reply(admin_blocks.admin_help())
        return
    handler = SUBCOMMANDS.get(name)
    if handler is None:
        call.reply(admin_blocks.admin_help(unknown=name))
        return
    handler(call, rest, deps=deps)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("admin", bind(admin_command, deps=deps))
