"""The TSC's review of contributions: **Verify**, **Needs info** and **Not counted** on each contribution the
`contribution-review` job lists in the review channel, and the question and reason forms.

Only TSC members decide, never on their own contribution (nor one they logged for its author); each
contribution gets exactly one decision per round, whoever clicks. The list is redrawn in place after
each decision, and the Homes of the member and of the TSC too.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids
from bot.blocks import review as review_blocks
from bot.rules import membership as membership_rules
from bot.rules import review as review_rules
from bot.rules.review import ReviewDecision
from bot.services import review
from bot.services.review import Deciding, ReviewItem, ReviewOutcome, ReviewStatus
from bot.slack.deps import Deps
from handlers import forms
from handlers.common import Origin, bind, clicked_id, deliver_now, tell
from handlers.forms import FieldErrors, NotDone, ShowView, submit_form
from handlers.home import refresh_after_decision
from handlers.router import CommandRouter

log = logging.getLogger(__name__)


def deciding(deps: Deps, user_id: str) -> Deciding:
    return Deciding(user_id, deps.is_tsc(user_id), deps.now(), review_blocks.REVIEW_MESSAGES)


def refused_text(refusal: membership_rules.DecisionRefusal | None) -> str:
    if refusal is membership_rules.DecisionRefusal.OWN_REQUEST:
        return review_blocks.OWN
    return review_blocks.NOT_TSC


def verify_button(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    origin = Origin.of(body)
    contribution_id = clicked_id(body)
    if contribution_id is None:
        tell(client, origin, review_blocks.GONE)
        return
    outcome = review.decide(deps.db, contribution_id, ReviewDecision.VERIFY, deciding(deps, origin.user_id))
    answer(deps, client, origin, outcome)


def note_button(
    ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps, decision: ReviewDecision
) -> None:
    """Needs info and Not counted ask for words first. The trigger expires in 3 s, so only one short
    read comes before the form opens (who may decide, whether anything waits); both are checked again
    when the form is sent."""
    ack()
    origin = Origin.of(body)
    contribution_id = clicked_id(body)
    if contribution_id is None:
        tell(client, origin, review_blocks.GONE)
        return
    # Refusals are audited here already, and the refused never see the form.
    outcome = review.decide(deps.db, contribution_id, decision, deciding(deps, origin.user_id))
    if outcome.status is not ReviewStatus.NEEDS_NOTE:
        answer(deps, client, origin, outcome)
        return
    metadata = origin.metadata(contribution_id=contribution_id, decision=str(decision))
    client.views_open(
        trigger_id=body["trigger_id"], view=review_blocks.note_modal(decision, contribution_id, metadata)
    )


def submit_note(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    metadata = forms.metadata(view)
    origin = Origin.from_metadata(body["user"]["id"], metadata)
    try:
        contribution_id = int(metadata.get("contribution_id") or 0)
        decision = ReviewDecision(str(metadata.get("decision") or ""))
    except (TypeError, ValueError):
        contribution_id, decision = 0, ReviewDecision.NOT_COUNTED
    submit_form(
        ack,
        validate=lambda: note_from(view, decision),
        act=lambda note: decide_with_note(deps, origin.user_id, contribution_id, decision, note),
        then=lambda outcome: answer(deps, client, origin, outcome),
    )


def note_from(view: dict[str, Any], decision: ReviewDecision) -> str | FieldErrors:
    note = forms.decision_reason(
        view,
        review_blocks.QUESTION_REQUIRED
        if decision is ReviewDecision.NEEDS_INFO
        else review_blocks.REASON_REQUIRED,
        review_blocks.NOTE_TOO_LONG,
    )
    if isinstance(note, str) and review_rules.note_problem(decision, note):
        return FieldErrors({"reason": review_blocks.NOTE_TOO_LONG})
    return note


def decide_with_note(
    deps: Deps, user_id: str, contribution_id: int, decision: ReviewDecision, note: str
) -> ReviewOutcome | NotDone:
    outcome = review.decide(deps.db, contribution_id, decision, deciding(deps, user_id), note)
    if outcome.status is ReviewStatus.NOT_FOUND:
        return ShowView(review_blocks.decided_modal(review_blocks.GONE))
    if outcome.status is ReviewStatus.REFUSED:
        return ShowView(review_blocks.decided_modal(refused(user_id, contribution_id, outcome)))
    if outcome.status is ReviewStatus.ALREADY:
        assert outcome.item is not None
        return ShowView(review_blocks.decided_modal(review_blocks.already_decided(outcome.item)))
    return outcome


def refused(user_id: str, contribution_id: int, outcome: ReviewOutcome) -> str:
    log.warning("%s tried to review contribution %s; refused (%s)", user_id, contribution_id, outcome.refusal)
    return refused_text(outcome.refusal)


def answer(deps: Deps, client: WebClient, origin: Origin, outcome: ReviewOutcome) -> None:
    """After a decision attempt: the member's message sent, the list redrawn, the clicker told."""
    if outcome.status is ReviewStatus.NOT_FOUND:
        tell(client, origin, review_blocks.GONE)
        return
    if outcome.status is ReviewStatus.REFUSED:
        tell(client, origin, refused(origin.user_id, outcome.item.id if outcome.item else 0, outcome))
        return
    assert outcome.item is not None
    deliver_now(deps, client, outcome.outbox_keys)
    clicked_on_list = redraw(client, origin, outcome.listed, outcome.location, outcome.item)
    if outcome.status is ReviewStatus.ALREADY:
        tell(client, origin, review_blocks.already_decided(outcome.item))
        return
    if not clicked_on_list:
        tell(client, origin, review_blocks.decided_reply(outcome.item))
    # The member's Home, and the TSC's: their count of contributions waiting for review changed.
    refresh_after_decision(deps, client, outcome.item.slack_user_id)


def redraw(
    client: WebClient,
    origin: Origin,
    listed: list[ReviewItem],
    location: tuple[str, str] | None,
    item: ReviewItem,
) -> bool:
    """The list in the review channel as it stands now; True when the click came from that list."""
    if location is None and origin.in_message and item.message_key:
        location = (origin.channel_id, origin.message_ts)
    if location is None or not item.message_key:
        return False
    try:
        client.chat_update(channel=location[0], ts=location[1], **review_blocks.review_message(listed))
    except SlackApiError as exc:
        log.warning(
            "could not redraw the review list %s (%s); the decision stands",
            item.message_key,
            exc.response.get("error"),
        )
        return False
    return origin.in_message and (origin.channel_id, origin.message_ts) == location


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    app.action(ids.REVIEW_VERIFY)(bind(verify_button, deps=deps))
    app.action(ids.REVIEW_NEEDS_INFO)(bind(note_button, deps=deps, decision=ReviewDecision.NEEDS_INFO))
    app.action(ids.REVIEW_NOT_COUNTED)(bind(note_button, deps=deps, decision=ReviewDecision.NOT_COUNTED))
    app.view(ids.REVIEW_NOTE_MODAL)(bind(submit_note, deps=deps))
