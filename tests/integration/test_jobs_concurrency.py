"""Three replicas running the same jobs and senders at once: every message still goes out once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date

import pytest

from bot.outbox.queue import enqueue
from bot.outbox.sender import deliver
from bot.store.db import Database
from bot.store.models import OutboxStatus
from jobs import announce, reminders, renewals
from jobs.runner import JobContext
from jobs.scheduler import run_job
from tests.conftest import ANNOUNCE_CHANNEL
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, job_context, outbox

NOW = at("2026-11-24T10:00:00+00:00")
MEMBERS = 12


def populate(db: Database, fake: FakeSlack) -> None:
    """Ambassadors behind pace (reminders), near their term's end (notices), newly approved (announce)."""
    for number in range(MEMBERS):
        user = f"U0R{number:03d}"
        fake.add_user(user, f"Member {number}", tz="UTC")
        if number % 3 == 2:
            member = enrol(db, user, date(2025, 12, 25), name=f"Member {number}", github=f"m{number}")
        else:
            member = enrol(db, user, date(2026, 3, 2), name=f"Member {number}", github=f"m{number}")
        add_contribution(db, member, date(2026, 4, 1))
        if number % 4 == 0:
            with db.transaction() as session:
                enqueue(
                    session,
                    now=NOW,
                    key=f"announce:member:{member}:term:{member}",
                    kind="announce",
                    channel=ANNOUNCE_CHANNEL,
                    text=f"Welcome member {number}",
                    member_id=member,
                    not_before=NOW,
                )


def run_replicas(db: Database, fake: FakeSlack, work: Callable[[JobContext], None]) -> None:
    """Three 'replicas', each with its own engine and pool, started together."""
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def replica() -> None:
        own = Database(db.url)
        try:
            ctx = job_context(own, fake)
            start.wait()
            work(ctx)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=replica) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def assert_each_message_once(db: Database, fake: FakeSlack) -> None:
    keys: Counter[str] = Counter()
    for message in fake.messages:
        payload = (message.metadata or {}).get("event_payload", {})
        for key in str(payload.get("keys") or payload.get("key")).split(","):
            keys[key] += 1
    rows = outbox(db)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert sorted(keys) == sorted(row.key for row in rows)
    assert set(keys.values()) == {1}, [key for key, count in keys.items() if count > 1]
    reminders_sent = [row for row in rows if row.kind == "reminder"]
    notices_sent = [row for row in rows if row.kind == "renewal"]
    assert len(reminders_sent) == 8 and len(notices_sent) == 4
    assert len(fake.messages_in(ANNOUNCE_CHANNEL)) >= 1


@pytest.mark.postgres_only
def test_three_replicas_running_every_job_and_sender_send_each_message_once(
    db: Database, fake_slack: FakeSlack
) -> None:
    populate(db, fake_slack)

    def scheduler_ticks(ctx: JobContext) -> None:
        for name in ("announce", "reminders", "renewals", "sender", "reminders", "sender"):
            run_job(ctx, name, NOW)

    run_replicas(db, fake_slack, scheduler_ticks)
    # Whatever a skipped tick left is sent by the next one.
    run_job(job_context(db, fake_slack), "sender", NOW)

    assert_each_message_once(db, fake_slack)
    assert len(fake_slack.messages_in(ANNOUNCE_CHANNEL)) == 1


def test_without_the_lock_the_unique_keys_and_claims_still_prevent_duplicates(
    db: Database, fake_slack: FakeSlack
) -> None:
    # The advisory lock only saves work: jobs and senders racing unguarded must not duplicate either.
    populate(db, fake_slack)

    def unguarded(ctx: JobContext) -> None:
        reminders.run(ctx, NOW)
        renewals.run(ctx, NOW)
        announce.run(ctx, NOW)
        deliver(ctx.db, ctx.client, NOW, settings=ctx.settings)

    run_replicas(db, fake_slack, unguarded)
    deliver(db, job_context(db, fake_slack).client, NOW)

    assert_each_message_once(db, fake_slack)
