"""Membership in Slack: `/ambassador apply | nominate | renew`, the application form, the TSC's Approve
and Reject buttons (in the review channel, the App Home or `admin pending`), and the Renew button.

Who acts is always the request's user (`body.user.id`), never a value from a form or a button. The
database is written first and Slack told afterwards: when a Slack call fails, what was decided stays
decided and the messages left in the outbox go out later.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import general as general_blocks
from bot.blocks import ids
from bot.blocks import membership as membership_blocks
from bot.rules import membership as membership_rules
from bot.rules import parsing
from bot.services import members
from bot.services.membership import applications, deciders, decisions, nominations, renewals
from bot.services.membership import common as membership_common
from bot.services.membership.applications import ApplicationForm
from bot.services.membership.decisions import Decision
from bot.services.membership.terms import RenewalStatus
from bot.slack.client import lookup_client
from bot.slack.deps import Deps
from bot.slack.home_refresh import from_home
from handlers.common import Origin, clicked_id, deliver_now, slack_name, tell
from handlers.home import refresh_after_decision
from handlers.router import CommandRouter, Invocation

log = logging.getLogger(__name__)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    settings = deps.settings
    required = settings.required_contributions
    messages = membership_blocks.MEMBERSHIP_MESSAGES

    program_today = deps.program_today

    def deliver(client: WebClient, keys: Sequence[str]) -> None:
        deliver_now(deps, client, keys)

    def refresh(client: WebClient, *people: str | None) -> None:
        refresh_after_decision(deps, client, *people)

    # --- applying --------------------------------------------------------------------------------

    def open_application_form(client: WebClient, trigger_id: str, user_id: str, channel_id: str) -> None:
        # The trigger expires 3 s after the click: a placeholder opens first, the form follows.
        opened = client.views_open(trigger_id=trigger_id, view=membership_blocks.apply_loading_modal())
        view = opened["view"]
        zone = deps.zone_for(client, user_id)
        today = deps.now().astimezone(zone).date()
        start = applications.start_application(deps.db, user_id, today)
        if start.blocked is not None:
            form = membership_blocks.apply_blocked_modal(
                membership_blocks.apply_blocked_text(start.blocked, start.submitted_at, start.term_end)
            )
        else:
            # The zone rides along so the submission, acked within 3 s, need not ask Slack again:
            # a newcomer has no member record to cache it in.
            metadata = json.dumps({"channel_id": channel_id, "tz": zone.key})
            form = membership_blocks.apply_modal(start.prefill, required, start.nominated_by, metadata)
        try:
            client.views_update(view_id=view["id"], hash=view.get("hash"), view=form)
        except SlackApiError as exc:
            if exc.response.get("error") in ("not_found", "hash_conflict"):
                log.info("application form for %s closed before it was ready", user_id)
                return
            raise

    def apply_command(call: Invocation) -> None:
        call.ack()
        open_application_form(call.client, call.trigger_id, call.user_id, call.channel_id)

    def apply_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        origin = Origin.of(body)
        open_application_form(client, body["trigger_id"], origin.user_id, origin.channel_id)

    def form_zone(view: dict[str, Any]) -> ZoneInfo | None:
        """The zone the form was opened with (None for forms opened before it rode along)."""
        try:
            return ZoneInfo(str(json.loads(view.get("private_metadata") or "{}").get("tz") or ""))
        except (ValueError, AttributeError, ZoneInfoNotFoundError):
            return None

    def submit_application(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        state = view["state"]["values"]
        form = ApplicationForm(
            **{name: parsing.state_value(state, name) for name in membership_blocks.APPLY_FORM_FIELDS}
        )
        zone = form_zone(view)
        today = deps.now().astimezone(zone).date() if zone else deps.local_today(client, user_id)
        draft, issues = applications.validate_application(form, today)
        if draft is None:
            ack(response_action="errors", errors=membership_blocks.application_field_errors(issues))
            return
        try:
            submitted = applications.submit_application(
                deps.db,
                user_id,
                draft,
                now=deps.now(),
                today=today,
                required=required,
                review_channel=settings.review_channel,
                messages=messages,
            )
        except applications.CannotApply as refused:
            text = membership_blocks.apply_blocked_text(refused.blocker, refused.submitted_at)
            ack(response_action="update", view=membership_blocks.apply_blocked_modal(text))
            return
        except applications.GithubTaken as taken:
            ack(response_action="errors", errors={"github": membership_blocks.github_taken_error(str(taken))})
            return
        ack()
        if zone is not None:
            # The application created their record: cache the zone, so their Home needs no lookup.
            deps.store_zone(user_id, zone.key, deps.now())
        try:
            tell_the_tsc_and_the_applicant(client, user_id, submitted)
        except Exception:
            # Stored and listed in `admin pending`; the outbox retries the review post.
            log.exception(
                "application %s from %s is stored, but telling the TSC or the applicant failed",
                submitted.application.id,
                user_id,
            )
        refresh(client, user_id)

    def tell_the_tsc_and_the_applicant(
        client: WebClient, user_id: str, submitted: applications.Submitted
    ) -> None:
        application = submitted.application
        posted = False
        if submitted.review_key:
            deliver(client, [submitted.review_key])
            post = applications.record_review_posted(deps.db, application.id)
            posted = post.location is not None
            if not posted:
                log.error(
                    "application %s from %s is stored and waiting, but the TSC was not told: %s. "
                    "It is listed in `/ambassador admin pending`.",
                    application.id,
                    user_id,
                    membership_blocks.review_not_posted_log_hint(settings.review_channel, post.error),
                )
        else:
            log.error(
                "application %s from %s is stored and waiting, but the TSC was not told: %s. "
                "It is listed in `/ambassador admin pending`.",
                application.id,
                user_id,
                membership_blocks.review_not_posted_log_hint("", None),
            )
        receipt = applications.queue_receipt(
            deps.db,
            application.id,
            user_id,
            membership_blocks.application_receipt(application, posted),
            now=deps.now(),
        )
        deliver(client, [receipt])

    # --- nominating --------------------------------------------------------------------------------

    def nominate_command(call: Invocation) -> None:
        nominee, _ = parsing.leading_mention(call.slack_args)
        if nominee is None:
            call.reply(membership_blocks.NOMINATE_USAGE)
            return
        name = slack_name(lookup_client(call.client), nominee)
        if name is None:
            call.reply(membership_blocks.unknown_user(nominee))
            return
        result = nominations.nominate(
            deps.db, call.user_id, nominee, name, now=deps.now(), required=required, messages=messages
        )
        call.reply(
            membership_blocks.nomination_reply(
                result.status, nominee, result.open_status, result.nominated_by
            )
        )
        if result.outbox_keys:
            deliver(call.client, result.outbox_keys)
            refresh(call.client, nominee)

    # --- deciding ------------------------------------------------------------------------------------

    def refusal_for(user_id: str, application_id: int | None) -> deciders.Refusal | None:
        return deciders.application_refusal(
            deps.db, user_id, deps.is_tsc(user_id), application_id, settings.tsc_user_ids
        )

    def record_refusal(
        user_id: str, application_id: int | None, decision: str, refusal: deciders.Refusal
    ) -> str:
        """Log and audit a refused decision; the text that tells the clicker why."""
        own = refusal.reason is membership_rules.DecisionRefusal.OWN_REQUEST
        log.warning(
            "%s tried to %s application %s; refused (%s)", user_id, decision, application_id, refusal.reason
        )
        members.record_refused(
            deps.db,
            user_id,
            "application.decision_refused",
            now=deps.now(),
            application_id=application_id,
            decision=decision,
            reason=str(refusal.reason),
        )
        return membership_blocks.decision_refused_text(own, refusal.only_tsc_member)

    def refuse(
        client: WebClient,
        origin: Origin,
        application_id: int | None,
        decision: str,
        refusal: deciders.Refusal,
    ) -> None:
        tell(client, origin, record_refusal(origin.user_id, application_id, decision, refusal))

    def show_decision(client: WebClient, origin: Origin, decision: Decision) -> None:
        """The review post updated in place (wherever the click came from), and a word to the clicker."""
        view = decision.application
        location = decision.review_location
        if location is None and origin.in_message:
            location = (origin.channel_id, origin.message_ts)
        if location is not None:
            try:
                client.chat_update(
                    channel=location[0], ts=location[1], **membership_blocks.review_message(view)
                )
            except SlackApiError as exc:
                log.warning(
                    "could not update the review post of application %s (%s); the decision stands",
                    view.id,
                    exc.response.get("error"),
                )
                location = None
        clicked_on_review = (
            location is not None
            and origin.in_message
            and (
                origin.channel_id,
                origin.message_ts,
            )
            == location
        )
        if not decision.decided_now:
            tell(client, origin, membership_blocks.already_decided_text(view))
        elif not clicked_on_review:
            tell(client, origin, membership_blocks.decided_confirmation(view, decision.term))

    def approve_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        origin = Origin.of(body)
        application_id = clicked_id(body)
        if refusal := refusal_for(origin.user_id, application_id):
            refuse(client, origin, application_id, "approve", refusal)
            return
        if application_id is None:
            tell(client, origin, membership_blocks.APPLICATION_GONE)
            return
        try:
            decision = decisions.approve(
                deps.db,
                application_id,
                origin.user_id,
                now=deps.now(),
                today=program_today(),
                required=required,
                announce_channel=settings.announce_channel,
                messages=messages,
                github_org=settings.github_org,
            )
        except membership_common.ApplicationNotFound:
            tell(client, origin, membership_blocks.APPLICATION_GONE)
            return
        if decision.decided_now:
            deliver(client, decision.outbox_keys)
        show_decision(client, origin, decision)
        if decision.decided_now:
            refresh(client, decision.application.slack_user_id, origin.user_id)

    def reject_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        origin = Origin.of(body)
        application_id = clicked_id(body)
        if refusal := refusal_for(origin.user_id, application_id):
            refuse(client, origin, application_id, "reject", refusal)
            return
        if application_id is None:
            tell(client, origin, membership_blocks.APPLICATION_GONE)
            return
        # The trigger expires in 3 s: the form opens before anything is read; the submission decides.
        metadata = origin.metadata(application_id=application_id)
        client.views_open(
            trigger_id=body["trigger_id"], view=membership_blocks.reject_modal(application_id, metadata)
        )

    def submit_rejection(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        metadata = json.loads(view.get("private_metadata") or "{}")
        origin = Origin.from_metadata(user_id, metadata)
        try:
            application_id = int(metadata.get("application_id") or 0)
        except (TypeError, ValueError):
            application_id = 0
        reason = (parsing.state_value(view["state"]["values"], "reason") or "").strip()
        if not reason:
            ack(response_action="errors", errors={"reason": membership_blocks.REJECT_REASON_REQUIRED})
            return
        if len(reason) > membership_rules.DECISION_REASON_MAX_LENGTH:
            ack(response_action="errors", errors={"reason": membership_blocks.REJECT_REASON_TOO_LONG})
            return
        if refusal := refusal_for(user_id, application_id):
            text = record_refusal(user_id, application_id, "reject", refusal)
            ack(response_action="update", view=membership_blocks.decided_modal(text))
            return
        try:
            decision = decisions.reject(
                deps.db,
                application_id,
                user_id,
                reason,
                now=deps.now(),
                today=program_today(),
                required=required,
                messages=messages,
            )
        except membership_common.ApplicationNotFound:
            ack(
                response_action="update",
                view=membership_blocks.decided_modal(membership_blocks.APPLICATION_GONE),
            )
            return
        if not decision.decided_now:
            ack(
                response_action="update",
                view=membership_blocks.decided_modal(
                    membership_blocks.already_decided_text(decision.application)
                ),
            )
            return
        ack()
        deliver(client, decision.outbox_keys)
        show_decision(client, origin, decision)
        refresh(client, decision.application.slack_user_id, user_id)

    # --- renewing -----------------------------------------------------------------------------------

    def renew_command(call: Invocation) -> None:
        today = deps.local_today(call.client, call.user_id)
        result = renewals.renew_for(
            deps.db, call.user_id, None, today=today, now=deps.now(), required=required
        )
        if result is None:
            call.reply(general_blocks.not_an_ambassador(required))
            return
        call.reply(membership_blocks.renewal_reply(result, required))
        if result.changed:
            # The TSC's figures changed; the member's own Home is drawn afresh when next opened.
            refresh(call.client)

    def renew_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        origin = Origin.of(body)
        term_id = clicked_id(body)
        today = deps.local_today(client, origin.user_id)
        result = (
            renewals.renew_for(
                deps.db, origin.user_id, term_id, today=today, now=deps.now(), required=required
            )
            if term_id is not None
            else None
        )
        reply = (
            general_blocks.not_an_ambassador(required)
            if result is None
            else membership_blocks.renewal_reply(result, required)
        )
        settled = result is not None and result.status in (
            RenewalStatus.REQUESTED,
            RenewalStatus.RENEWED,
            RenewalStatus.ALREADY_REQUESTED,
        )
        if settled and origin.in_message:
            original = (body.get("message") or {}).get("blocks") or []
            try:
                client.chat_update(
                    channel=origin.channel_id,
                    ts=origin.message_ts,
                    text=reply,
                    blocks=membership_blocks.renewal_clicked_blocks(original, reply),
                )
            except SlackApiError as exc:
                log.warning("could not update the renewal message (%s)", exc.response.get("error"))
                tell(client, origin, reply)
        else:
            tell(client, origin, reply)
        if result is not None and result.changed:
            refresh(client, origin.user_id if from_home(body) else None)

    router.add("apply", apply_command, aliases=("join",))
    router.add("nominate", nominate_command)
    router.add("renew", renew_command)
    app.action(ids.APPLY_OPEN)(apply_button)
    app.view(ids.APPLY_MODAL)(submit_application)
    app.action(ids.APPROVE)(approve_button)
    app.action(ids.REJECT)(reject_button)
    app.view(ids.REJECT_MODAL)(submit_rejection)
    app.action(ids.RENEW)(renew_button)
