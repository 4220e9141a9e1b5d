"""`/ambassador log` against the floor of a logging command, served the same way, in alternating rounds.

    .venv/bin/python bench/log_floor.py [--rounds 3] [--requests 300] [--concurrency 20] [--threads 8]
                                        [--seconds S] [--members 50] [--warmup 300] [--database-url URL]
                                        [--only bot|floor]

Two apps, each in its own process, each behind `bot.slack.server`'s own HTTP server (whatever server the
bot uses, both use it, with `--threads` worker threads):

- **floor**: a Bolt app that verifies the request's signature, inserts one row and reads one count
  through SQLAlchemy Core in one transaction (the bot's engine factory: the same SQLite pragmas,
  `BEGIN` and writers' queue, the same PostgreSQL pool), then acknowledges with a line of text.
  Nothing a logging command can do is cheaper.
- **bot**: ambassador-bot itself (`create_app`, scheduler off) with a local fake Slack Web API,
  answering signed inline `/ambassador log talk LINK TITLE` commands (each a new contribution, so
  every request writes and the answer shows the member's progress).

Both get the database as `serve` gives it to requests (`Database.for_requests`: about a second for a
lock, then the member is told to try again). The clients run in this process (`--concurrency`
threads, one connection per request, as Slack makes them). After an unmeasured warm-up (`--warmup`
commands per app), each round sends `--requests` commands (or keeps sending for `--seconds`) to the
floor and then to the bot, or the other way round (the order alternates, so drift on a shared
machine hits both alike). Per round and over all rounds it prints requests/s, p50, p99 and max for
each, the answers that said "try again", and the bot/floor ratios: the goal is a throughput ratio of
at least 0.9 and a p99 ratio of at most 1.5, with no "try again" while the database is healthy
(`--rounds 1 --seconds 30 --concurrency 30` is the soak for that). Every answer is checked, and the
contributions stored are counted at the end.

The default database is a fresh SQLite file; pass a scratch PostgreSQL URL to measure that (the
bench's `U0BENCH...` members and its `bench_floor_log` table are removed at the end). `--only` serves
and loads one of the two (for a profiler: `py-spy record --subprocesses -- python bench/log_floor.py
--only bot`).
"""

from __future__ import annotations

import argparse
import itertools
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

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, delete, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bench.common import bot_app
from bot.blocks.general import DATABASE_BUSY
from bot.slack.server import BackgroundServer, wsgi_app
from bot.store.db import Database
from bot.store.models import AuditEvent, Contribution, Member
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, Response, SlackRequests
from tests.helpers.factories import enrol

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
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    insert(FLOOR_TABLE).values(
                        user_id=user_id, text=str(body.get("text") or ""), logged_at=datetime.now(UTC)
                    )
                )
                count = connection.scalar(
                    select(func.count()).select_from(FLOOR_TABLE).where(FLOOR_TABLE.c.user_id == user_id)
                )
        except (OperationalError, PoolTimeout):
            ack(text=DATABASE_BUSY)  # what the bot's error path answers
            return
        ack(text=f"Logged. {count} on record.")

    return app


def application(kind: str, db: Database, fake: FakeSlack, users: Sequence[str]) -> Any:
    """The Bolt app of `kind`: the floor, or the bot itself (its members known to `fake`)."""
    if kind == "floor":
        return floor_application(db, fake.url)
    for user in users:
        fake.add_user(user, tz="Europe/Madrid")
    return bot_app(db, fake.url)


def serve(kind: str, database_url: str, threads: int, users: Sequence[str], ready: Any, stop: Event) -> None:
    logging.basicConfig(level=logging.WARNING)
    # More clients than threads: waitress queues requests and says so on each one; that is the load.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    db = Database(database_url, request_path=True)  # as `serve` gives it to requests
    fake = FakeSlack().start()
    server = BackgroundServer(wsgi_app(application(kind, db, fake, users), db), threads=threads).start()
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
    logged: int = 0
    tried_again: int = 0  # answered "try again" (the database busy past the request's budget)
    failures: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        self.latencies += other.latencies
        self.elapsed += other.elapsed
        self.logged += other.logged
        self.tried_again += other.tried_again
        self.failures += other.failures

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def cut(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1] * 1000

    @property
    def most(self) -> float:
        return max(self.latencies) * 1000

    def line(self, label: str) -> str:
        return (
            f"{label:<6} {len(self.latencies):6d} requests {self.rate:7.1f} req/s  p50 {self.cut(50):6.1f} ms"
            f"  p99 {self.cut(99):6.1f} ms  max {self.most:6.1f} ms  try again {self.tried_again}"
        )


