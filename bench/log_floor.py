"""`/ambassador log` against the floor of a logging command, served the same way, in alternating rounds.

    .venv/bin/python bench/log_floor.py [--rounds 4] [--requests 400] [--concurrency 20] [--threads 8]
                                        [--members 50] [--database-url URL] [--only bot|floor]

Two apps, each in its own process, each behind `bot.slack.server`'s own HTTP server (whatever server the
bot uses, both use it, with `--threads` worker threads):

- **floor**: a Bolt app that verifies the request's signature, inserts one row and reads one count
  through SQLAlchemy Core in one transaction (the bot's engine factory: the same SQLite pragmas and
  `BEGIN`, the same PostgreSQL pool), then acknowledges with a line of text. Nothing a logging command
  can do is cheaper.
- **bot**: ambassador-bot itself (`create_app`, scheduler off) with a local fake Slack Web API,
  answering signed inline `/ambassador log talk LINK TITLE` commands (each a new contribution, so
  every request writes and the answer shows the member's progress).

The clients run in this process (`--concurrency` threads, one connection per request, as Slack
makes them). Each round sends `--requests` commands to the floor and then to the bot, or the other
way round (the order alternates, so drift on a shared machine hits both alike). Per round and over
all rounds it prints requests/s, p50 and p99 for each, and the bot/floor ratios: the goal is a
throughput ratio of at least 0.7 and a p99 ratio of at most 1.5. Every answer is checked, and the
contributions stored are counted at the end.

The default database is a fresh SQLite file; pass a scratch PostgreSQL URL to measure that (the
bench's `U0BENCH...` members and its `bench_floor_log` table are removed at the end). `--only` serves
and loads one of the two (for a profiler: `py-spy record --subprocesses -- python bench/log_floor.py
--only bot`).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, delete, func, insert, select

from bot.slack.server import BackgroundServer, wsgi_app
from bot.store.db import Database
from bot.store.models import AuditEvent, Contribution, Member
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, SlackRequests

PREFIX = "U0BENCH"
FLOOR_TABLE = Table(
    "bench_floor_log",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("user_id", String(32), nullable=False, index=True),
    Column("text", String(500), nullable=False),
    Column("logged_at", DateTime(timezone=True), nullable=False),
)
EXPECTED = {"floor": "Logged", "bot": "Logged your talk"}


# --- the two servers (each in its own process) ------------------------------------------------------


def floor_application(db: Database, api_url: str) -> Any:
    """The least a logging command does: a verified request, one insert and one count, an ack."""
    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    app = App(
        # Bolt checks the token once (auth.test) before the first listener runs, as for the bot.
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    @app.command("/ambassador")
    def log_command(ack: Ack, body: dict[str, Any]) -> None:
        user_id = str(body["user_id"])
        with db.engine.begin() as connection:
            connection.execute(
                insert(FLOOR_TABLE).values(
                    user_id=user_id, text=str(body.get("text") or ""), logged_at=datetime.now(UTC)
                )
            )
            count = connection.scalar(
                select(func.count()).select_from(FLOOR_TABLE).where(FLOOR_TABLE.c.user_id == user_id)
            )
        ack(text=f"Logged. {count} on record.")

    return app


def serve(kind: str, database_url: str, threads: int, users: Sequence[str], ready: Any, stop: Event) -> None:
    logging.basicConfig(level=logging.WARNING)
    # More clients than threads: waitress queues requests and says so on each one; that is the load.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    db = Database(database_url)
    fake = FakeSlack().start()
    if kind == "bot":
        from bot.settings import Settings
        from bot.slack.deps import Deps
        from handlers import create_app

        for user in users:
            fake.add_user(user, tz="Europe/Madrid")
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.url,
            database_url=db.url,
        )
        app = create_app(Deps(settings=settings, db=db))
    else:
        app = floor_application(db, fake.url)
    server = BackgroundServer(wsgi_app(app, db), threads=threads).start()
    ready.put(server.url)
    stop.wait()
    server.stop()
    fake.stop()
    db.dispose()


# --- load and figures -------------------------------------------------------------------------------


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        self.latencies += other.latencies
        self.elapsed += other.elapsed
        self.failures += other.failures

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def cut(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1] * 1000

    def line(self, label: str) -> str:
        return (
            f"{label:<6} {len(self.latencies):6d} requests {self.rate:8.1f} req/s  "
            f"p50 {self.cut(50):7.1f} ms  p99 {self.cut(99):7.1f} ms"
        )


def ratio_line(bot: Figures, floor: Figures) -> str:
    return (
        f"ratio  bot/floor: throughput {bot.rate / floor.rate:5.2f}x (goal >= 0.7)  "
        f"p50 {bot.cut(50) / floor.cut(50):5.2f}x  p99 {bot.cut(99) / floor.cut(99):5.2f}x (goal <= 1.5)"
    )


def load(kind: str, url: str, users: Sequence[str], requests: int, concurrency: int, tag: str) -> Figures:
    figures = Figures()
    lock = threading.Lock()

    def send(number: int) -> None:
        user = users[number % len(users)]
        text = f"log talk https://bench.example.org/{user}/{tag}/{number} Bench talk {number}"
        started = time.perf_counter()
        response = SlackRequests(url).command(text, user)
        took = time.perf_counter() - started
        ok = response.status == 200 and EXPECTED[kind] in response.text
        with lock:
            figures.latencies.append(took)
            if not ok:
                figures.failures.append(f"{kind} #{number}: {response.status} {response.text[:200]}")

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(send, range(requests)))
    figures.elapsed = time.perf_counter() - began
    return figures


# --- set-up and the rounds --------------------------------------------------------------------------


def clean(db: Database) -> None:
    with db.transaction() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.actor.like(f"{PREFIX}%")))
        session.execute(delete(Member).where(Member.slack_user_id.like(f"{PREFIX}%")))
    FLOOR_TABLE.drop(db.engine, checkfirst=True)


def prepare(db: Database, users: Sequence[str]) -> None:
    from tests.helpers.factories import enrol

    clean(db)
    FLOOR_TABLE.create(db.engine)
    start = datetime.now(UTC).date() - timedelta(days=60)
    for user in users:
        enrol(db, user, start, f"Bench {user}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    parser.add_argument("--requests", type=int, default=400, help="commands per app and round (default 400)")
    parser.add_argument("--concurrency", type=int, default=20, help="client threads (default 20)")
    parser.add_argument("--threads", type=int, default=8, help="server worker threads (default 8)")
    parser.add_argument("--members", type=int, default=50, help="ambassadors sending commands (default 50)")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--only", choices=("bot", "floor"), help="serve and load only one of the two")
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 200 or not 2 <= args.requests <= 100_000 or args.members < 1:
        parser.error("--requests 2..100000, --concurrency 1..200, --members >= 1")
    if args.rounds < 1:
        parser.error("--rounds >= 1")
    kinds = [args.only] if args.only else ["floor", "bot"]

    with tempfile.TemporaryDirectory() as scratch:
        db = Database(args.database_url or f"sqlite:///{scratch}/bench.db")
        db.upgrade()
        users = [f"{PREFIX}{number:05d}" for number in range(args.members)]
        prepare(db, users)
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        urls: dict[str, str] = {}
        processes = []
        try:
            for kind in kinds:
                ready = context.Queue()
                process = context.Process(
                    target=serve, args=(kind, db.url, args.threads, users, ready, stop), name=kind
                )
                process.start()
                processes.append(process)
                urls[kind] = ready.get(timeout=60)
            run_rounds(db, urls, users, args)
        finally:
            stop.set()
            for process in processes:
                process.join(timeout=10)
            clean(db)
            db.dispose()


def run_rounds(db: Database, urls: dict[str, str], users: Sequence[str], args: argparse.Namespace) -> None:
    # Warm up each app once per member (imports, pools, the bot's time-zone cache), unmeasured.
    for kind, url in urls.items():
        load(kind, url, users, len(users), min(args.concurrency, len(users)), "warm")
    print(
        f"backend {db.engine.dialect.name}, {args.rounds} rounds x {args.requests} requests per app, "
        f"{args.concurrency} concurrent clients, {args.threads} server threads, {len(users)} members"
    )
    totals = {kind: Figures() for kind in urls}
    for number in range(args.rounds):
        order = list(urls) if number % 2 == 0 else list(reversed(urls))
        this_round = {}
        for kind in order:
            this_round[kind] = load(kind, urls[kind], users, args.requests, args.concurrency, f"r{number}")
            totals[kind].add(this_round[kind])
        print(f"round {number + 1}: " + " | ".join(this_round[k].line(k) for k in urls))
    print("all rounds:")
    for kind, figures in totals.items():
        print("  " + figures.line(kind))
    if len(totals) == 2:
        print("  " + ratio_line(totals["bot"], totals["floor"]))
    failures = [failure for figures in totals.values() for failure in figures.failures]
    if "bot" in totals:
        with db.transaction() as session:
            stored = session.scalar(
                select(func.count(Contribution.id))
                .join(Member, Member.id == Contribution.member_id)
                .where(Member.slack_user_id.like(f"{PREFIX}%"), Contribution.link.not_like("%/warm/%"))
            )
        expected = len(totals["bot"].latencies)
        print(f"contributions stored by the bot: {stored} (expected {expected}); failures: {len(failures)}")
        if stored != expected:
            failures.append(f"stored {stored} contributions, expected {expected}")
    for failure in failures[:5]:
        print("  " + failure)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
