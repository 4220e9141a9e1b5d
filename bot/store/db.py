"""Engine, sessions and migrations.

One `Database` per process. Work runs in short transactions (`with db.transaction() as session:`),
one per use case: Bolt and APScheduler run listeners and jobs on thread pools, and Bolt may still be
running a listener after it has acknowledged the request, so a session is never shared or kept.
A use case that only reads uses `with db.read_only() as session:` instead: on SQLite it does not
take the write lock, so reads never queue behind writers (WAL gives them a consistent snapshot).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.write_queue import QueuedWriterConnection, queue_for

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same for every replica of this app.
MIGRATION_LOCK_ID = 0x616D6261  # "amba"
# Connection execution option marking a transaction that only reads (see `Database.read_only`).
READ_ONLY_OPTION = "ambassador_read_only"

# Jobs and commands wait patiently for a lock or a connection. A request from Slack must be answered
# within 3 s, so on its path the database gets about a second: past it the member is told to try again
# (and the transaction rolls back) rather than Slack showing an error while the write lands later.
PATIENT_SQLITE_BUSY_SECONDS = 30.0
REQUEST_SQLITE_BUSY_SECONDS = 1.0
REQUEST_POSTGRES_CONNECT_SECONDS = 2  # libpq's smallest connect_timeout
REQUEST_POSTGRES_STATEMENT_MS = 2000
REQUEST_POSTGRES_LOCK_MS = 1000
REQUEST_POOL_WAIT_SECONDS = 1.0


SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_EXAMPLES = "sqlite:///ambassador-bot.db or postgresql://user:password@host:5432/db"


class DatabaseUnavailable(Exception):
    """The database cannot be used (an unsupported URL, unreachable, unwritable); one line, no traceback."""


def checked_url(url: str) -> URL:
    """The parsed URL of a database the bot supports; `DatabaseUnavailable` names what is wrong."""
    try:
        parsed = make_url(normalize_url(url))
    except ArgumentError:
        raise DatabaseUnavailable(f"DATABASE_URL is not a database URL; use {URL_EXAMPLES}") from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseUnavailable(
            f"DATABASE_URL: {backend} is not supported; use SQLite or PostgreSQL ({URL_EXAMPLES})"
        )
    if backend == "sqlite" and (parsed.host or parsed.username or parsed.port):
        # `sqlite://bot.db` reads the file name as a host: SQLAlchemy would refuse it with a traceback.
        name = url.split("://", 1)[1]
        raise DatabaseUnavailable(
            f"DATABASE_URL {url} has two slashes, so {name!r} is read as a host and names no file; "
            f"a SQLite file is sqlite:///{name} (three slashes; four before an absolute path, "
            "sqlite:////var/lib/ambassador-bot.db)"
        )
    return parsed


def sqlite_file(url: str) -> Path | None:
    """The file of an on-disk SQLite database (None for PostgreSQL and in-memory SQLite)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


def shown_url(url: str) -> str:
    """The URL as it may be printed: the password hidden."""
    return make_url(normalize_url(url)).render_as_string(hide_password=True)


def explain_error(url: str, exc: DBAPIError) -> str:
    """One line on why the database at `url` cannot be used (the password hidden)."""
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    detail = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    reason = detail[0] if detail else exc.__class__.__name__
    hint = ""
    if parsed.get_backend_name() == "sqlite":
        where = Path(parsed.database or ".").resolve().parent
        if "unable to open" in reason or "readonly" in reason:
            hint = f" (does {where} exist, and may this user write there?)"
        elif "not a database" in reason:
            hint = " (that file is not a SQLite database)"
    return f"cannot use the database {shown}: {reason}{hint}"


