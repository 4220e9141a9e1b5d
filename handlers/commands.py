"""`/ambassador help | status | list`."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import contributions as contributions_blocks
from bot.blocks import general as general_blocks
from bot.services import impact, members
from bot.slack.deps import Deps
from handlers.common import bind
from handlers.router import CommandRouter, Invocation


def show_help(call: Invocation, *, deps: Deps) -> None:
    call.reply(general_blocks.help_message(deps.settings.required_contributions))


def show_status(call: Invocation, *, deps: Deps) -> None:
    required = deps.settings.required_contributions
    today = deps.local_today(call.client, call.user_id)
    standing = members.standing(deps.db, call.user_id, today, required)
    if standing is None or not standing.is_ambassador or standing.progress is None:
        call.reply(general_blocks.not_an_ambassador(required))
        return
    reach = impact.term_impact(deps.db, call.user_id, today)
    call.reply(
        contributions_blocks.status_message(
            standing.name, standing.progress, standing.renewal_requested, reach
        )
    )


EMERITUS_LISTED = 20


def show_list(call: Invocation, *, deps: Deps) -> None:
    emeritus, emeritus_total = members.list_emeritus(deps.db, EMERITUS_LISTED)
    call.reply(
        contributions_blocks.ambassador_list_message(
            members.list_ambassadors(deps.db, deps.program_today()),
            deps.settings.required_contributions,
            emeritus,
            emeritus_total,
            deps.settings.zone,
        )
    )


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("help", bind(show_help, deps=deps), aliases=("-h", "--help", "?"))
    router.add("status", bind(show_status, deps=deps), aliases=("progress",))
    router.add("list", bind(show_list, deps=deps), aliases=("ambassadors",))
