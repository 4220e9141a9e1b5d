"""`ambassador-bot sandbox`: the whole program in a browser, with no Slack workspace.

The real bot runs against local stand-ins for Slack and GitHub (bot/sandbox/); this command only
chooses the database and the address, and serves the page until Ctrl-C.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import sys
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bot.cli.common import CommandError
from bot.sandbox import web
from bot.sandbox.app import Sandbox
from bot.settings import Settings
from bot.slack.server import create_http_server
from bot.store.db import DatabaseUnavailable, explain_error

log = logging.getLogger("ambassador-bot")

DEFAULT_DATABASE = "sandbox.db"
STATE_SUFFIX = ".slack.json"
PAGE_THREADS = 12


def add_commands(commands: Any) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        help="try the whole program in a browser, with no Slack workspace (local stand-ins for Slack and GitHub)",
        description=(
            "Run the real bot against a local stand-in for Slack and GitHub, with a web page where you "
            "play every role: members, the TSC, the clock. Nothing reaches the real Slack or GitHub."
        ),
    )
    add_options(sandbox)
    sandbox.set_defaults(handler=cmd_sandbox)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, help="the page's port (default: PORT, 3000; 0: any free port)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; the sandbox has no login)",
    )
    parser.add_argument(
        "--database-url",
        help=f"the sandbox's database (default: its own SQLite file, {DEFAULT_DATABASE}; never DATABASE_URL's)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help=f"start over: delete {DEFAULT_DATABASE} and its conversations"
    )
    parser.add_argument(
        "--now",
        help="the sandbox's time when it starts afresh, ISO-8601 (default: now; without an offset: TIMEZONE)",
    )


def default_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_options(parser)
    return parser.parse_args([])


def cmd_sandbox(settings: Settings, args: argparse.Namespace) -> int:
    host = str(args.host)
    if not is_loopback(host):
        print(
            f"ambassador-bot: warning: --host {host} makes the sandbox reachable from other machines; it has "
            "no login and anyone reaching it can act as any person",
            file=sys.stderr,
        )
    port = args.port if args.port is not None else settings.port
    if not 0 <= port <= 65535:
        raise CommandError(f"--port {port} is not a port (0-65535)")
    database_url, state_path = where(args)
    start_at = parse_now(args.now, settings)
    try:
        sandbox = Sandbox(settings, database_url, state_path=state_path, start_at=start_at).start()
    except DBAPIError as exc:
        raise DatabaseUnavailable(explain_error(database_url, exc)) from None
    try:
        server = create_http_server(web.application(sandbox, host), host, port, threads=PAGE_THREADS)
    except OSError as exc:
        sandbox.stop()
        raise CommandError(
            f"cannot listen on {host}:{port} ({exc.strerror}); try --port with another number"
        ) from None

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    shown_host = f"[{host}]" if ":" in host else host
    print(
        f"ambassador-bot sandbox: open http://{shown_host}:{server.effective_port}/ "
        f"(database {database_url}; Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        log.info("stopping the sandbox")
        server.close()
        sandbox.stop()
    return 0


def where(args: argparse.Namespace) -> tuple[str, Path | None]:
    """The database and the conversations' file; `--fresh` removes the sandbox's own files first."""
    if args.database_url:
        try:
            make_url(args.database_url)
        except ArgumentError:
            raise CommandError(f"--database-url {args.database_url!r} is not a database URL") from None
        if args.fresh:
            raise CommandError("--fresh starts over only the sandbox's own file; drop that database yourself")
        return args.database_url, None
    path = Path(DEFAULT_DATABASE)
    state = Path(DEFAULT_DATABASE + STATE_SUFFIX)
    if args.fresh:
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), state):
            stale.unlink(missing_ok=True)
    return f"sqlite:///{path}", state


def parse_now(value: str | None, settings: Settings) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--now {value!r} is not an ISO-8601 date and time, like 2026-03-15T10:00"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=settings.zone)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def notice() -> str:
    """The one line `make run` prints when it starts the sandbox for want of Slack settings."""
    return (
        "ambassador-bot: no Slack settings, so this is a local sandbox (no workspace needed); to connect a "
        'real workspace, see README "Creating the Slack app" and put its tokens in .env'
    )