def normalize_url(url: str) -> str:
    """Accept the `postgres://` and `postgresql://` spellings hosting providers hand out."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def create_db_engine(url: str, request_path: bool = False, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Patient: long enough for a burst of writers; WAL lets readers go on while one writes.
        busy = REQUEST_SQLITE_BUSY_SECONDS if request_path else PATIENT_SQLITE_BUSY_SECONDS
        on_disk = parsed.database not in (None, "", ":memory:")
        engine = create_engine(
            url,
            connect_args={"timeout": busy, "check_same_thread": False, "factory": QueuedWriterConnection},
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # SQLAlchemy, not the sqlite3 module, decides where transactions begin (see _begin below).
            dbapi_connection.isolation_level = None
            dbapi_connection.configure(queue_for(str(parsed.database)) if on_disk else None, busy)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if on_disk:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            if connection.get_execution_options().get(READ_ONLY_OPTION):
                # Reads only: a deferred BEGIN takes no lock; in WAL mode it reads a snapshot while
                # a writer works, instead of waiting for the write lock like a unit of work.
                connection.exec_driver_sql("BEGIN")
                return
            # Take the write lock up front: a transaction that reads and then writes would otherwise
            # fail at once with "database is locked" when another thread wrote in between (SQLite
            # cannot wait there without risking a deadlock). The process's writers take turns for
            # it (bot.store.write_queue); all the waiting together stays within `busy`.
            try:
                connection.connection.dbapi_connection.begin_immediate()
            except sqlite3.Error as exc:
                raise DBAPIError.instance("BEGIN IMMEDIATE", None, exc, sqlite3.Error) from exc

        return engine
    if request_path:
        kwargs.setdefault("pool_timeout", REQUEST_POOL_WAIT_SECONDS)
        kwargs.setdefault(
            "connect_args",
            {
                "connect_timeout": REQUEST_POSTGRES_CONNECT_SECONDS,
                "options": f"-c statement_timeout={REQUEST_POSTGRES_STATEMENT_MS} "
                f"-c lock_timeout={REQUEST_POSTGRES_LOCK_MS}",
            },
        )
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


class Database:
    def __init__(self, url: str, request_path: bool = False, **engine_kwargs: Any) -> None:
        checked_url(url)
        self.url = normalize_url(url)
        self.request_path = request_path
        self.engine = create_db_engine(self.url, request_path=request_path, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def for_requests(self) -> Database:
        """The same database with the request path's short timeouts (its own pool of connections)."""
        return Database(self.url, request_path=True)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back on any exception."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def statements(self) -> Iterator[Connection]:
        """One unit of work of prebuilt Core statements, on a connection without an ORM Session:
        commits when the block ends, rolls back on any exception. For the busiest write (a log from
        Slack), where the Session's own bookkeeping cost more CPU than the statements did."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read_only(self) -> Iterator[Session]:
        """A use case that only reads: one consistent snapshot, never holding up writers or held up
        by them (SQLite: a deferred BEGIN instead of the write lock). Always rolled back: whatever
        the block changes by mistake is not written; what it loaded stays readable afterwards."""
        with self.sessions() as session:
            session.connection(execution_options={READ_ONLY_OPTION: True})
            try:
                yield session
            finally:
                session.expunge_all()
                session.rollback()

    def ping(self) -> None:
        """One round trip, outside any transaction: no lock is taken, so a busy writer cannot hold it."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            cursor.close()
        finally:
            connection.close()

    def upgrade(self) -> list[str]:
        """Bring the schema to the newest migration; safe when several processes start at once.

        Returns the revisions this call applied ([] when the schema was already up to date).
        """
        with self.engine.begin() as connection:
            if self.is_postgres:
                # Held until this transaction ends; the others wait, then find nothing to do.
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            before = set(MigrationContext.configure(connection).get_current_heads())
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            after = set(MigrationContext.configure(connection).get_current_heads())
        if after == before:
            return []
        log.info("database migrated to %s", ", ".join(sorted(after)))
        return sorted(after)

    def has_schema(self) -> bool:
        """Whether ambassador-bot ever set this database up (its migrations' table is there)."""
        return inspect(self.engine).has_table("alembic_version")

    def is_up_to_date(self) -> bool:
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
        head = ScriptDirectory.from_config(alembic_config(self.url)).get_heads()
        return set(current) == set(head)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
