"""Statements of the busiest path, run on the unit of work's own DB-API cursor.

`/ambassador log` runs three statements while it holds SQLite's write turn. Measured with
`bench/log_cpu.py`, SQLAlchemy's execution layer around them (its execution context, its cache
lookups, its result object) was most of what the log cost over a bare logging command: with two of
the three (the member's standing and the audit record) run this way, the log's CPU per request went
from 1.07-1.10x the floor's to 1.00-1.04x, on SQLite and on PostgreSQL. `Connection.exec_driver_sql`
instead saved only a fifth of that: the execution layer is the cost, not the compiling.

What is kept from SQLAlchemy is everything that decides what reaches the database and what comes
back: the statement is built with Core and compiled by the dialect, and every value goes through its
column type's own bind and result processors, so what is stored (dates and times as SQLite text,
JSON) is exactly what the ORM stores and reads everywhere else. What is skipped is the execution
layer only: engine execution events, the compiled cache and the result object. A DB-API error is
raised as SQLAlchemy's own exception (`IntegrityError`, `OperationalError`, ...), and a connection
the database dropped is invalidated, as SQLAlchemy does.

Only statements whose every value is given at each call qualify: an INSERT must name every column
that has a Python-side default (those are SQLAlchemy's execution layer's job), and no parameter may
expand into a list (`IN`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Prepared:
    compiled: SQLCompiler
    sql: str
    bind_processors: dict[str, Processor]
    positions: tuple[str, ...] | None  # the parameters' order for a positional paramstyle (SQLite's `?`)


class DirectStatement:
    """A Core SELECT or INSERT compiled once per dialect and run straight on the DB-API cursor of the
    connection it is given, inside that connection's transaction.

    `column_keys` (an INSERT): the columns given at every call; all the others are left to the
    database (the primary key, server defaults).
    """

    def __init__(self, statement: Select[Any] | Insert, column_keys: Sequence[str] | None = None) -> None:
        if isinstance(statement, Insert):
            _check_insert(statement, column_keys or ())
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        # Per dialect and driver: each compiles its own SQL (placeholders, casts) and types.
        self._prepared: dict[tuple[str, str, str], _Prepared] = {}
        self._result_processors: dict[tuple[str, str, str], list[Processor | None]] = {}
        self._lock = threading.Lock()

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement; the rows it returns, each value as its column's type reads it."""
        if not isinstance(self.statement, Select):
            raise TypeError("only a SELECT returns rows here; run an INSERT with `execute`")
        rows, description = self._run(connection, parameters, fetch=True)
        processors = self._result_processors_for(connection.dialect, description)
        if not any(processors):
            return [tuple(row) for row in rows]
        return [
            tuple(
                value if process is None else process(value)
                for process, value in zip(processors, row, strict=True)
            )
            for row in rows
        ]

    def one_or_none(self, connection: Connection, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The single row, or None; more than one row is a mistake in the statement (ValueError)."""
        rows = self.rows(connection, parameters)
        if len(rows) > 1:
            raise ValueError(f"{len(rows)} rows where at most one was expected")
        return rows[0] if rows else None

    def execute(self, connection: Connection, parameters: Mapping[str, Any]) -> None:
        """Run a statement that returns no rows (an INSERT)."""
        self._run(connection, parameters, fetch=False)

    def _prepare(self, dialect: Dialect) -> _Prepared:
        key = _dialect_key(dialect)
        prepared = self._prepared.get(key)
        if prepared is not None:
            return prepared
        with self._lock:
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = self._prepared[key] = _compile(self.statement, self.column_keys, dialect)
        return prepared

    def _run(
        self, connection: Connection, parameters: Mapping[str, Any], fetch: bool
    ) -> tuple[list[Any], Sequence[Any] | None]:
        dialect = connection.dialect
        prepared = self._prepare(dialect)
        values = prepared.compiled.construct_params(dict(parameters))
        for name, process in prepared.bind_processors.items():
            values[name] = process(values[name])
        bound: Any = (
            values if prepared.positions is None else tuple(values[name] for name in prepared.positions)
        )
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None  # checked out: `connection.connection` raises otherwise
        dbapi_error = dialect.loaded_dbapi.Error
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(prepared.sql, bound)
            if fetch:
                return list(cursor.fetchall()), cursor.description
            return [], None
        except dbapi_error as exc:
            dropped = dialect.is_disconnect(exc, dbapi_connection, cursor)
            if dropped:
                connection.invalidate(exc)
            raise DBAPIError.instance(
                prepared.sql,
                bound,
                exc,
                dbapi_error,
                hide_parameters=connection.engine.hide_parameters,
                connection_invalidated=dropped,
                dialect=dialect,
            ) from exc
        finally:
            if not connection.invalidated:
                cursor.close()

    def _result_processors_for(
        self, dialect: Dialect, description: Sequence[Any] | None
    ) -> list[Processor | None]:
        key = _dialect_key(dialect)
        processors = self._result_processors.get(key)
        if processors is None:
            assert isinstance(self.statement, Select)
            columns = list(self.statement.selected_columns)
            codes = [entry[1] for entry in description] if description else [None] * len(columns)
            processors = [
                column.type.dialect_impl(dialect).result_processor(dialect, code)
                for column, code in zip(columns, codes, strict=True)
            ]
            self._result_processors[key] = processors
        return processors


def _dialect_key(dialect: Dialect) -> tuple[str, str, str]:
    return (dialect.name, dialect.driver, dialect.paramstyle)


def _compile(statement: Select[Any] | Insert, column_keys: list[str] | None, dialect: Dialect) -> _Prepared:
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    assert isinstance(compiled, SQLCompiler)
    processors: dict[str, Processor] = {}
    for bind, name in compiled.bind_names.items():
        if bind.expanding or bind.literal_execute:
            raise ValueError(f"parameter {name!r} is rendered at execution time; run it through SQLAlchemy")
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    positions = tuple(compiled.positiontup or ()) if compiled.positional else None
    return _Prepared(compiled, compiled.string, processors, positions)


def _check_insert(statement: Insert, column_keys: Sequence[str]) -> None:
    given = set(column_keys)
    left_out = sorted(
        column.key
        for column in statement.table.columns
        if column.key not in given and (column.default is not None or column.onupdate is not None)
    )
    if left_out:
        raise ValueError(
            f"an INSERT run directly must give the columns with Python-side defaults: {left_out}"
        )
