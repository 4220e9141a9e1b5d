"""What every `ambassador-bot` command shares: one-line errors, opening the database, the token check."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError

from bot.settings import Settings
from bot.slack.client import web_client
from bot.slack.token_check import CHECK_TIMEOUT, QUIET, TokenRefused, check_at_start
from bot.store.db import Database, DatabaseUnavailable, explain_error

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
    try:
        check_at_start(web_client(settings, timeout=CHECK_TIMEOUT, retry_handlers=[], logger=QUIET))
    except TokenRefused as exc:
        raise CommandError(str(exc)) from None


Command = Callable[[Settings, argparse.Namespace], int]
