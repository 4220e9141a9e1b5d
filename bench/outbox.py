"""How fast the outbox queues and delivers messages, against the local fake Slack, pacing off.

    .venv/bin/python bench/outbox.py [--messages 2000] [--senders 1] [--dms] [--database-url URL]

Queues `--messages` outbox rows (one transaction each, as jobs and handlers do), then delivers them
with `--senders` concurrent senders (`SEND_RATE_PER_SECOND=0`: no pacing), and prints messages per
second for both, and checks that each message reached the fake Slack exactly once. In production
the sender is paced at `SEND_RATE_PER_SECOND` (default 1/s), far below these figures: this measures
the bot's own overhead (claims, leases, recording), not Slack's limits. The default database is a
fresh SQLite file; pass a scratch PostgreSQL URL to measure that (its `bench:` rows are replaced).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete

from bot.outbox.pacing import Pacer
from bot.outbox.queue import enqueue
from bot.outbox.sender import SenderOptions, deliver
from bot.store.db import Database
from bot.store.models import OutboxMessage
from tests.fakes.slack import BOT_TOKEN, FakeSlack

NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=1, help="concurrent senders (threads)")
    parser.add_argument("--dms", action="store_true", help="DMs to members instead of channel posts")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench.db"
        db = Database(url)
        db.upgrade()
        with db.transaction() as session:
            session.execute(delete(OutboxMessage).where(OutboxMessage.key.like("bench:%")))
        fake = FakeSlack(joined_channels={"C0BENCH"}).start()
        users = [f"U0B{number:05d}" for number in range(200)]
        for user in users:
            fake.add_user(user, tz="UTC")
        try:
            run(db, fake, args.messages, args.senders, users if args.dms else None)
        finally:
            with db.transaction() as session:
                session.execute(delete(OutboxMessage).where(OutboxMessage.key.like("bench:%")))
            fake.stop()
            db.dispose()


def run(db: Database, fake: FakeSlack, count: int, senders: int, users: list[str] | None) -> None:
    from slack_sdk import WebClient

    started = time.perf_counter()
    for number in range(count):
        channel = users[number % len(users)] if users else "C0BENCH"
        with db.transaction() as session:
            enqueue(
                session,
                key=f"bench:{number}",
                kind="bench",
                channel=channel,
                text=f"message {number}",
                now=NOW,
            )
    queued = time.perf_counter() - started

    client = WebClient(token=BOT_TOKEN, base_url=fake.url)
    options = SenderOptions(rate_per_second=0)
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=deliver, args=(db, client, NOW), kwargs={"options": options, "pacer": Pacer(0)}
        )
        for _ in range(senders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    delivered = time.perf_counter() - started

    keys = Counter(str((m.metadata or {}).get("event_payload", {}).get("key")) for m in fake.messages)
    duplicates = sum(1 for n in keys.values() if n > 1)
    print(
        f"database: {db.engine.dialect.name}, messages: {count}, senders: {senders}, {'DMs' if users else 'channel'}"
    )
    print(f"queue:   {count / queued:8.0f} msgs/s  ({queued:.2f} s, one transaction per message)")
    print(
        f"deliver: {count / delivered:8.0f} msgs/s  ({delivered:.2f} s, pacing off, fake Slack on localhost)"
    )
    print(f"exactly once: {len(keys)} distinct of {count}, {duplicates} duplicated")
    if len(keys) != count or duplicates:
        raise SystemExit("delivery was not exactly once")


if __name__ == "__main__":
    main()
