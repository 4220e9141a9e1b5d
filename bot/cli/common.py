"""What every `ambassador-bot` command shares: one-line errors, opening the database, the token check."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError

from bot.settings import Settings
from bot.slack.client import web_client
from bot.slack.token_check import CHECK_TIMEOUT, QUIET, KnownIdentity, TokenRefused, check_at_start
from bot.store.db import Database, DatabaseUnavailable, checked_url, explain_error, shown_url, sqlite_file

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


def open_database(settings: Settings, *, to_read: bool = False) -> Database:
    """Every command that touches the database first brings its schema up to date.

    A command that only reads (`to_read`: an export, a dry run) never creates a database: a SQLite
    file that does not exist, or a database ambassador-bot never set up, is one line saying which
    database it looked at (exit status 2), instead of an empty one made on the spot and read as such.
    """
    if to_read:
        checked_url(settings.database_url)
        shown = shown_url(settings.database_url)
        path = sqlite_file(settings.database_url)
        if path is not None and not path.exists():
            raise CommandError(
                f"no database at {path.resolve()} (DATABASE_URL {shown}, a path relative to where the "
                "command runs): nothing to read, and none was created. Run it where the bot's database "
                "is, or set DATABASE_URL; `ambassador-bot import FILE` starts a new one"
            )
        db = Database(settings.database_url)
        try:
            empty = not db.has_schema()
        except DBAPIError as exc:
            db.dispose()
            raise DatabaseUnavailable(explain_error(db.url, exc)) from None
        db.dispose()
        if empty:
            raise CommandError(
                f"the database {shown} is empty (ambassador-bot never set it up): nothing to read, and "
                "nothing was written. `ambassador-bot import FILE` (or `db upgrade`) starts it"
            )
    return connect_database(settings)[0]


def check_bot_token(
    settings: Settings, going_on: str = "serving anyway", known: KnownIdentity | None = None
) -> KnownIdentity:
    """One `auth.test` before serving: a refused token stops here (exit 2) instead of failing every
    request; Slack unreachable only warns (saying what the process does meanwhile, `going_on`), and
    the check is retried in the background. The identity learned is kept in what it returns."""
    known = known if known is not None else KnownIdentity()
    client = web_client(settings, timeout=CHECK_TIMEOUT, retry_handlers=[], logger=QUIET)
    try:
        check_at_start(client, known, going_on)
    except TokenRefused as exc:
        raise CommandError(str(exc)) from None
    return known


def warn_about_settings(settings: Settings) -> None:
    """Settings that are allowed empty but leave something unsaid, warned once when a process starts."""
    if not settings.review_channel:
        log.warning(
            "REVIEW_CHANNEL is not set: applications wait in `/ambassador admin pending` only, and "
            "delivery problems, verification reports and failed GitHub invitations are not reported "
            "anywhere; set it to the review channel's ID"
        )


Command = Callable[[Settings, argparse.Namespace], int]
