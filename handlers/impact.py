"""Logging in seconds and what contributions reached: the "Log as contribution" message shortcut, the
log form redrawn when a type is picked or a link entered (the page's title and kind filled in), and
the "how did it go?" button and form after an upcoming talk."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import contributions as contributions_blocks
from bot.blocks import general as general_blocks
from bot.blocks import ids
from bot.blocks import impact as impact_blocks
from bot.blocks.contributions import LogForm
from bot.rules import links, parsing
from bot.rules import membership as membership_rules
from bot.services import members
from bot.services.contributions import ContributionNotFound
from bot.services.impact import Outcome, OutcomeRejected, OutcomeSaved, own_talk, record_outcome
from bot.slack.deps import Deps
from bot.web.link_details import LinkDetails
from handlers import forms
from handlers.common import Origin, bind, clicked_id, tell
from handlers.contributions import form_from_view
from handlers.forms import FieldErrors, submit_form
from handlers.router import CommandRouter

log = logging.getLogger(__name__)

LOG_FORMS = (ids.LOG_MODAL, ids.EDIT_MODAL)
# The log form's inputs that redraw it: the type (its fields) and the link (its page's details).
REDRAWING_INPUTS: dict[str, str | re.Pattern[str]] = {
    "block_id": re.compile(r"^(type|link)(~\d+)?$"),
    "action_id": "value",
}


# --- the message shortcut -------------------------------------------------------------------------


def log_from_message(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    """ "Log as contribution" on a message: the log form with its link, a title and its date.

    The author logs their own message; a TSC member may log someone else's for them (the submission
    checks it again, audits it, and tells the author).
    """
    ack()
    user_id = body["user"]["id"]
    message = body.get("message") or {}
    channel_id = str((body.get("channel") or {}).get("id") or "")
    origin = Origin(user_id, channel_id, response_url=str(body.get("response_url") or ""))
    author = message.get("user")
    if not isinstance(author, str) or not author or message.get("bot_id") or message.get("subtype"):
        tell(client, origin, impact_blocks.SHORTCUT_NO_AUTHOR)
        return
    if author != user_id and not deps.is_tsc(user_id):
        tell(client, origin, impact_blocks.SHORTCUT_NOT_THEIRS)
        return
    if not members.is_ambassador(deps.db, author):
        required = deps.settings.required_contributions
        refusal = (
            impact_blocks.SHORTCUT_AUTHOR_NOT_AMBASSADOR
            if author != user_id
            else general_blocks.not_an_ambassador(required)
        )
        tell(client, origin, refusal)
        return
    # The trigger expires 3 s after the click: the form opens first, the page is read after.
    zone = deps.cached_zone(author) or deps.settings.zone
    day = links.message_day(str(message.get("ts") or ""), zone) or deps.now().astimezone(zone).date()
    guess = links.guess_from_message(str(message.get("text") or ""))
    form = LogForm(
        occurred_on=day,
        type=links.kind_of(guess.link) if guess.link else None,
        title=guess.title,
        link=guess.link,
    )
    metadata = {"channel_id": channel_id, "guess": guess.title}
    if author != user_id:
        metadata["for"] = author
    link_details = deps.settings.link_details
    opened = client.views_open(
        trigger_id=body["trigger_id"],
        view=contributions_blocks.log_modal(day, json.dumps(metadata), form=form, link_details=link_details),
    )
    if link_details and guess.link:
        details = deps.link_reader.read(guess.link)
        refill(client, opened["view"], form, metadata, details)


def refill(
    client: WebClient, view: dict[str, Any], form: LogForm, metadata: dict[str, Any], details: LinkDetails
) -> None:
    """Put a page's title and kind into an open log form, where the member has not chosen otherwise."""
    changed = filled_in(form, str(metadata.get("guess") or ""), details)
    if changed is form:
        return
    update(client, view, changed, {**metadata, "guess": changed.title})


def filled_in(form: LogForm, guess: str, details: LinkDetails) -> LogForm:
    """The form with the page's title (when the title is empty or still the bot's guess) and its kind
    (when no type is picked); the same form when the page adds nothing."""
    versions = dict(form.versions)
    title, kind = form.title, form.type
    if details.title and form.title.strip() in ("", guess.strip()) and details.title != form.title:
        title = details.title
        versions["title"] = versions.get("title", 0) + 1
    if details.kind and form.type is None:
        kind = details.kind
        versions["type"] = versions.get("type", 0) + 1
    if (title, kind) == (form.title, form.type):
        return form
    return replace(form, title=title, type=kind, versions=versions)


