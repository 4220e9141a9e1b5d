"""The CPU one `/ambassador log` costs, against the floor's: one request at a time, in one process.

    .venv/bin/python bench/log_cpu.py [--requests 1500] [--warmup 300] [--members 50] [--database-url URL]

`bench/log_floor.py` measures throughput under load, which is what the member feels; but on a shared
machine of 2 cores the same code moves by ±10% between runs, so a few per cent of difference is
lost in it. This bench measures the cause instead: the CPU time each request costs.

The same two apps as `log_floor.py` (the floor, and the bot with its fake Slack Web API), each behind
`bot.slack.server.wsgi_app` on its own request-path `Database`, are called in this process through
their WSGI entry with signed `/ambassador log talk LINK TITLE` commands (each a new contribution),
one at a time, alternating floor/bot and bot/floor so that whatever the machine does hits both
alike. Each call's process CPU time (`time.process_time`: the request's thread and the Bolt listener
thread it hands the work to) is recorded. No HTTP server and no client run, so what is measured is
the app: verifying, parsing, the database work and the answer (with SQLite, the database's own work
too, as it runs in this process; PostgreSQL's runs in its own).

It prints, per app, the mean CPU per request and the mean of the middle 90% (a request that met a
WAL checkpoint or a garbage collection is an outlier either way), and the bot/floor ratio: the
throughput under load follows its inverse, as the server's Python runs one thread at a time.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.log_floor import EXPECTED, PREFIX, application, clean, prepare
from bot.slack.server import wsgi_app
from bot.store.db import Database
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, TEAM, sign

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Caller:
    """Signed slash commands straight into WSGI apps, shaped as waitress hands them over."""

    def __init__(self, users: Sequence[str]) -> None:
        self.users = users
        self.number = 0

    def log(self, kind: str, app: WSGIApp) -> None:
        self.number += 1
        user = self.users[self.number % len(self.users)]
        body = urlencode(
            {
                "token": "verification_token",
                "team_id": TEAM["id"],
                "team_domain": TEAM["domain"],
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user,
                "user_name": "bench",
                "command": "/ambassador",
                "text": f"log talk https://bench.example.org/{user}/cpu/{self.number} Bench talk {self.number}",
                "api_app_id": "A111",
                "is_enterprise_install": "false",
                "response_url": f"https://hooks.slack.com/commands/T111/{self.number}/x",
                "trigger_id": f"111.222.{self.number}",
            }
        ).encode()
        timestamp = int(time.time())
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/slack/events",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "3000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp),
            "HTTP_X_SLACK_SIGNATURE": sign(SIGNING_SECRET, timestamp, body),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
        }
        answered: dict[str, str] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered["status"] = status
            return lambda _data: None

        answer = b"".join(app(environ, start_response)).decode()
        if not answered.get("status", "").startswith("200") or EXPECTED[kind] not in answer:
            raise SystemExit(f"{kind} #{self.number}: {answered.get('status')} {answer[:200]}")


def middle_mean(values: list[float]) -> float:
    ordered = sorted(values)
    cut = len(ordered) // 20
    return statistics.mean(ordered[cut : len(ordered) - cut] or ordered)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1500, help="measured commands per app (default 1500)")
    parser.add_argument(
        "--warmup", type=int, default=300, help="unmeasured commands per app first (default 300)"
    )
    parser.add_argument("--members", type=int, default=50, help="ambassadors sending commands (default 50)")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    if not 10 <= args.requests <= 100_000 or args.warmup < 0 or args.members < 1:
        parser.error("--requests 10..100000, --warmup >= 0, --members >= 1")
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory() as scratch:
        db = Database(args.database_url or f"sqlite:///{scratch}/bench.db")
        db.upgrade()
        users = [f"{PREFIX}{number:05d}" for number in range(args.members)]
        prepare(db, users)
        fake = FakeSlack().start()
        request_dbs = {kind: Database(db.url, request_path=True) for kind in ("floor", "bot")}
        try:
            apps = {
                kind: wsgi_app(application(kind, request_dbs[kind], fake, users), request_dbs[kind])
                for kind in request_dbs
            }
            caller = Caller(users)
            for kind, app in apps.items():
                for _ in range(args.warmup):
                    caller.log(kind, app)
            cpu: dict[str, list[float]] = {kind: [] for kind in apps}
            for number in range(args.requests):
                for kind in ("floor", "bot") if number % 2 == 0 else ("bot", "floor"):
                    started = time.process_time()
                    caller.log(kind, apps[kind])
                    cpu[kind].append(time.process_time() - started)
        finally:
            fake.stop()
            for request_db in request_dbs.values():
                request_db.dispose()
            clean(db)
            db.dispose()

    print(f"backend {db.engine.dialect.name}, {args.requests} requests per app, one at a time, alternating")
    for kind, values in cpu.items():
        print(
            f"  {kind:<6} CPU per request: mean {statistics.mean(values) * 1e6:7.1f} µs"
            f"  middle 90% {middle_mean(values) * 1e6:7.1f} µs"
        )
    ratio = middle_mean(cpu["bot"]) / middle_mean(cpu["floor"])
    print(
        f"  ratio  bot/floor CPU per request: {ratio:4.2f}x (throughput under load follows 1/ratio: {1 / ratio:4.2f}x)"
    )


if __name__ == "__main__":
    main()
