"""Statements run straight on the DB-API cursor (`bot.store.direct`) store and read exactly what
SQLAlchemy's own execution stores and reads, and fail with SQLAlchemy's exceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.services.members import INSERT_AUDIT, STANDING_QUERY, insert_audit, member_and_standing
from bot.store.db import Database
from bot.store.direct import DirectStatement
from bot.store.models import AuditEvent, Contribution, Member
from tests.conftest import MEMBER
from tests.helpers.factories import add_contribution, add_member, enrol

TODAY = date(2026, 11, 2)
AT = datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=UTC)
DETAILS: dict[str, Any] = {
    "title": "Talk: «AsyncAPI» in 🇪🇸, \"quoted\" and 'single'",
    "impact": {"reach": 1200, "tags": ["events", None, 2.5]},
    "date": "2026-11-01",
}
COLUMNS = "at, actor, action, member_id, details"


def stored_audit(db: Database, action: str) -> tuple[Any, ...]:
    """The row as the database holds it (SQLite: the text SQLAlchemy wrote), without SQLAlchemy's types."""
    with db.engine.connect() as connection:
        row = connection.execute(
            text(f"SELECT {COLUMNS} FROM audit_events WHERE action = :action"), {"action": action}
        ).one()
    return tuple(row)


def test_an_audit_record_is_stored_exactly_as_sqlalchemy_stores_it(db: Database) -> None:
    member_id = add_member(db, MEMBER)
    values = {"at": AT, "actor": MEMBER, "member_id": member_id, "details": DETAILS}
    with db.statements() as connection:
        insert_audit(connection, MEMBER, "direct", member_id, at=AT, **DETAILS)
        connection.execute(
            insert(cast(Table, AuditEvent.__table__)), {**values, "action": "through-sqlalchemy"}
        )
    direct, through_sqlalchemy = stored_audit(db, "direct"), stored_audit(db, "through-sqlalchemy")
    assert direct[:2] + direct[3:] == through_sqlalchemy[:2] + through_sqlalchemy[3:]
    with db.read_only() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "direct")).one()
    assert (event.at, event.actor, event.member_id, event.details) == (AT, MEMBER, member_id, DETAILS)


def test_the_standing_reads_what_sqlalchemy_reads(db: Database) -> None:
    member_id = enrol(db, MEMBER, date(2026, 1, 10))
    add_contribution(db, member_id, date(2026, 2, 1))
    add_contribution(db, member_id, date(2026, 12, 1))  # upcoming: not counted yet
    add_member(db, "U0CANDIDATE")  # no term: the outer join's NULLs
    statement = STANDING_QUERY.statement
    with db.read_only() as session:
        connection = session.connection()
        for user in (MEMBER, "U0CANDIDATE", "U0NOBODY"):
            parameters = {"slack_user_id": user, "today": TODAY}
            expected = connection.execute(statement, parameters).one_or_none()
            got = STANDING_QUERY.one_or_none(connection, parameters)
            assert got == (tuple(expected) if expected is not None else None), user
        standing = member_and_standing(connection, MEMBER, TODAY, 4)
    assert standing is not None and standing.term is not None and standing.progress is not None
    assert (standing.term.start, standing.progress.counted) == (date(2026, 1, 10), 1)
    assert isinstance(standing.term.end, date)


def test_a_broken_constraint_is_sqlalchemys_integrity_error_and_nothing_is_kept(db: Database) -> None:
    member_id = add_member(db, MEMBER)
    with pytest.raises(IntegrityError), db.statements() as connection:
        insert_audit(connection, MEMBER, "kept-if-not-rolled-back", member_id, at=AT)
        insert_audit(connection, MEMBER, "no-such-member", 999_999, at=AT)
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar() == 0
    with db.statements() as connection:  # the connection went back to the pool usable
        insert_audit(connection, MEMBER, "after", member_id, at=AT)
    assert stored_audit(db, "after")[2] == "after"


def test_an_insert_must_give_every_column_sqlalchemy_would_fill_in() -> None:
    with pytest.raises(ValueError, match="review_round"):
        DirectStatement(insert(cast(Table, Contribution.__table__)), column_keys=("member_id", "title"))
    assert INSERT_AUDIT.column_keys == ["at", "actor", "action", "member_id", "details"]


def test_parameters_rendered_at_execution_time_are_refused(db: Database) -> None:
    listed = DirectStatement(select(Member.id).where(Member.id.in_(bindparam("ids", expanding=True))))
    with db.read_only() as session, pytest.raises(ValueError, match="ids"):
        listed.rows(session.connection(), {"ids": [1, 2]})


def test_more_rows_than_one_is_a_mistake(db: Database) -> None:
    add_member(db, "U0FIRST")
    add_member(db, "U0SECOND")
    every_member = DirectStatement(select(Member.slack_user_id).order_by(Member.slack_user_id))
    with db.read_only() as session:
        connection = session.connection()
        assert every_member.rows(connection, {}) == [("U0FIRST",), ("U0SECOND",)]
        with pytest.raises(ValueError, match="2 rows"):
            every_member.one_or_none(connection, {})


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite has no server to drop it
def test_a_connection_postgresql_dropped_is_invalidated_and_not_reused(db: Database) -> None:
    member_id = add_member(db, MEMBER)
    with pytest.raises(OperationalError) as raised, db.statements() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        try:
            insert_audit(connection, MEMBER, "lost", member_id, at=AT)
        finally:
            invalidated = connection.invalidated
    assert raised.value.connection_invalidated and invalidated
    with db.statements() as connection:
        insert_audit(connection, MEMBER, "on-a-new-connection", member_id, at=AT)
    assert stored_audit(db, "on-a-new-connection")[2] == "on-a-new-connection"


def test_an_insert_returns_no_rows_and_is_not_run_when_asked_for_some(db: Database) -> None:
    member_id = add_member(db, MEMBER)
    with db.statements() as connection, pytest.raises(TypeError, match="execute"):
        INSERT_AUDIT.rows(
            connection, {"at": AT, "actor": MEMBER, "action": "x", "member_id": member_id, "details": {}}
        )
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar() == 0
