"""Logging contributions: `/ambassador log` (inline or modal) and the "Log a contribution" button."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import contributions as contributions_blocks
from bot.blocks import general as general_blocks
from bot.blocks import ids
from bot.rules import parsing
from bot.rules.membership import Problem
from bot.services import members
from bot.services.contributions import (
    ContributionDraft,
    ContributionRejected,
    LoggedContribution,
    NotAnAmbassador,
    log_contribution,
)
from bot.slack.deps import Deps
from bot.slack.home_refresh import from_home
from handlers.common import Origin, tell
from handlers.router import CommandRouter, Invocation

log = logging.getLogger(__name__)

FIELD_BLOCKS = {"type": "type", "title": "title", "link": "link", "date": "date"}


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    required = deps.settings.required_contributions

    def open_log_modal(
        client: WebClient, trigger_id: str, user_id: str, channel_id: str, on_home: bool = False
    ) -> None:
        # The trigger expires 3 s after the click: the modal goes first, on the date in the member's
        # cached time zone (the program's when not known yet). Asking Slack (users.info) comes after,
        # and only corrects the date when the member's own "today" turns out to be another day.
        zone = deps.cached_zone(user_id)
        today = deps.now().astimezone(zone or deps.settings.zone).date()
        origin = {"channel_id": channel_id} if channel_id else {}
        if on_home:
            origin["home"] = "1"  # the submission then redraws the Home it came from
        metadata = json.dumps(origin) if origin else ""
        opened = client.views_open(
            trigger_id=trigger_id, view=contributions_blocks.log_modal(today, metadata)
        )
        if zone is not None:
            return
        local_today = deps.local_today(client, user_id)
        if local_today == today:
            return
        view = opened["view"]
        try:
            client.views_update(
                view_id=view["id"],
                hash=view.get("hash"),
                view=contributions_blocks.log_modal(local_today, metadata),
            )
        except SlackApiError as exc:
            if exc.response.get("error") not in ("not_found", "hash_conflict"):
                raise
            log.info("log form for %s closed or changed before its date was corrected", user_id)

    def log_command(call: Invocation) -> None:
        if not call.slack_args:
            if not members.is_ambassador(deps.db, call.user_id):
                call.reply(general_blocks.not_an_ambassador(required))
                return
            call.ack()
            open_log_modal(call.client, call.trigger_id, call.user_id, call.channel_id)
            return
        inline = parsing.parse_inline_log(call.slack_args)
        if inline is None:
            call.reply(contributions_blocks.INLINE_LOG_INCOMPLETE)
            return
        today = deps.local_today(call.client, call.user_id)
        occurred_on = today if inline.date_text is None else parsing.parse_iso_date(inline.date_text)
        draft = ContributionDraft(
            type=inline.type, title=inline.title, link=inline.link, occurred_on=occurred_on
        )
        try:
            logged = log_contribution(deps.db, call.user_id, draft, today, deps.now(), required)
        except NotAnAmbassador:
            call.reply(general_blocks.not_an_ambassador(required))
            return
        except ContributionRejected as rejected:
            call.reply(contributions_blocks.problems_text(rejected.problems))
            return
        # The confirmation shows the progress; the Home is drawn afresh when it is next opened.
        call.reply(confirmation(logged))

    def confirmation(logged: LoggedContribution) -> dict[str, Any]:
        return contributions_blocks.logged_message(
            logged.type, logged.title, logged.occurred_on, logged.counts_toward_term, logged.standing.progress
        )

    def open_from_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        channel_id = (body.get("channel") or {}).get("id", "")
        open_log_modal(client, body["trigger_id"], user_id, channel_id, on_home=from_home(body))

    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        draft, reach_text = draft_from_state(view["state"]["values"])
        if reach_text and parsing.whole_number(reach_text) is None:
            ack(response_action="errors", errors={"reach": contributions_blocks.REACH_NOT_A_NUMBER})
            return
        today = deps.local_today(client, user_id)
        try:
            logged = log_contribution(deps.db, user_id, draft, today, deps.now(), required)
        except NotAnAmbassador:
            ack(response_action="errors", errors={"type": contributions_blocks.NOT_AN_AMBASSADOR_FIELD_ERROR})
            return
        except ContributionRejected as rejected:
            ack(response_action="errors", errors=field_errors(rejected.problems))
            return
        ack()
        metadata = json.loads(view.get("private_metadata") or "{}")
        tell(client, Origin(user_id, metadata.get("channel_id", "")), confirmation(logged))
        if metadata.get("home"):
            deps.changed(client, user_id)

    router.add("log", log_command, aliases=("add", "record"))
    app.action(ids.LOG_OPEN)(open_from_button)
    app.view(ids.LOG_MODAL)(submit)


def draft_from_state(state: dict[str, Any]) -> tuple[ContributionDraft, str | None]:
    """The contribution form's values, and the reach as typed (to say when it is not a number)."""
    reach_text = parsing.state_value(state, "reach")
    date_text = parsing.state_value(state, "date")
    draft = ContributionDraft(
        type=parsing.state_value(state, "type") or "",
        title=parsing.state_value(state, "title") or "",
        link=parsing.state_value(state, "link") or "",
        occurred_on=parsing.parse_iso_date(date_text) if date_text else None,
        reach=parsing.whole_number(reach_text),
        notes=parsing.state_value(state, "notes"),
    )
    return draft, reach_text


def field_errors(problems: dict[str, Problem]) -> dict[str, str]:
    return {
        FIELD_BLOCKS[field]: contributions_blocks.PROBLEM_TEXT[problem] for field, problem in problems.items()
    }
