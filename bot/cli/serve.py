"""`ambassador-bot serve`: the bot over HTTP (waitress) or Socket Mode, with the scheduler in-process."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType
from typing import Any

from bot.cli import sandbox
from bot.cli.common import CommandError, check_bot_token, open_database
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.server import SocketModeError, create_http_server, serve_socket_mode, wsgi_app
from handlers import create_app
from jobs.runner import JobContext
from jobs.scheduler import build_scheduler

log = logging.getLogger("ambassador-bot")


def add_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help="serve Slack (HTTP on PORT, or Socket Mode with SLACK_APP_TOKEN)"
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--threads", type=int, default=8, help="HTTP worker threads (default 8)")
    serve.add_argument(
        "--no-scheduler",
        action="store_true",
        help="do not run the scheduled jobs in this process (extra web replicas; see `scheduler`)",
    )
    serve.add_argument(
        "--or-sandbox",
        action="store_true",
        help="with no Slack setting at all, start the local sandbox instead, on 127.0.0.1 (`make run`)",
    )
    serve.set_defaults(handler=cmd_serve)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    if args.or_sandbox and not (
        settings.slack_bot_token or settings.slack_signing_secret or settings.slack_app_token
    ):
        print(sandbox.notice(), file=sys.stderr, flush=True)
        return sandbox.cmd_sandbox(settings, sandbox.default_options())
    settings.require_slack()
    db = open_database(settings)
    try:
        check_bot_token(settings)
    except CommandError:
        db.dispose()
        raise

    # Requests from Slack get the database with short timeouts; the jobs below keep the patient one.
    request_db = db.for_requests()
    deps = Deps(settings=settings, db=request_db)
    app = create_app(deps)
    scheduler = None
    if not args.no_scheduler:
        # A job's change (a renewal, a member made emeritus) refreshes that person's App Home, as a
        # change made in Slack does; the jobs keep their own client, which waits out rate limits.
        jobs = JobContext.create(
            settings, db, clock=deps.clock, after_change=lambda user_id: deps.changed(app.client, user_id)
        )
        scheduler = build_scheduler(jobs)
        scheduler.start()
        log.info("scheduled jobs running in this process (`serve --no-scheduler` to leave them out)")

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)

    # SIGTERM (docker stop, systemd, Kubernetes) stops as cleanly as Ctrl-C, with exit status 0.
    signal.signal(signal.SIGTERM, stop)
    if settings.socket_mode:
        try:
            serve_socket_mode(app, settings.slack_app_token)
        except (KeyboardInterrupt, SystemExit):
            log.info("stopping")
        except SocketModeError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            request_db.dispose()
            db.dispose()
        return 0
    server = create_http_server(wsgi_app(app, request_db), args.host, settings.port, threads=args.threads)
    log.info("serving Slack on http://%s:%s/slack/events", args.host, settings.port)
    try:
        server.run()  # waitress itself catches the SystemExit of SIGTERM (and Ctrl-C), then returns
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        log.info("stopping")
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        server.close()
        request_db.dispose()
        db.dispose()
    return 0
