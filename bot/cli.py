"""The `ambassador-bot` command."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType

from sqlalchemy.exc import DBAPIError

from bot.logging_setup import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.store.db import Database, DatabaseUnavailable, explain_error

log = logging.getLogger("ambassador-bot")

EXIT_USAGE = 2


class CommandError(Exception):
    """A problem to report on one line, with exit status 2 (bad input, not a crash)."""


def connect_database(settings: Settings) -> tuple[Database, list[str]]:
    """Open the database and bring its schema up to date, returning the migrations applied.

    An unsupported URL, or a database that cannot be reached or written, is one line (exit status 2).
    """
    db = Database(settings.database_url)
    try:
        applied = db.upgrade()
    except DBAPIError as exc:
        db.dispose()
        raise DatabaseUnavailable(explain_error(db.url, exc)) from None
    return db, applied


def open_database(settings: Settings) -> Database:
    """Every command that touches the database first brings its schema up to date."""
    return connect_database(settings)[0]


def check_bot_token(settings: Settings) -> None:
    """One `auth.test` before serving: a refused token stops here (exit 2) instead of failing every
    request; Slack unreachable only warns, and the check is retried in the background."""
    from bot.slack.client import web_client
    from bot.slack.token_check import CHECK_TIMEOUT, QUIET, TokenRefused, check_at_start

    try:
        check_at_start(web_client(settings, timeout=CHECK_TIMEOUT, retry_handlers=[], logger=QUIET))
    except TokenRefused as exc:
        raise CommandError(str(exc)) from None


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    settings.require_slack()
    db = open_database(settings)
    try:
        check_bot_token(settings)
    except CommandError:
        db.dispose()
        raise
    from bot.slack.deps import Deps
    from bot.slack.server import SocketModeError, create_http_server, serve_socket_mode, wsgi_app
    from handlers import create_app

    # Requests from Slack get the database with short timeouts; the jobs below keep the patient one.
    request_db = db.for_requests()
    deps = Deps(settings=settings, db=request_db)
    app = create_app(deps)
    scheduler = None
    if not args.no_scheduler:
        from jobs.runner import JobContext
        from jobs.scheduler import build_scheduler

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


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    db, applied = connect_database(settings)
    db.dispose()
    print(f"database migrated to revision {applied[-1]}" if applied else "database is up to date")
    return 0


def cmd_db_repair_escapes(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.services.repair import repair_escapes

    db = open_database(settings)
    try:
        repairs = repair_escapes(db, datetime.now(UTC), apply=args.apply)
    finally:
        db.dispose()
    for repair in repairs:
        note = f"  (left as it is: {repair.skipped})" if repair.skipped else ""
        print(
            f"contribution {repair.contribution_id} {repair.field}: {repair.before!r} -> {repair.after!r}{note}"
        )
    fixed = sum(1 for repair in repairs if not repair.skipped)
    if args.apply:
        print(f"repaired {fixed} field(s); each contribution changed has an audit row")
    else:
        print(f"{fixed} field(s) to repair (dry run: nothing written; add --apply to repair them)")
    return 0


Command = Callable[[Settings, argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ambassador-bot", description="A Slack bot that runs a community ambassador program."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {installed_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply database migrations").set_defaults(handler=cmd_db_upgrade)
    repair = db_commands.add_parser(
        "repair-escapes",
        help="restore contributions stored with Slack's escaping (&amp;, <url|label>) as typed",
        description="Lists what would change (a dry run) unless --apply is given; every change is audited.",
    )
    repair.add_argument("--apply", action="store_true", help="write the repairs (default: only list them)")
    repair.set_defaults(handler=cmd_db_repair_escapes)

    from bot import cli_commands

    cli_commands.add_commands(commands)
    return parser


def installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ambassador-bot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        from bot import __version__

        return __version__


def chosen_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the (sub)subcommand the arguments chose, e.g. `jobs run`'s for `jobs run x --bad`."""
    while True:
        subcommands = next(
            (action for action in parser._actions if isinstance(action, argparse._SubParsersAction)), None
        )
        chosen = getattr(args, subcommands.dest, None) if subcommands else None
        if subcommands is None or chosen not in subcommands.choices:
            return parser
        parser = subcommands.choices[chosen]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # argparse would blame the top-level command and show its usage; show the subcommand's instead.
        chosen_parser(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level, settings.log_format)
    handler: Command = args.handler
    try:
        return handler(settings, args)
    except SettingsError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    except (CommandError, DatabaseUnavailable) as exc:
        print(f"ambassador-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`ambassador-bot export | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
