"""Claiming and recording the changes to the ambassadors' places (queued by `bot.services.access`).

A runner claims every due change of one target together, and only while no other runner holds a lease
there (`claim`): a Slack user group's list is replaced whole, so two writers would undo each other.
The outcome, the audit line and the review channel's note are written in one transaction (`record`);
a runner that dies leaves its lease to expire, and the next one checks the place again before
changing anything.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, and_, func, select, update

from bot.outbox.queue import enqueue
from bot.rules.access import Action, Place
from bot.services.access import Target, due, of_target, people
from bot.services.members import record_audit
from bot.store.db import Database
from bot.store.models import AccessChange, AccessChangeStatus

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 20
CLAIM_BATCH = 100


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    target: Target
    action: Action
    subject: str
    cause: str
    member_id: int | None
    attempts: int  # including this one

    @property
    def tried_before(self) -> bool:
        return self.attempts > 1


@dataclass(frozen=True)
class Post:
    """A note for the review channel, queued in the transaction that records what it tells."""

    key: str
    kind: str
    channel: str
    text: str


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    status: AccessChangeStatus
    error: str | None = None
    post: Post | None = None


# --- claiming and recording ---------------------------------------------------------------------


def _lock_id(target: Target) -> int:
    """The same number in every replica for one target (a PostgreSQL advisory lock)."""
    return zlib.crc32(f"ambassador-bot:access:{target.place}:{target.name}".encode())


def claim(db: Database, target: Target, now: datetime, limit: int = CLAIM_BATCH) -> list[Claimed]:
    """Take every due change of `target` for this runner (until `now + LEASE`); nothing while another
    runner holds a lease on that target."""
    with db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Claims of one target one after the other; the next statement then sees the first's
            # committed claim (SQLite's write lock, taken at BEGIN, does the same).
            session.execute(select(func.pg_advisory_xact_lock(_lock_id(target))))
        held = session.scalar(
            select(AccessChange.id)
            .where(
                of_target(target),
                AccessChange.status == AccessChangeStatus.WORKING,
                AccessChange.claimed_until >= now,
            )
            .limit(1)
        )
        if held is not None:
            return []
        ready = session.execute(
            select(AccessChange.id, AccessChange.attempts)
            .where(of_target(target), due(now))
            .order_by(AccessChange.id)
            .limit(limit)
        ).all()
        taken = []
        for row_id, attempts in ready:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(AccessChange)
                .where(AccessChange.id == row_id, AccessChange.attempts == attempts)
                .values(status=AccessChangeStatus.WORKING, claimed_until=now + LEASE, attempts=attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                taken.append(row_id)
        rows = session.scalars(
            select(AccessChange).where(AccessChange.id.in_(taken)).order_by(AccessChange.id)
        )
        return [
            Claimed(
                row.id,
                row.key,
                target,
                Action(row.action),
                row.subject,
                row.cause,
                row.member_id,
                row.attempts,
            )
            for row in rows
        ]


def belonging(db: Database, place: Place, subjects: Iterable[str]) -> set[str]:
    """Which of these people belong in `place` now (current ambassadors with that identity)."""
    return {subject for subject, person in people(db, place, subjects).items() if person.belongs(place)}


def _held(claimed: Claimed) -> ColumnElement[bool]:
    return and_(
        AccessChange.id == claimed.id,
        AccessChange.status == AccessChangeStatus.WORKING,
        AccessChange.attempts == claimed.attempts,
    )


def record(db: Database, outcomes: Sequence[Outcome], now: datetime) -> list[str]:
    """Record what became of claimed changes, with their audit lines and notes, in one transaction;
    the keys of the notes queued. A change whose lease was lost is left to its new holder."""
    queued = []
    with db.transaction() as session:
        for outcome in outcomes:
            claimed = outcome.claimed
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(AccessChange)
                .where(_held(claimed))
                .values(
                    status=outcome.status,
                    done_at=now,
                    claimed_until=None,
                    error=outcome.error[:2000] if outcome.error else None,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                continue
            if outcome.status == AccessChangeStatus.DONE:
                record_audit(
                    session,
                    "scheduler",
                    f"access.{'added' if claimed.action is Action.ADD else 'removed'}",
                    claimed.member_id,
                    at=now,
                    place=str(claimed.target.place),
                    target=claimed.target.name,
                    subject=claimed.subject,
                    cause=claimed.cause,
                )
            post = outcome.post
            if post is not None and enqueue(
                session,
                key=post.key,
                kind=post.kind,
                channel=post.channel,
                text=post.text,
                member_id=claimed.member_id,
                now=now,
            ):
                queued.append(post.key)
    return queued


def retry_delay(attempts: int, retry_after: timedelta | None = None) -> timedelta:
    """1, 2, 4, ... minutes, at most an hour; never sooner than the service asked."""
    backoff = timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))
    return max(backoff, retry_after or timedelta(0))


def retry_later(
    db: Database, claimed: Sequence[Claimed], error: str, now: datetime, retry_after: timedelta | None = None
) -> None:
    with db.transaction() as session:
        for row in claimed:
            session.execute(
                update(AccessChange)
                .where(_held(row))
                .values(
                    status=AccessChangeStatus.PENDING,
                    next_attempt_at=now + retry_delay(row.attempts, retry_after),
                    claimed_until=None,
                    error=error[:2000],
                )
            )


def release(db: Database, claimed: Sequence[Claimed]) -> None:
    """Give back changes this runner did not try (a stop before their turn)."""
    with db.transaction() as session:
        for row in claimed:
            session.execute(
                update(AccessChange)
                .where(_held(row))
                .values(status=AccessChangeStatus.PENDING, claimed_until=None, attempts=row.attempts - 1)
            )


def report_once(db: Database, post: Post, now: datetime) -> bool:
    """A note about a place itself (a paid plan needed, a scope missing), queued once ever by its key."""
    with db.transaction() as session:
        return enqueue(session, key=post.key, kind=post.kind, channel=post.channel, text=post.text, now=now)
