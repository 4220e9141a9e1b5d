"""Applying: `/ambassador apply` and the Apply button open the form; its submission reaches the TSC."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids
from bot.blocks.membership import applying as applying_blocks
from bot.blocks.membership import messages as membership_messages
from bot.rules import parsing
from bot.services.membership import applications
from bot.services.membership.applications import ApplicationDraft, ApplicationForm, Submitted
from bot.slack.deps import Deps
from handlers.common import Origin, bind, deliver_now
from handlers.forms import FieldErrors, NotDone, ShowView, submit_form
from handlers.home import refresh_after_decision
from handlers.router import CommandRouter, Invocation

log = logging.getLogger(__name__)


def apply_command(call: Invocation, *, deps: Deps) -> None:
    call.ack()
    open_application_form(deps, call.client, call.trigger_id, call.user_id, call.channel_id)


def apply_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    origin = Origin.of(body)
    open_application_form(deps, client, body["trigger_id"], origin.user_id, origin.channel_id)


def open_application_form(
    deps: Deps, client: WebClient, trigger_id: str, user_id: str, channel_id: str
) -> None:
    # The trigger expires 3 s after the click: a placeholder opens first, the form follows.
    opened = client.views_open(trigger_id=trigger_id, view=applying_blocks.apply_loading_modal())
    view = opened["view"]
    zone = deps.zone_for(client, user_id)
    today = deps.now().astimezone(zone).date()
    start = applications.start_application(deps.db, user_id, today)
    if start.blocked is not None:
        form = applying_blocks.apply_blocked_modal(
            applying_blocks.apply_blocked_text(start.blocked, start.submitted_at, start.term_end)
        )
    else:
        # The zone rides along so the submission, acked within 3 s, need not ask Slack again:
        # a newcomer has no member record to cache it in.
        metadata = json.dumps({"channel_id": channel_id, "tz": zone.key})
        form = applying_blocks.apply_modal(
            start.prefill, deps.settings.required_contributions, start.nominated_by, metadata, start.history
        )
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=form)
    except SlackApiError as exc:
        if exc.response.get("error") in ("not_found", "hash_conflict"):
            log.info("application form for %s closed before it was ready", user_id)
            return
        raise


def submit_application(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    user_id = body["user"]["id"]
    zone = form_zone(view)
    today = deps.now().astimezone(zone).date() if zone else deps.local_today(client, user_id)
    submit_form(
        ack,
        validate=lambda: application_draft(view, today),
        act=lambda draft: apply(deps, user_id, draft, today),
        then=lambda submitted: after_applying(deps, client, user_id, zone, submitted),
    )


def form_zone(view: dict[str, Any]) -> ZoneInfo | None:
    """The zone the form was opened with (None for forms opened before it rode along)."""
    try:
        return ZoneInfo(str(json.loads(view.get("private_metadata") or "{}").get("tz") or ""))
    except (ValueError, AttributeError, ZoneInfoNotFoundError):
        return None


def application_draft(view: dict[str, Any], today: date) -> ApplicationDraft | FieldErrors:
    state = view["state"]["values"]
    form = ApplicationForm(
        **{name: parsing.state_value(state, name) for name in applying_blocks.APPLY_FORM_FIELDS}
    )
    draft, issues = applications.validate_application(form, today)
    if draft is None:
        return FieldErrors(applying_blocks.application_field_errors(issues))
    return draft


def apply(deps: Deps, user_id: str, draft: ApplicationDraft, today: date) -> Submitted | NotDone:
    settings = deps.settings
    try:
        return applications.submit_application(
            deps.db,
            user_id,
            draft,
            now=deps.now(),
            today=today,
            required=settings.required_contributions,
            review_channel=settings.review_channel,
            messages=membership_messages.MEMBERSHIP_MESSAGES,
        )
    except applications.CannotApply as refused:
        text = applying_blocks.apply_blocked_text(refused.blocker, refused.submitted_at)
        return ShowView(applying_blocks.apply_blocked_modal(text))
    except applications.GithubTaken as taken:
        return FieldErrors({"github": applying_blocks.github_taken_error(str(taken))})


def after_applying(
    deps: Deps, client: WebClient, user_id: str, zone: ZoneInfo | None, submitted: Submitted
) -> None:
    if zone is not None:
        # The application created their record: cache the zone, so their Home needs no lookup.
        deps.store_zone(user_id, zone.key, deps.now())
    try:
        tell_the_tsc_and_the_applicant(deps, client, user_id, submitted)
    except Exception:
        # Stored and listed in `admin pending`; the outbox retries the review post.
        log.exception(
            "application %s from %s is stored, but telling the TSC or the applicant failed",
            submitted.application.id,
            user_id,
        )
    refresh_after_decision(deps, client, user_id)


def tell_the_tsc_and_the_applicant(deps: Deps, client: WebClient, user_id: str, submitted: Submitted) -> None:
    application = submitted.application
    review_channel = deps.settings.review_channel
    posted = False
    if submitted.review_key:
        deliver_now(deps, client, [submitted.review_key])
        post = applications.record_review_posted(deps.db, application.id)
        posted = post.location is not None
        if not posted:
            log.error(
                "application %s from %s is stored and waiting, but the TSC was not told: %s. "
                "It is listed in `/ambassador admin pending`.",
                application.id,
                user_id,
                applying_blocks.review_not_posted_log_hint(review_channel, post.error),
            )
    else:
        log.error(
            "application %s from %s is stored and waiting, but the TSC was not told: %s. "
            "It is listed in `/ambassador admin pending`.",
            application.id,
            user_id,
            applying_blocks.review_not_posted_log_hint("", None),
        )
    receipt = applications.queue_receipt(
        deps.db,
        application.id,
        user_id,
        applying_blocks.application_receipt(application, posted),
        now=deps.now(),
    )
    deliver_now(deps, client, [receipt])


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add("apply", bind(apply_command, deps=deps), aliases=("join",))
    app.action(ids.APPLY_OPEN)(bind(apply_button, deps=deps))
    app.view(ids.APPLY_MODAL)(bind(submit_application, deps=deps))
