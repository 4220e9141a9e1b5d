"""Throughput and latency of `/ambassador status` and inline `log` through the real HTTP endpoint.

    .venv/bin/python bench/http_commands.py [--requests 1000] [--concurrency 10] [--threads 8]
                                            [--members 50] [--database-url URL]

Serves the bot in this process (the same waitress server and Bolt app as `ambassador-bot serve`,
scheduler off) on 127.0.0.1, with the local fake Slack as its Web API, and sends `--requests`
signed slash commands from `--concurrency` client threads: half `status`, half an inline
`log talk LINK TITLE` (each a new contribution, so every one writes). Prints requests per second
and p50/p95/p99 latency, overall and per kind, and checks every answer. The clients run in this
process too, so on a small machine they compete with the server for the CPU: the figures are a
floor. The default database is a fresh SQLite file; pass a scratch PostgreSQL URL to measure that
(the bench's own `U0BENCH...` members are replaced).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, select

from bench.common import bot_app
from bot.slack.server import BackgroundServer, wsgi_app
from bot.store.db import Database
from bot.store.models import AuditEvent, Contribution, Member
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_requests import SlackRequests
from tests.helpers.factories import enrol

PREFIX = "U0BENCH"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000, help="total commands to send (default 1000)")
    parser.add_argument("--concurrency", type=int, default=10, help="client threads (default 10)")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads (default 8)")
    parser.add_argument("--members", type=int, default=50, help="ambassadors sending commands (default 50)")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 200 or not 1 <= args.requests <= 100_000 or args.members < 1:
        parser.error("--requests 1..100000, --concurrency 1..200, --members >= 1")
    logging.basicConfig(level=logging.WARNING)
    # With more clients than threads waitress queues requests and says so on each one: that is the
    # situation being measured, not news.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    with tempfile.TemporaryDirectory() as scratch:
        db = Database(args.database_url or f"sqlite:///{scratch}/bench.db")
        db.upgrade()
        fake = FakeSlack().start()
        users = [f"{PREFIX}{number:05d}" for number in range(args.members)]
        try:
            prepare(db, fake, users)
            run(db, fake, users, args)
        finally:
            clean(db)
            fake.stop()
            db.dispose()


def clean(db: Database) -> None:
    with db.transaction() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.actor.like(f"{PREFIX}%")))
        session.execute(delete(Member).where(Member.slack_user_id.like(f"{PREFIX}%")))


def prepare(db: Database, fake: FakeSlack, users: Sequence[str]) -> None:
    clean(db)
    start = datetime.now(UTC).date() - timedelta(days=60)
    for user in users:
        fake.add_user(user, tz="Europe/Madrid")
        enrol(db, user, start, f"Bench {user}")


def percentile_line(label: str, latencies: list[float], elapsed: float | None = None) -> str:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    rate = f"{len(latencies) / elapsed:8.1f} req/s  " if elapsed else " " * 16
    return (
        f"{label:<8} {len(latencies):6d} requests  {rate}"
        f"p50 {cuts[49] * 1000:7.1f} ms  p95 {cuts[94] * 1000:7.1f} ms  p99 {cuts[98] * 1000:7.1f} ms"
    )


def run(db: Database, fake: FakeSlack, users: Sequence[str], args: argparse.Namespace) -> None:
    app = bot_app(db, fake.url)
    server = BackgroundServer(wsgi_app(app, db), threads=args.threads).start()
    base_url = server.url
    client = SlackRequests(base_url, response_url_base=fake.response_url_base)
    # Warm up: the first users.info per member is cached, as in a running bot.
    for user in users:
        client.command("status", user)

    latencies: dict[str, list[float]] = {"status": [], "log": []}
    failures: list[str] = []
    lock = threading.Lock()

    def send(number: int) -> None:
        user = users[number % len(users)]
        kind = "log" if number % 2 else "status"
        text = (
            f"log talk https://bench.example.org/{user}/{number} Bench talk {number}"
            if kind == "log"
            else "status"
        )
        started = time.perf_counter()
        response = SlackRequests(base_url, response_url_base=fake.response_url_base).command(text, user)
        took = time.perf_counter() - started
        expected = "Logged your talk" if kind == "log" else "contributions this term"
        ok = response.status == 200 and expected in response.text
        with lock:
            latencies[kind].append(took)
            if not ok:
                failures.append(f"{kind} #{number}: {response.status} {response.text[:200]}")

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(send, range(args.requests)))
    elapsed = time.perf_counter() - began
    server.stop()

    with db.transaction() as session:
        logged = session.scalar(
            select(func.count(Contribution.id))
            .join(Member, Member.id == Contribution.member_id)
            .where(Member.slack_user_id.like(f"{PREFIX}%"))
        )
    backend = db.engine.dialect.name
    print(
        f"backend {backend}, {args.requests} requests, {args.concurrency} concurrent clients, "
        f"{args.threads} server threads, {len(users)} members"
    )
    print(percentile_line("all", latencies["status"] + latencies["log"], elapsed))
    print(percentile_line("status", latencies["status"]))
    print(percentile_line("log", latencies["log"]))
    print(f"contributions stored: {logged} (expected {len(latencies['log'])}); failures: {len(failures)}")
    for failure in failures[:5]:
        print("  " + failure)
    if failures or logged != len(latencies["log"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
