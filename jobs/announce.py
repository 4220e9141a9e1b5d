"""`announce`: newly approved ambassadors, posted to `ANNOUNCE_CHANNEL` in one batched message.

The approval queues one outbox row per new ambassador, kind `announce`, key
`announce:member:{member_id}:term:{term_id}`, in the approval's own transaction. This job claims all
the due ones, posts them together (name, title and company, a line of bio, a mention) and records
every row as sent with the same `ts`. It uses the sender's machinery, so a batch interrupted after
posting is found again by its metadata (which lists every key) and never posted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from bot.blocks import announcements as announcements_blocks
from bot.outbox.delivery_errors import StopRun
from bot.outbox.leases import Claimed
from bot.outbox.sender import Sender, SenderOptions
from bot.services import jobs as due
from bot.store.models import OutboxMessage, OutboxStatus
from jobs.runner import JobContext, JobResult, Planned

log = logging.getLogger(__name__)

KIND = "announce"
# Ambassadors per message: each takes a block, and a longer post is not read anyway.
BATCH_SIZE = 20


def profiles_for(ctx: JobContext, rows: Sequence[Any]) -> list[due.Profile]:
    """The members' profiles in the rows' order; a row without a member shows its own text."""
    with ctx.db.transaction() as session:
        found = due.profiles(session, [row.member_id for row in rows if row.member_id is not None])
    fallback = [due.Profile(0, None, row.text, None, None, None, None) for row in rows]
    return [
        found.get(row.member_id, default) if row.member_id is not None else default
        for row, default in zip(rows, fallback, strict=True)
    ]


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    result = JobResult("announce", now)
    if dry_run:
        return preview(ctx, now, result)
    sender = Sender(ctx.db, ctx.client, now, SenderOptions.from_settings(ctx.settings), pacer=ctx.pacer)

    def render(rows: Sequence[Claimed]) -> dict[str, Any]:
        return announcements_blocks.announcement_message(profiles_for(ctx, rows))

    handled: set[int] = set()
    try:
        while rows := sender.leases.claim(kinds=[KIND], limit=BATCH_SIZE):
            if any(row.id in handled for row in rows):  # pragma: no cover - a bug, not a state
                sender.leases.release(rows)
                break
            handled.update(row.id for row in rows)
            by_channel: dict[str, list[Claimed]] = {}
            for row in rows:
                by_channel.setdefault(row.channel, []).append(row)
            groups = list(by_channel.values())
            for position, group in enumerate(groups):
                result.planned += [Planned(row.key, KIND, row.channel, row.text) for row in group]
                try:
                    sender.send(group, render)
                except StopRun:
                    sender.leases.release(row for later in groups[position + 1 :] for row in later)
                    raise
                except BaseException as error:
                    sender.leases.give_back(group, error)
                    sender.leases.release(row for later in groups[position + 1 :] for row in later)
                    raise
    except StopRun as stop:
        log.error("announcements not posted: Slack refused the bot's token or scopes (%s)", stop)
    result.delivery = sender.report
    return result


def preview(ctx: JobContext, now: datetime, result: JobResult) -> JobResult:
    """What the next run would post, without claiming or sending anything."""
    with ctx.db.transaction() as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.kind == KIND,
                    or_(
                        (OutboxMessage.status == OutboxStatus.PENDING)
                        & (OutboxMessage.next_attempt_at <= now),
                        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_until < now),
                    ),
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            )
        )
        session.expunge_all()
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        payload = announcements_blocks.announcement_message(profiles_for(ctx, batch))
        for row in batch:
            result.planned.append(Planned(row.key, KIND, row.channel, payload["text"], payload.get("blocks")))
    return result
