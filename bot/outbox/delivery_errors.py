"""Why Slack refused a message and what the sender does about it, and the TSC's report of failures.

`classify` sorts a Web API error into a transient failure (retried later with backoff), a
configuration problem (`StopRun`: the token or scopes are wrong, nothing can go out) or a permanent
error for this message (failed, and reported once to `REVIEW_CHANNEL` by `report_failures`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.blocks import delivery as delivery_blocks
from bot.outbox.queue import enqueue_message
from bot.store.db import Database
from bot.store.models import OutboxMessage, OutboxStatus

# The sender's logger: what cannot be delivered is logged where the rest of delivery is.
log = logging.getLogger("bot.outbox.sender")

FAILURE_REPORT_KIND = "delivery_failure"

# Slack will never accept these messages as they are: fail them and tell the TSC.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "user_disabled",
        "account_inactive",
        "cannot_dm_bot",
        "messages_tab_disabled",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
        "duplicate_channel_not_found",
    }
)

# The bot's token or scopes are wrong: no message can go out; stop and retry later.
CONFIGURATION_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
        "no_permission",
        "org_login_required",
        "ekm_access_denied",
        "team_access_not_granted",
        "app_missing_action_url",
    }
)

# Posting anyway is fine when the conversation cannot be read for these reasons (see step 3).
HISTORY_UNREADABLE = frozenset({"missing_scope", "not_in_channel", "channel_not_found", "no_permission"})


class StopRun(Exception):
    """The token or scopes are wrong: nothing can be sent until an admin fixes the settings."""


class Transient(Exception):
    def __init__(self, error: str, retry_after: timedelta | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after


def classify(exc: SlackApiError) -> Transient | StopRun | str:
    """A transient failure, a configuration problem, or (a str) a permanent error for this message."""
    response = exc.response
    status = getattr(response, "status_code", 200)
    error = str(response.get("error") or f"http_{status}")
    if status == 429:
        headers = {name.lower(): value for name, value in (response.headers or {}).items()}
        seconds = str(headers.get("retry-after") or "")
        retry_after = timedelta(seconds=int(seconds)) if seconds.isdigit() else None
        return Transient("ratelimited", retry_after)
    if status >= 500:
        return Transient(f"http_{status}")
    if error in CONFIGURATION_ERRORS:
        return StopRun(error)
    if error in PERMANENT_ERRORS:
        return error
    return Transient(error)


@dataclass(frozen=True)
class Failure:
    key: str
    kind: str
    channel: str
    error: str | None


REPORT_BATCH = 40


def report_failures(db: Database, now: datetime, review_channel: str) -> list[str]:
    """Queue one report to `review_channel` of the messages that failed for good and were not reported.

    The report is queued in the same transaction that marks the failures reported, so each failure is
    reported once; a failed report is only logged (it cannot report itself).
    """
    queued: list[str] = []
    while True:
        with db.transaction() as session:
            rows = list(
                session.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.status == OutboxStatus.FAILED,
                        OutboxMessage.error_reported_at.is_(None),
                        OutboxMessage.kind != FAILURE_REPORT_KIND,
                    )
                    .order_by(OutboxMessage.id)
                    .limit(REPORT_BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            if not rows:
                return queued
            failures = [Failure(row.key, row.kind, row.channel, row.error) for row in rows]
            if review_channel:
                key = f"delivery-failures:{rows[0].id}-{rows[-1].id}"
                payload = delivery_blocks.delivery_failures_message(failures)
                enqueue_message(
                    session,
                    key=key,
                    kind=FAILURE_REPORT_KIND,
                    channel=review_channel,
                    payload=payload,
                    now=now,
                )
                queued.append(key)
            else:
                for failure in failures:
                    log.error("undeliverable %s to %s: %s", failure.key, failure.channel, failure.error)
            for row in rows:
                row.error_reported_at = now
