"""The program's fixed words are written into SQL as constants, so SQLite plans a busy statement once.

SQLite compiles a statement again at every execution when a bound parameter is compared with a column
a partial index is limited by (`terms.status`, `contributions.review_state`, `applications.status`).
SQLite calls a connection's authorizer while it compiles a statement, never while it runs one: the
number of calls tells how often a statement was compiled.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Executable, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.services.members import STANDING_QUERY, member_and_standing
from bot.store.constants import ACTIVE_TERM, constant
from bot.store.db import Database
from bot.store.models import Term
from tests.conftest import MEMBER
from tests.helpers.factories import add_contribution, enrol

TODAY = date(2026, 11, 2)


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copyfile(sqlite_template, tmp_path / "bot.db")
    database = Database(f"sqlite:///{tmp_path}/bot.db", request_path=True)
    yield database
    database.dispose()


def compilations(connection: Connection, run: Callable[[], Any]) -> int:
    """How many times SQLite compiled a statement while `run` ran on `connection`, the second time:
    setting an authorizer expires the connection's compiled statements, so the first run compiles."""
    calls = 0

    def authorizer(*_: Any) -> int:
        nonlocal calls
        calls += 1
        return 0  # SQLITE_OK

    raw = connection.connection.driver_connection
    assert raw is not None
    raw.set_authorizer(authorizer)
    try:
        run()
        calls = 0
        run()
    finally:
        raw.set_authorizer(None)
    return calls


def test_a_constant_is_a_plain_word_written_into_the_sql() -> None:
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert str(constant("active").compile(dialect=dialect)) == "'active'"
    for word in ("", "Active", "it's", "active; DROP TABLE terms", "needs info"):
        with pytest.raises(ValueError):
            constant(word)


def test_the_standing_query_binds_only_the_member_and_the_day() -> None:
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        compiled = STANDING_QUERY.statement.compile(dialect=dialect)
        words = {value for value in compiled.params.values() if isinstance(value, str)}
        assert words == set(), (dialect.name, compiled.params)
        assert {"slack_user_id", "today"} <= set(compiled.params)


def test_the_standing_is_compiled_once_however_often_members_log(sqlite_db: Database) -> None:
    member_id = enrol(sqlite_db, MEMBER, date(2026, 1, 10))
    enrol(sqlite_db, "U0OTHER01", date(2026, 3, 1), "Someone Else")
    add_contribution(sqlite_db, member_id, date(2026, 2, 1))
    with sqlite_db.statements() as connection:
        first = member_and_standing(connection, MEMBER, TODAY, 4)
        again = compilations(
            connection,
            lambda: [
                member_and_standing(connection, user, TODAY, 4) for user in (MEMBER, "U0OTHER01", MEMBER)
            ],
        )
    assert first is not None and first.progress is not None and first.progress.counted == 1
    assert again == 0


def test_sqlite_compiles_again_when_a_partial_index_column_is_bound(sqlite_db: Database) -> None:
    """The behaviour the constants avoid, kept as a check of SQLite itself: should a later SQLite
    plan bound statements once, the constants would no longer be needed."""
    enrol(sqlite_db, MEMBER, date(2026, 1, 10))

    def count(condition: Any) -> Executable:
        return select(func.count(Term.id)).where(condition)

    bound = count(Term.status == bindparam("status"))
    written = count(ACTIVE_TERM)
    with sqlite_db.statements() as connection:
        connection.execute(bound, {"status": "active"})
        connection.execute(written)
        assert compilations(connection, lambda: connection.execute(bound, {"status": "active"})) > 0
        assert compilations(connection, lambda: connection.execute(written)) == 0
