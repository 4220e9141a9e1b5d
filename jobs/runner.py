"""Running a job once: its context, its result, and the lock that lets one replica do each tick.

Every job is a plain function `run(ctx, now, dry_run) -> JobResult`: it computes what is due at `now`
from the database and queues outbox messages with unique keys. The key is the real guard against
duplicates; the PostgreSQL advisory lock only saves the other replicas from doing the same work.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.outbox.pacing import Pacer
from bot.outbox.queue import enqueue_many
from bot.outbox.sender import DeliveryReport
from bot.services.jobs import existing_keys
from bot.settings import Settings
from bot.slack.client import jobs_client
from bot.slack.deps import Clock, system_clock
from bot.store.db import Database

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a job run needs; one per process, shared by its scheduler threads."""

    settings: Settings
    db: Database
    client: WebClient  # the jobs' client: waits for Retry-After on 429
    pacer: Pacer  # one pace for every sender of the process
    clock: Clock = system_clock  # the time of a scheduled tick (`jobs run --now` passes its own)
    # Called with a Slack user id after a job committed a change concerning that person (a term
    # renewed, a member made emeritus). `serve` wires it to the App Home refresh (`Deps.changed`);
    # elsewhere nobody listens, and the Home is drawn afresh when it is next opened anyway.
    after_change: Callable[[str], None] | None = None
    # Told after each message the `sender` job handles (`jobs run sender` shows progress on a terminal).
    on_progress: Callable[[DeliveryReport], None] | None = None

    @classmethod
    def create(
        cls,
        settings: Settings,
        db: Database,
        client: WebClient | None = None,
        *,
        clock: Clock = system_clock,
        after_change: Callable[[str], None] | None = None,
    ) -> JobContext:
        return cls(
            settings,
            db,
            client or jobs_client(settings),
            Pacer(settings.send_rate_per_second),
            clock,
            after_change,
        )

    def changed(self, slack_user_ids: Iterable[str]) -> None:
        """Tell `after_change` about people whose record a job changed; call it after the commit."""
        if self.after_change is None:
            return
        for slack_user_id in dict.fromkeys(slack_user_ids):
            try:
                self.after_change(slack_user_id)
            except Exception:
                log.exception("refresh after a job's change failed for %s", slack_user_id)


@dataclass(frozen=True)
class Planned:
    """A message a job found due; `existing` when its key is already queued or sent."""

    key: str
    kind: str
    channel: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    member_id: int | None = None
    existing: bool = False


@dataclass
class JobResult:
    name: str
    now: datetime
    planned: list[Planned] = field(default_factory=list)
    enqueued: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else the run did or why it did nothing
    # Why nothing (or less) was due, for whoever runs the job by hand (`jobs run` prints them); the
    # scheduler logs them only at DEBUG, since they hold at every tick ("off", "in their first days").
    reasons: list[str] = field(default_factory=list)
    delivery: DeliveryReport | None = None
    skipped: bool = False  # another worker held this job's lock

    def summary(self) -> str:
        if self.skipped:
            return f"{self.name}: skipped, another worker is running it"
        new = sum(1 for item in self.planned if not item.existing)
        parts = [f"{len(self.planned)} due", f"{new} new", f"{len(self.enqueued)} queued"]
        if self.delivery is not None:
            parts.append(self.delivery.summary())
        return f"{self.name}: " + ", ".join(parts)


def queue_planned(
    session: Session, planned: Sequence[Planned], now: datetime, dry_run: bool
) -> list[Planned]:
    """Mark what is already queued; unless dry, queue the rest (insert-or-ignore by key)."""
    already = existing_keys(session, [item.key for item in planned])
    marked = [
        Planned(p.key, p.kind, p.channel, p.text, p.blocks, p.member_id, p.key in already) for p in planned
    ]
    if not dry_run:
        # One statement for the whole batch (insert-or-ignore by key, like `enqueue`).
        enqueue_many(
            session,
            [
                {
                    "key": item.key,
                    "kind": item.kind,
                    "channel": item.channel,
                    "text": item.text,
                    "blocks": item.blocks,
                    "member_id": item.member_id,
                }
                for item in marked
                if not item.existing
            ],
            now=now,
        )
    return marked


def finish(result: JobResult, marked: Sequence[Planned], dry_run: bool) -> JobResult:
    result.planned = list(marked)
    if not dry_run:
        result.enqueued = [item.key for item in marked if not item.existing]
    return result


# --- one worker per tick ------------------------------------------------------------------------


def lock_id(name: str) -> int:
    """A stable advisory lock number per job (the same in every replica)."""
    return zlib.crc32(f"ambassador-bot:job:{name}".encode())


@contextmanager
def unit_of_work(db: Database, dry_run: bool) -> Iterator[Session]:
    """A job run's writes in one transaction: committed when the block ends, rolled back on an error
    and in a dry run (which plans exactly what a real run would, reads it back, and leaves nothing)."""
    with db.sessions() as session:
        session.begin()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
        else:
            session.commit()


@contextmanager
def exclusive(db: Database, name: str) -> Iterator[bool]:
    """True when this process may run `name` now.

    PostgreSQL: `pg_try_advisory_xact_lock`, held by a connection kept open for the whole tick, so
    of several replicas ticking at once one does the work and the others skip. SQLite: one process
    by design, so always True (threads of that process are kept apart by APScheduler's
    `max_instances=1` and by the sender's compare-and-set claims).
    """
    if not db.is_postgres:
        yield True
        return
    with db.engine.connect() as connection, connection.begin():
        acquired = connection.execute(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": lock_id(name)})
        yield bool(acquired.scalar())


JobFunction = Callable[[JobContext, datetime, bool], JobResult]
