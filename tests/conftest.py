"""Fixtures: a real database (SQLite, and PostgreSQL), the fake Slack Web API, and the bot served over HTTP.

Every test that uses a database runs twice, on SQLite and on PostgreSQL. PostgreSQL is required: when it
cannot be reached the tests fail, unless `--no-postgres` is given on purpose.

The tests mirror the code's layers: `unit/` (rules, parsing, blocks: no database), `integration/`
(services, the outbox and the jobs on both databases), `e2e/` (signed HTTP to the served app, and the
command line); the fakes of Slack and GitHub are in `fakes/`, shared helpers in `helpers/`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.server import BackgroundServer, wsgi_app
from bot.store.db import Database
from bot.store.models import Base
from handlers import create_app
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, SlackRequests

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEFAULT_NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)

MEMBER = "U0MEMBER"
TSC = "U0TSC"
OTHER = "U0OTHER"
REVIEW_CHANNEL = "C0REVIEW"
ANNOUNCE_CHANNEL = "C0ANNOUNCE"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-postgres",
        action="store_true",
        help="run only the SQLite half of the suite (for machines without PostgreSQL; CI never uses it)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        backend = getattr(getattr(item, "callspec", None), "params", {}).get("database_url")
        excluded = (
            backend == "postgres"
            and (config.getoption("--no-postgres") or item.get_closest_marker("sqlite_only"))
        ) or (backend == "sqlite" and item.get_closest_marker("postgres_only"))
        (drop if excluded else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


class Clock:
    """The bot's notion of now, set by each test; never today's date."""

    def __init__(self, now: datetime = DEFAULT_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, iso: str) -> None:
        value = datetime.fromisoformat(iso)
        self.now = value if value.tzinfo else value.replace(tzinfo=UTC)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this run on the PostgreSQL server, migrated once, dropped at the end."""
    admin = make_url(POSTGRES_URL)
    name = f"ambassador_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {admin.render_as_string(hide_password=True)} ({exc.__class__.__name__}). "
            "Start it, set TEST_POSTGRES_URL, or run with --no-postgres to skip that half on purpose.",
            pytrace=False,
        )
    url = admin.set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    database.upgrade()
    database.dispose()
    yield url
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run (per worker); each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "bot.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        # Copying a migrated file costs a fifth of migrating one; `db` still runs the (now empty) upgrade.
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "bot.db")
        return f"sqlite:///{tmp_path}/bot.db"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        # This worker's database: whatever still holds it is a thread the previous test left behind
        # (a lazy listener, a Home drawing); its locks would deadlock the TRUNCATE.
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(joined_channels={REVIEW_CHANNEL, ANNOUNCE_CHANNEL, "C0GENERAL"}).start()
    fake.add_user(MEMBER, "Jane Doe", tz="Europe/Madrid")
    fake.add_user(TSC, "Tess Council", tz="America/New_York")
    fake.add_user(OTHER, "Olek Other", tz="Asia/Kolkata")
    yield fake
    fake.stop()


def make_settings(database_url: str, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_app_token": "",
        "slack_api_url": api_url,
        "database_url": database_url,
        "review_channel": REVIEW_CHANNEL,
        "announce_channel": ANNOUNCE_CHANNEL,
        "tsc_user_ids": [TSC],
        "required_contributions": 4,
        "timezone": "UTC",
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Bot:
    """The bot running behind a real HTTP server, with the fake Slack it talks to."""

    deps: Deps
    slack: SlackRequests
    fake: FakeSlack
    clock: Clock
    url: str

    @property
    def db(self) -> Database:
        return self.deps.db

    @property
    def settings(self) -> Settings:
        return self.deps.settings


@pytest.fixture
def make_bot(db: Database, clock: Clock, fake_slack: FakeSlack) -> Iterator[Callable[..., Bot]]:
    servers: list[BackgroundServer] = []
    apps: list[App] = []

    def start(**overrides: Any) -> Bot:
        settings = make_settings(db.url, fake_slack.url, **overrides)
        deps = Deps(settings=settings, db=db, clock=clock)
        app = create_app(deps)
        apps.append(app)
        server = BackgroundServer(wsgi_app(app, db)).start()
        servers.append(server)
        url = server.url
        return Bot(
            deps, SlackRequests(url, response_url_base=fake_slack.response_url_base), fake_slack, clock, url
        )

    yield start
    for server in servers:
        server.stop()
    # What Bolt runs after acknowledging (a DM sent right away, a lazy listener) ends here, before the
    # test's database goes: otherwise it runs on into the next test on this worker.
    for app in apps:
        app.listener_runner.listener_executor.shutdown(wait=True)


@pytest.fixture
def bot(make_bot: Callable[..., Bot]) -> Bot:
    return make_bot()
