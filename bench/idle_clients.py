"""Does the server keep answering while hundreds of idle or slow clients hold connections open?

    .venv/bin/python bench/idle_clients.py [--idle 300] [--slow 100] [--probes 20] [--threads 8]

Serves the bot in this process on 127.0.0.1 (the same waitress server and Bolt app as
`ambassador-bot serve`), twice: with waitress's defaults and with the limits `serve` uses
(bot.slack.server.SERVER_LIMITS). Each time it opens `--idle` keep-alive connections that made one request
and then say nothing, and `--slow` connections that send half a request's headers and stall, then
times `--probes` `/healthz` requests and `--probes` signed `/ambassador status` commands. A probe that
takes more than 5 s counts as failed (Slack gives up after 3 s). Prints, for each configuration, how
many probes were answered and their p50/max latency.
"""

from __future__ import annotations

import argparse
import logging
import resource
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bot_app
from bot.slack.server import BackgroundServer, wsgi_app
from bot.store.db import Database
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_requests import SlackRequests
from tests.helpers.factories import enrol

WAITRESS_DEFAULTS: dict[str, Any] = {
    "connection_limit": 100,
    "channel_timeout": 120,
    "cleanup_interval": 30,
    "asyncore_use_poll": False,
}
PROBE_TIMEOUT = 5.0
MEMBER = "U0BENCHIDLE"


def open_idle(port: int, count: int) -> list[socket.socket]:
    """Connections that made one keep-alive request, read the answer, and then stay silent."""
    sockets = []
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
            sock.recv(4096)
        except OSError:
            break  # refused or not answered: the server stopped accepting (that is the finding)
        sockets.append(sock)
    return sockets


def open_slow(port: int, count: int) -> list[socket.socket]:
    """Connections that send half of a request's headers and stall (slowloris)."""
    sockets = []
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-www-")
        except OSError:
            break
        sockets.append(sock)
    return sockets


def probe(call: Any) -> float | None:
    started = time.perf_counter()
    try:
        response = call()
    except OSError:
        return None
    elapsed = time.perf_counter() - started
    return elapsed if response.status == 200 and elapsed <= PROBE_TIMEOUT else None


def run(name: str, limits: dict[str, Any], args: argparse.Namespace, db: Database, fake: FakeSlack) -> None:
    app = bot_app(db, fake.url, slack_app_token="", timezone="UTC")
    server = BackgroundServer(wsgi_app(app, db), threads=args.threads, **limits).start()
    port = server.server.effective_port
    slack = SlackRequests(server.url, response_url_base=fake.response_url_base)
    try:
        idle = open_idle(port, args.idle)
        slow = open_slow(port, args.slow)
        health = [probe(lambda: get(slack, "/healthz")) for _ in range(args.probes)]
        commands = [probe(lambda: slack.command("status", MEMBER)) for _ in range(args.probes)]
    finally:
        for sock in [*locals().get("idle", []), *locals().get("slow", [])]:
            sock.close()
        server.stop()
    print(f"\n{name}: {len(idle)}/{args.idle} idle and {len(slow)}/{args.slow} slow connections held open")
    for label, timings in (("/healthz", health), ("status command", commands)):
        answered = [t for t in timings if t is not None]
        figures = (
            f"p50 {statistics.median(answered) * 1000:.0f} ms, max {max(answered) * 1000:.0f} ms"
            if answered
            else "no answers"
        )
        print(
            f"  {label:15} answered {len(answered):3}/{len(timings)} within {PROBE_TIMEOUT:.0f} s  {figures}"
        )


def get(slack: SlackRequests, path: str) -> Any:
    import urllib.request

    request = urllib.request.Request(slack.base_url + path, method="GET")
    with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT) as response:
        response.read()
        return response


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--idle", type=int, default=300, help="idle keep-alive connections (default 300)")
    parser.add_argument("--slow", type=int, default=100, help="stalled half-sent requests (default 100)")
    parser.add_argument("--probes", type=int, default=20, help="requests of each kind timed (default 20)")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads (default 8)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * (args.idle + args.slow) + 200
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    fake = FakeSlack().start()
    fake.add_user(MEMBER, "Idle Bench", tz="UTC")
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{scratch}/bench.db")
        db.upgrade()
        enrol(db, MEMBER, datetime.now(UTC).date() - timedelta(days=30), "Idle Bench")
        try:
            run("waitress defaults", WAITRESS_DEFAULTS, args, db, fake)
            run("serve's limits (bot.slack.server.SERVER_LIMITS)", {}, args, db, fake)
        finally:
            db.dispose()
            fake.stop()


if __name__ == "__main__":
    main()
