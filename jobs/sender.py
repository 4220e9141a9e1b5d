"""Delivering outbox messages to Slack.

Minimal first version: #4 (jobs) hardens it (claims with SKIP LOCKED, Retry-After, backoff, permanent
errors reported once, pacing, recovery of a claim interrupted after posting). The signature stays.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.db import Database
from bot.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)


def deliver(
    db: Database, client: WebClient, now: datetime, keys: Sequence[str] | None = None
) -> DeliveryReport:
    """Send pending messages that are due at `now` (only those with `keys`, when given)."""
    report = DeliveryReport()
    with db.transaction() as session:
        query = select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now
        )
        if keys is not None:
            query = query.where(OutboxMessage.key.in_(list(keys)))
        due = list(session.scalars(query.order_by(OutboxMessage.id)))
    for message in due:
        try:
            response = client.chat_postMessage(
                channel=message.channel, text=message.text, blocks=message.blocks
            )
        except SlackApiError as exc:
            log.warning("outbox %s: %s", message.key, exc.response.get("error"))
            report.retry.append(message.key)
            continue
        with db.transaction() as session:
            row = session.get(OutboxMessage, message.id)
            assert row is not None
            row.status = OutboxStatus.SENT
            row.sent_at = now
            row.slack_channel = response.get("channel")
            row.slack_ts = response.get("ts")
            row.attempts += 1
        report.sent.append(message.key)
    return report
