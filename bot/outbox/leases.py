"""The outbox rows a sender holds: claimed under a lease, changed only while it is held, given back.

A row is `sending` while a sender holds it, until `claimed_until`. Every change names the attempt it
belongs to (`attempts`), so a sender whose lease ran out and another took the row changes nothing;
a sender that died frees its rows when the lease ends. Why, and the rest of delivery, in
docs/outbox.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update

from bot.store.db import Database
from bot.store.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
# A lease closer than this to its end is extended before posting, so it never runs out mid-post.
LEASE_MARGIN = timedelta(minutes=2)
CLAIM_BATCH = 10
# Scheduled DMs wait for the member's local daytime; replies to something the member just did do not.
LOCAL_DAYTIME_KINDS = frozenset(
    {"reminder", "renewal", "verification", "inactivity", "pause_return", "talk_followup"}
)


@dataclass
class Claimed:
    """A row this sender holds; `attempts` (including this one) and `claimed_until` guard every update."""

    id: int
    key: str
    kind: str
    channel: str
    text: str
    blocks: Any
    member_id: int | None
    attempts: int
    claimed_until: datetime
    created_at: datetime

    @property
    def tried_before(self) -> bool:
        return self.attempts > 1

    @property
    def is_dm(self) -> bool:
        return self.channel.startswith(("U", "W"))


class Leases:
    """The rows one delivery run holds. `clock` is the run's now; `pace_interval` the seconds between
    posts, so that a lease covers the whole batch it claims."""

    def __init__(self, db: Database, clock: Callable[[], datetime], pace_interval: float) -> None:
        self.db = db
        self.clock = clock
        self.pace_interval = pace_interval

    def _due(self, now: datetime, keys: Sequence[str] | None) -> ColumnElement[bool]:
        pending_due = OutboxMessage.next_attempt_at <= now
        if keys is not None:
            # Asked for by key (right after the change that caused them): send now if never tried,
            # unless it is a scheduled DM waiting for the member's daytime.
            pending_due = or_(
                pending_due,
                and_(OutboxMessage.attempts == 0, OutboxMessage.kind.not_in(LOCAL_DAYTIME_KINDS)),
            )
        return or_(
            and_(OutboxMessage.status == OutboxStatus.PENDING, pending_due),
            and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
        )

    def claim(
        self,
        *,
        keys: Sequence[str] | None = None,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] = (),
        limit: int = CLAIM_BATCH,
    ) -> list[Claimed]:
        now = self.clock()
        pace = timedelta(seconds=limit * self.pace_interval)
        lease_until = now + LEASE + pace
        query = select(OutboxMessage).where(self._due(now, keys))
        if keys is not None:
            query = query.where(OutboxMessage.key.in_(list(keys)))
        if kinds is not None:
            query = query.where(OutboxMessage.kind.in_(list(kinds)))
        if exclude := list(exclude_kinds):
            query = query.where(OutboxMessage.kind.not_in(exclude))
        query = (
            query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = []
        with self.db.transaction() as session:
            for row in session.scalars(query).all():
                # Compare-and-set: with SQLite two threads of a process may both have read the row.
                result = session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id == row.id,
                        OutboxMessage.status == row.status,
                        OutboxMessage.attempts == row.attempts,
                    )
                    .values(status=OutboxStatus.SENDING, claimed_until=lease_until, attempts=row.attempts + 1)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(
                        Claimed(
                            row.id,
                            row.key,
                            row.kind,
                            row.channel,
                            row.text,
                            row.blocks,
                            row.member_id,
                            row.attempts + 1,
                            lease_until,
                            row.created_at,
                        )
                    )
        return claimed

    def update(self, row: Claimed, **values: Any) -> bool:
        """Change a row we still hold; False when our lease ran out and another sender took it."""
        with self.db.transaction() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row.id,
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.attempts == row.attempts,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def release(self, rows: Iterable[Claimed], next_attempt_at: datetime | None = None) -> None:
        """Give rows back untried (deferred, or a run stopped before reaching them)."""
        for row in rows:
            values: dict[str, Any] = {
                "status": OutboxStatus.PENDING,
                "claimed_until": None,
                "attempts": row.attempts - 1,
            }
            if next_attempt_at is not None:
                values["next_attempt_at"] = next_attempt_at
            self.update(row, **values)

    def give_back(self, rows: Iterable[Claimed], error: BaseException) -> None:
        """Give back rows a failing run was handling, due again at once for the next run.

        Their attempt still counts, so the next sender first looks for a post this one may have made
        (the failure may have come after Slack answered). Only a sender that died holds its rows until
        the lease ends. If even this cannot be written (the database gone), the lease does it later.
        """
        for row in rows:
            try:
                self.update(
                    row,
                    status=OutboxStatus.PENDING,
                    claimed_until=None,
                    next_attempt_at=self.clock(),
                    error=f"the sender run failed here: {error.__class__.__name__}: {error}"[:1000],
                )
            except Exception:
                log.warning("outbox %s: could not be given back; its lease frees it later", row.key)

    def keep(self, row: Claimed) -> bool:
        now = self.clock()
        if row.claimed_until - now > LEASE_MARGIN:
            return True
        until = now + LEASE
        if self.update(row, claimed_until=until):
            row.claimed_until = until
            return True
        log.warning("outbox %s: lease lost to another sender; leaving it to them", row.key)
        return False
