"""Logging contributions: `/ambassador log` (inline or modal), the "Log a contribution" button, and the
form itself (reading it, and redrawing it when a type is picked or a link entered)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import contributions as contributions_blocks
from bot.blocks import general as general_blocks
from bot.blocks import ids
from bot.blocks import impact as impact_blocks
from bot.blocks.contributions import LogForm
from bot.rules import membership as membership_rules
from bot.rules import parsing
from bot.rules.impact import Impact, ImpactProblem
from bot.rules.membership import Problem
from bot.services import members
from bot.services.contributions import (
    ContributionDraft,
    ContributionRejected,
    LoggedContribution,
    NotAnAmbassador,
    log_contribution,
    logged_for_key,
)
from bot.slack.deps import Deps
from bot.slack.home_refresh import from_home
from handlers import forms
from handlers.common import Origin, bind, deliver_now, tell
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
        logged = log_contribution(
            deps.db,
            call.user_id,
            draft,
            today,
            deps.now(),
            required,
            review=deps.settings.contribution_review,
        )
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
    link_details = deps.settings.link_details
    opened = client.views_open(
        trigger_id=trigger_id,
        view=contributions_blocks.log_modal(today, metadata, link_details=link_details),
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
            view=contributions_blocks.log_modal(local_today, metadata, link_details=link_details),
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
        act=lambda draft: record(deps, client, user_id, draft, view),
        then=lambda logged: confirm(deps, client, user_id, view, logged),
    )


def record(
    deps: Deps, client: WebClient, user_id: str, draft: ContributionDraft, view: dict[str, Any]
) -> LoggedContribution | FieldErrors:
    # A form opened from someone else's message (the message shortcut, by a TSC member) logs it for
    # them; who may do that is checked again now, at the submission.
    owner = str(forms.metadata(view).get("for") or user_id)
    logged_by = None
    if owner != user_id:
        if not deps.is_tsc(user_id):
            return FieldErrors({block_ids(view)["type"]: impact_blocks.SHORTCUT_NOT_THEIRS})
        logged_by = user_id
    today = deps.local_today(client, owner)
    try:
        return log_contribution(
            deps.db,
            owner,
            draft,
            today,
            deps.now(),
            deps.settings.required_contributions,
            logged_by=logged_by,
            tell_member=impact_blocks.logged_for_you_message,
            review=deps.settings.contribution_review,
        )
    except NotAnAmbassador:
        text = (
            contributions_blocks.NOT_AN_AMBASSADOR_FIELD_ERROR
            if logged_by is None
            else impact_blocks.SHORTCUT_AUTHOR_NOT_AMBASSADOR
        )
        return FieldErrors({block_ids(view)["type"]: text})
    except ContributionRejected as rejected:
        return field_errors(rejected.problems, rejected.impact_problems, view)


def confirm(
    deps: Deps, client: WebClient, user_id: str, view: dict[str, Any], logged: LoggedContribution
) -> None:
    metadata = forms.metadata(view)
    origin = Origin(user_id, metadata.get("channel_id", ""))
    if logged.logged_by:
        owner = str(metadata.get("for"))
        tell(client, origin, impact_blocks.logged_for_confirmation(owner, logged))
        deliver_now(deps, client, [logged_for_key(logged.contribution_id)])
        deps.changed(client, owner)
        return
    tell(client, origin, confirmation(logged))
    if metadata.get("home"):
        deps.changed(client, user_id)


def confirmation(logged: LoggedContribution) -> dict[str, Any]:
    return contributions_blocks.logged_message(
        logged.type,
        logged.title,
        logged.occurred_on,
        logged.counts_toward_term,
        logged.standing.progress,
        upcoming=logged.upcoming,
        waiting_review=logged.waiting_review,
    )


def impact_from(state: dict[str, Any]) -> Impact:
    """The impact fields of a form's state (by block name); the audience is read with the rest."""
    return Impact(
        event_name=parsing.state_value(state, "event_name"),
        city=parsing.state_value(state, "city"),
        country=parsing.state_value(state, "country"),
        online=bool(parsing.state_value(state, "online")),
        language=parsing.state_value(state, "language"),
        recording_link=parsing.state_value(state, "recording_link"),
        slides_link=parsing.state_value(state, "slides_link"),
    )


