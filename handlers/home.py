"""The App Home tab: drawn when it is opened (`app_home_opened`) and after what its owner does from it.

When a Home is drawn is `bot.slack.home_refresh`'s policy; drawing happens there, off the request path.

Also the Edit and Delete buttons of the Home's contribution list, the edit form, and
`/ambassador history` (the whole record the Home points to). The other buttons on the Home (Apply,
Approve/Reject, Renew, Snooze/Resume, Log a contribution) belong to their features' listeners.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import contributions as contributions_blocks
from bot.blocks import home as home_blocks
from bot.blocks import ids, kit
from bot.blocks import review as review_blocks
from bot.services import home, home_tsc
from bot.services.benefits.budget import BudgetSetting
from bot.services.contributions import (
    ContributionDraft,
    ContributionNotFound,
    ContributionRejected,
    delete_contribution,
    edit_contribution,
    own_contribution,
)
from bot.slack.deps import Deps
from bot.slack.home_refresh import HomeRefresher
from handlers import forms
from handlers.common import Origin, bind, clicked_id, tell
from handlers.contributions import block_ids, contribution_draft, field_errors
from handlers.forms import FieldErrors, submit_form
from handlers.router import CommandRouter, Invocation

log = logging.getLogger(__name__)


def publish_home(deps: Deps, client: WebClient, slack_user_id: str) -> None:
    """Build `slack_user_id`'s Home from the database as it is now and publish it (one read)."""
    zone = deps.zone_for(client, slack_user_id)
    now = deps.now()
    data = home.load_home(
        deps.db,
        slack_user_id,
        now.astimezone(zone).date(),
        now,
        deps.settings.required_contributions,
        # Members flagged isTscMember are found in the same read as the rest of the Home.
        is_tsc=True if slack_user_id in deps.settings.tsc_user_ids else None,
        benefits_setting=BudgetSetting.from_settings(deps.settings),
        review=deps.settings.contribution_review,
    )
    view = home_blocks.home_view(data, zone, deps.settings.review_channel)
    client.views_publish(user_id=slack_user_id, view=view)


def refresh_tsc_homes(deps: Deps, client: WebClient) -> None:
    """Redraw every TSC member's Home: call it after an application is submitted or decided.

    The TSC part (applications waiting, figures) concerns the whole TSC, not one person, so
    `deps.changed` for the applicant does not reach it.
    """
    for slack_user_id in home_tsc.tsc_slack_ids(deps.db, deps.settings.tsc_user_ids):
        deps.changed(client, slack_user_id)


def refresh_after_decision(deps: Deps, client: WebClient, *people: str | None) -> None:
    """After a request is submitted or decided: the Homes of the people it concerns, and the TSC's
    (their lists of what waits for a decision changed). A failure here never undoes the decision."""
    for person in people:
        if person:
            deps.changed(client, person)
    try:
        refresh_tsc_homes(deps, client)
    except Exception:
        log.exception("could not refresh the TSC's App Homes")


def home_opened(event: dict[str, Any], client: WebClient, *, refresher: HomeRefresher) -> None:
    # The event also fires for the Messages and About tabs; only the Home tab is ours to draw.
    if event.get("tab") != "home" or not event.get("user"):
        return
    refresher.request(client, event["user"])


def open_edit(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    user_id = body["user"]["id"]
    contribution_id = clicked_id(body)
    try:
        if contribution_id is None:
            raise ContributionNotFound()
        item = own_contribution(deps.db, user_id, contribution_id)
    except ContributionNotFound:
        tell(client, Origin(user_id), kit.message(contributions_blocks.CONTRIBUTION_GONE))
        deps.changed(client, user_id)
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=contributions_blocks.edit_contribution_modal(item, link_details=deps.settings.link_details),
    )


@dataclass(frozen=True)
class Edit:
    """A contribution as the edit form has it now."""

    contribution_id: int
    draft: ContributionDraft


def save_edit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    user_id = body["user"]["id"]
    submit_form(
        ack,
        validate=lambda: edit_from(view),
        act=lambda edit: store_edit(deps, client, user_id, edit, view),
        then=lambda _: deps.changed(client, user_id),
    )


def edit_from(view: dict[str, Any]) -> Edit | FieldErrors:
    try:
        contribution_id = int(forms.metadata(view)["contribution_id"])
    except (ValueError, KeyError, TypeError):
        return FieldErrors({block_ids(view)["title"]: contributions_blocks.CONTRIBUTION_GONE})
    draft = contribution_draft(view)
    return draft if isinstance(draft, FieldErrors) else Edit(contribution_id, draft)


def store_edit(
    deps: Deps, client: WebClient, user_id: str, edit: Edit, view: dict[str, Any]
) -> FieldErrors | None:
    today = deps.local_today(client, user_id)
    try:
        edited = edit_contribution(
            deps.db,
            user_id,
            edit.contribution_id,
            edit.draft,
            today,
            deps.now(),
            review=deps.settings.contribution_review,
        )
    except ContributionNotFound:
        return FieldErrors({block_ids(view)["title"]: contributions_blocks.CONTRIBUTION_GONE})
    except ContributionRejected as rejected:
        return field_errors(rejected.problems, rejected.impact_problems, view)
    if edited.back_to_review:
        # Its review message listed it as decided: it waits for the TSC again, in the next list.
        tell(client, Origin(user_id), review_blocks.EDITED_BACK)
    return None


def delete(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    user_id = body["user"]["id"]
    contribution_id = clicked_id(body)
    try:
        if contribution_id is None:
            raise ContributionNotFound()
        delete_contribution(deps.db, user_id, contribution_id, now=deps.now())
    except ContributionNotFound:
        # A second click on a Home drawn before the first one landed (or a forged id): nothing
        # to delete; the refresh below shows the record as it is.
        log.info("delete of contribution %s by %s: not theirs or gone", contribution_id, user_id)
    deps.changed(client, user_id)


def show_history(call: Invocation, *, deps: Deps) -> None:
    call.reply(
        contributions_blocks.history_message(
            home.history(deps.db, call.user_id, deps.local_today(call.client, call.user_id)),
            deps.settings.required_contributions,
        )
    )


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    refresher = HomeRefresher(lambda client, slack_user_id: publish_home(deps, client, slack_user_id))
    deps.change_listeners.append(refresher.request)
    app.event("app_home_opened")(bind(home_opened, refresher=refresher))
    app.action(ids.EDIT_CONTRIBUTION)(bind(open_edit, deps=deps))
    app.action(ids.DELETE_CONTRIBUTION)(bind(delete, deps=deps))
    app.view(ids.EDIT_MODAL)(bind(save_edit, deps=deps))
    router.add("history", bind(show_history, deps=deps), aliases=("contributions",))