def update(client: WebClient, view: dict[str, Any], form: LogForm, metadata: dict[str, Any]) -> None:
    callback_id = view.get("callback_id") or ids.LOG_MODAL
    link_details = any(
        block.get("dispatch_action")
        for block in view.get("blocks") or []
        if parsing.base_block_id(str(block.get("block_id") or "")) == "link"
    )
    try:
        client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=contributions_blocks.log_form_view(
                callback_id, form, json.dumps(metadata) if metadata else "", link_details=link_details
            ),
        )
    except SlackApiError as exc:
        if exc.response.get("error") not in ("not_found", "hash_conflict"):
            raise
        # Closed, submitted or changed meanwhile: what the member did wins over the redraw.
        log.info("the log form was closed or changed before it was redrawn")


# --- the log form redrawn -------------------------------------------------------------------------


def form_changed(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    """A type picked (its impact fields shown) or a link entered (its page read, after the ack)."""
    ack()
    view = body.get("view") or {}
    if view.get("callback_id") not in LOG_FORMS or not view.get("id"):
        return
    action = (body.get("actions") or [{}])[0]
    name = parsing.base_block_id(str(action.get("block_id") or ""))
    form = form_from_view(view, deps.now().astimezone(deps.settings.zone).date())
    # The action itself carries what was just picked or entered, whatever the view's state holds.
    if name == "type" and isinstance(action.get("selected_option"), dict):
        form = replace(
            form, type=membership_rules.normalize_type(str(action["selected_option"].get("value") or ""))
        )
    elif name == "link" and isinstance(action.get("value"), str):
        form = replace(form, link=action["value"].strip())
    metadata = forms.metadata(view)
    if name == "link" and deps.settings.link_details and links.fetchable(form.link):
        details = deps.link_reader.read(form.link)
        changed = filled_in(form, str(metadata.get("guess") or ""), details)
        if changed is not form:
            metadata = {**metadata, "guess": changed.title}
        form = changed
    update(client, view, form, metadata)


# --- how did the talk go? -----------------------------------------------------------------------------


def open_outcome(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    user_id = body["user"]["id"]
    contribution_id = clicked_id(body)
    try:
        if contribution_id is None:
            raise ContributionNotFound()
        talk = own_talk(deps.db, user_id, contribution_id)
    except ContributionNotFound:
        tell(client, Origin.of(body), contributions_blocks.CONTRIBUTION_GONE)
        return
    client.views_open(trigger_id=body["trigger_id"], view=impact_blocks.outcome_modal(talk))


def save_outcome(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    user_id = body["user"]["id"]
    submit_form(
        ack,
        validate=lambda: outcome_from(view),
        act=lambda given: store_outcome(deps, user_id, given),
        then=lambda saved: after_outcome(deps, client, user_id, saved),
    )


def outcome_from(view: dict[str, Any]) -> tuple[int, Outcome] | FieldErrors:
    state = parsing.form_state(view["state"]["values"])
    try:
        contribution_id = int(forms.metadata(view)["contribution_id"])
    except (ValueError, KeyError, TypeError):
        return FieldErrors({"reach": contributions_blocks.CONTRIBUTION_GONE})
    reach_text = parsing.state_value(state, "reach")
    reach = parsing.whole_number(reach_text)
    if reach_text and reach is None:
        return FieldErrors({"reach": contributions_blocks.REACH_NOT_A_NUMBER})
    return contribution_id, Outcome(
        reach, parsing.state_value(state, "recording_link"), parsing.state_value(state, "slides_link")
    )


def store_outcome(deps: Deps, user_id: str, given: tuple[int, Outcome]) -> OutcomeSaved | FieldErrors:
    contribution_id, outcome = given
    try:
        return record_outcome(deps.db, user_id, contribution_id, outcome, now=deps.now())
    except ContributionNotFound:
        return FieldErrors({"reach": contributions_blocks.CONTRIBUTION_GONE})
    except OutcomeRejected as rejected:
        return FieldErrors(
            {
                column: impact_blocks.impact_problem_text(column, problem)
                for column, problem in rejected.problems.items()
            }
        )


def after_outcome(deps: Deps, client: WebClient, user_id: str, saved: OutcomeSaved) -> None:
    tell(client, Origin(user_id), impact_blocks.outcome_saved(saved.title, saved.changed))
    if saved.changed:
        deps.changed(client, user_id)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    app.shortcut(ids.LOG_SHORTCUT)(bind(log_from_message, deps=deps))
    app.action(REDRAWING_INPUTS)(bind(form_changed, deps=deps))
    app.action(ids.TALK_OUTCOME_OPEN)(bind(open_outcome, deps=deps))
    app.view(ids.TALK_OUTCOME_MODAL)(bind(save_outcome, deps=deps))
