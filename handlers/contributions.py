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
from handlers import forms
from handlers.common import Origin, bind, tell
from handlers.forms import FieldErrors, submit_form
from handlers.router import CommandRouter, Invocation

log = logging.getLogger(__name__)

FIELD_BLOCKS = {"type": "type", "title": "title", "link": "link", "date": "date"}


def log_command(call: Invocation, *, deps: Deps) -> None:
    required = deps.settings.required_contributions
    if not call.slack_args:
        if not members.is_ambassador(deps.db, call.user_id):
            call.reply(general_blocks.not_an_ambassador(required))
            return
        call.ack()
        open_log_modal(deps, call.client, call.trigger_id, call.user_id, call.channel_id)
        return
    inline = parsing.parse_inline_log(call.slack_args)
    if inline is None:
        call.reply(contributions_blocks.INLINE_LOG_INCOMPLETE)
        return
    if inline.date_otherwise is not None:
        call.reply(contributions_blocks.date_written_otherwise(inline.date_otherwise))
        return
    today = deps.local_today(call.client, call.user_id)
    occurred_on = today if inline.date_text is None else parsing.parse_iso_date(inline.date_text)
    draft = ContributionDraft(type=inline.type, title=inline.title, link=inline.link, occurred_on=occurred_on)
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


def open_from_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    user_id = body["user"]["id"]
    channel_id = (body.get("channel") or {}).get("id", "")
    open_log_modal(deps, client, body["trigger_id"], user_id, channel_id, on_home=from_home(body))


def open_log_modal(
    deps: Deps, client: WebClient, trigger_id: str, user_id: str, channel_id: str, on_home: bool = False
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
    opened = client.views_open(trigger_id=trigger_id, view=contributions_blocks.log_modal(today, metadata))
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


def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    user_id = body["user"]["id"]
    submit_form(
        ack,
        validate=lambda: contribution_draft(view),
        act=lambda draft: record(deps, client, user_id, draft),
        then=lambda logged: confirm(deps, client, user_id, view, logged),
    )


def record(
    deps: Deps, client: WebClient, user_id: str, draft: ContributionDraft
) -> LoggedContribution | FieldErrors:
    today = deps.local_today(client, user_id)
    try:
        return log_contribution(
            deps.db, user_id, draft, today, deps.now(), deps.settings.required_contributions
        )
    except NotAnAmbassador:
        return FieldErrors({"type": contributions_blocks.NOT_AN_AMBASSADOR_FIELD_ERROR})
    except ContributionRejected as rejected:
        return field_errors(rejected.problems)


def confirm(
    deps: Deps, client: WebClient, user_id: str, view: dict[str, Any], logged: LoggedContribution
) -> None:
    metadata = forms.metadata(view)
    tell(client, Origin(user_id, metadata.get("channel_id", "")), confirmation(logged))
    if metadata.get("home"):
        deps.changed(client, user_id)


def confirmation(logged: LoggedContribution) -> dict[str, Any]:
    return contributions_blocks.logged_message(
        logged.type, logged.title, logged.occurred_on, logged.counts_toward_term, logged.standing.progress
    )


def contribution_draft(view: dict[str, Any]) -> ContributionDraft | FieldErrors:
    """The contribution form's values (the log form and the edit form have the same fields)."""
    state = view["state"]["values"]
    reach_text = parsing.state_value(state, "reach")
    if reach_text and parsing.whole_number(reach_text) is None:
        return FieldErrors({"reach": contributions_blocks.REACH_NOT_A_NUMBER})
    date_text = parsing.state_value(state, "date")
    return ContributionDraft(
        type=parsing.state_value(state, "type") or "",
        title=parsing.state_value(state, "title") or "",
        link=parsing.state_value(state, "link") or "",
        occurred_on=parsing.parse_iso_date(date_text) if date_text else None,
        reach=parsing.whole_number(reach_text),
        notes=parsing.state_value(state, "notes"),
    )


def field_errors(problems: dict[str, Problem]) -> FieldErrors:
    return FieldErrors(
        {
            FIELD_BLOCKS[field]: contributions_blocks.PROBLEM_TEXT[problem]
            for field, problem in problems.items()
        }
    )


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("log", bind(log_command, deps=deps), aliases=("add", "record"))
    app.action(ids.LOG_OPEN)(bind(open_from_button, deps=deps))
    app.view(ids.LOG_MODAL)(bind(submit, deps=deps))