def ratio_line(bot: Figures, floor: Figures) -> str:
    return (
        f"ratio  bot/floor: throughput {bot.rate / floor.rate:4.2f}x (goal >= 0.9)  "
        f"p50 {bot.cut(50) / floor.cut(50):4.2f}x  p99 {bot.cut(99) / floor.cut(99):4.2f}x (goal <= 1.5)  "
        f"max {bot.most / floor.most:4.2f}x"
    )


def answer_text(response: Response) -> str:
    """What the member reads: Bolt answers a bare text acknowledgement as text/plain, the rest as JSON."""
    if response.status != 200:
        return ""
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return str((response.json or {}).get("text", ""))
    return response.text


def load(
    kind: str, url: str, users: Sequence[str], requests: int, concurrency: int, tag: str, seconds: float = 0
) -> Figures:
    """`requests` commands from `concurrency` clients; with `seconds`, as many as they send in that time."""
    figures = Figures()
    lock = threading.Lock()
    numbers = itertools.count()
    began = time.perf_counter()

    def send(number: int) -> None:
        user = users[number % len(users)]
        text = f"log talk https://bench.example.org/{user}/{tag}/{number} Bench talk {number}"
        started = time.perf_counter()
        response = SlackRequests(url).command(text, user)
        took = time.perf_counter() - started
        answer = answer_text(response)
        with lock:
            figures.latencies.append(took)
            if EXPECTED[kind] in answer:
                figures.logged += 1
            elif answer == DATABASE_BUSY:
                figures.tried_again += 1
            else:
                figures.failures.append(f"{kind} #{number}: {response.status} {response.text[:200]}")

    def client() -> None:
        while time.perf_counter() - began < seconds:
            send(next(numbers))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        if seconds:
            list(pool.map(lambda _: client(), range(concurrency)))
        else:
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
    clean(db)
    FLOOR_TABLE.create(db.engine)
    start = datetime.now(UTC).date() - timedelta(days=60)
    for user in users:
        enrol(db, user, start, f"Bench {user}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--requests", type=int, default=300, help="commands per app and round (default 300)")
    parser.add_argument(
        "--seconds", type=float, default=0, help="send for this long per app and round instead"
    )
    parser.add_argument("--concurrency", type=int, default=20, help="client threads (default 20)")
    parser.add_argument(
        "--warmup", type=int, default=300, help="unmeasured commands per app before the rounds (default 300)"
    )
    parser.add_argument("--threads", type=int, default=8, help="server worker threads (default 8)")
    parser.add_argument("--members", type=int, default=50, help="ambassadors sending commands (default 50)")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--only", choices=("bot", "floor"), help="serve and load only one of the two")
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 200 or not 2 <= args.requests <= 100_000 or args.members < 1:
        parser.error("--requests 2..100000, --concurrency 1..200, --members >= 1")
    if args.rounds < 1 or not 0 <= args.seconds <= 3600 or args.warmup < 0:
        parser.error("--rounds >= 1, --seconds 0..3600, --warmup >= 0")
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
    # Warm up each app, unmeasured: once per member (the bot's time-zone cache), then under the full
    # load (connection pools grown, statements compiled and cached, the interpreter's hot paths
    # specialised). Without it the first round weighs on the app that has more code to warm, the bot.
    for kind, url in urls.items():
        load(kind, url, users, len(users), min(args.concurrency, len(users)), "warm")
        load(kind, url, users, args.warmup, args.concurrency, "warm/load")
    size = f"{args.seconds:g} s" if args.seconds else f"{args.requests} requests"
    print(
        f"backend {db.engine.dialect.name}, {args.rounds} rounds x {size} per app, "
        f"{args.concurrency} concurrent clients, {args.threads} server threads, {len(users)} members"
    )
    totals = {kind: Figures() for kind in urls}
    for number in range(args.rounds):
        order = list(urls) if number % 2 == 0 else list(reversed(urls))
        this_round = {}
        for kind in order:
            this_round[kind] = load(
                kind, urls[kind], users, args.requests, args.concurrency, f"r{number}", args.seconds
            )
            totals[kind].add(this_round[kind])
        print(f"round {number + 1}:")
        for kind in urls:
            print("  " + this_round[kind].line(kind))
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
        expected = totals["bot"].logged  # a "try again" stores nothing
        print(f"contributions stored by the bot: {stored} (expected {expected}); failures: {len(failures)}")
        if stored != expected:
            failures.append(f"stored {stored} contributions, expected {expected}")
    for failure in failures[:5]:
        print("  " + failure)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