def contribution_draft(view: dict[str, Any]) -> ContributionDraft | FieldErrors:
    """The contribution form's values (the log form and the edit form have the same fields)."""
    state = parsing.form_state(view["state"]["values"])
    reach_text = parsing.state_value(state, "reach")
    if reach_text and parsing.whole_number(reach_text) is None:
        return FieldErrors({block_ids(view)["reach"]: contributions_blocks.REACH_NOT_A_NUMBER})
    date_text = parsing.state_value(state, "date")
    return ContributionDraft(
        type=parsing.state_value(state, "type") or "",
        title=parsing.state_value(state, "title") or "",
        link=parsing.state_value(state, "link") or "",
        occurred_on=parsing.parse_iso_date(date_text) if date_text else None,
        reach=parsing.whole_number(reach_text),
        notes=parsing.state_value(state, "notes"),
        impact=impact_from(state),
    )


def block_ids(view: dict[str, Any]) -> dict[str, str]:
    """Each field's block ID in this view (`title`, or `title~2` once the bot refilled it)."""
    ids_by_name = {name: name for name in ("type", "title", "link", "date", "reach", "notes")}
    for block in view.get("blocks") or []:
        if block_id := block.get("block_id"):
            ids_by_name[parsing.base_block_id(block_id)] = block_id
    return ids_by_name


def field_errors(
    problems: dict[str, Problem],
    impact_problems: dict[str, ImpactProblem] | None = None,
    view: dict[str, Any] | None = None,
) -> FieldErrors:
    where = block_ids(view or {})
    errors = {
        where[FIELD_BLOCKS[field]]: contributions_blocks.PROBLEM_TEXT[problem]
        for field, problem in problems.items()
    }
    for column, impact_problem in (impact_problems or {}).items():
        errors[where.get(column, column)] = impact_blocks.impact_problem_text(column, impact_problem)
    return FieldErrors(errors)


# --- the form redrawn: a type picked, a link entered ----------------------------------------------


def shown_values(view: dict[str, Any]) -> dict[str, Any]:
    """What the view's inputs were drawn with (their initial values), by block name, as `view.state`
    would hold them: what stands for a field the state leaves out."""
    shown: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") or {}
        if block.get("type") != "input" or not block.get("block_id"):
            continue
        kind = element.get("type")
        entry: dict[str, Any] = {"type": kind}
        if kind == "static_select":
            entry["selected_option"] = element.get("initial_option")
        elif kind == "datepicker":
            entry["selected_date"] = element.get("initial_date")
        elif kind == "checkboxes":
            entry["selected_options"] = element.get("initial_options") or []
        else:
            entry["value"] = element.get("initial_value")
        shown[parsing.base_block_id(block["block_id"])] = {element.get("action_id", "value"): entry}
    return shown


def form_from_view(view: dict[str, Any], fallback_day: date) -> LogForm:
    """The form as the member sees it now: the values of `view.state` (what the view was drawn with
    for a field the state leaves out), and its blocks' versions."""
    state = {
        **shown_values(view),
        **parsing.form_state((view.get("state") or {}).get("values") or {}),
    }
    versions: dict[str, int] = {}
    for block in view.get("blocks") or []:
        block_id = str(block.get("block_id") or "")
        name, _, version = block_id.partition(parsing.VERSION_SEPARATOR)
        if version.isdigit():
            versions[name] = int(version)
    date_text = parsing.state_value(state, "date")
    reach_text = parsing.state_value(state, "reach")
    return LogForm(
        occurred_on=(parsing.parse_iso_date(date_text) if date_text else None) or fallback_day,
        type=membership_rules.normalize_type(parsing.state_value(state, "type") or ""),
        title=parsing.state_value(state, "title") or "",
        link=(parsing.state_value(state, "link") or "").strip(),
        notes=parsing.state_value(state, "notes"),
        impact=replace(impact_from(state), reach=parsing.whole_number(reach_text)),
        versions=versions,
    )


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("log", bind(log_command, deps=deps), aliases=("add", "record"))
    app.action(ids.LOG_OPEN)(bind(open_from_button, deps=deps))
    app.view(ids.LOG_MODAL)(bind(submit, deps=deps))
