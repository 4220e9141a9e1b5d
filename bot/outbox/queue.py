"""The outbox: messages that must reach Slack exactly once, written in the same transaction as the
change that causes them, and delivered by `bot.outbox.sender`.

Each message has a unique `key` naming what it is for whom and when (`reminder:U123:2027-03`,
`welcome:application:42`); enqueueing the same key again does nothing, so a job that runs twice,
catches up after downtime, or runs on several replicas at once creates each message once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.rules.report import Series
from bot.store.models import OutboxMessage, OutboxStatus

# A row of this kind posts a file, not a message: its `blocks` hold what to draw (`chart_content`),
# and, once uploaded, the file's id (bot.outbox.files; the steps in docs/outbox.md).
CHART_KIND = "chart"


def enqueue(
    session: Session,
    *,
    key: str,
    kind: str,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | dict[str, Any] | None = None,
    member_id: int | None = None,
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Insert the message unless one with this key exists; True when this call inserted it.

    It is due at `not_before`, or at `now` (the caller's clock, so tests and `--now` runs agree).
    """
    values = {
        "key": key,
        "kind": kind,
        "channel": channel,
        "text": text,
        "blocks": blocks,
        "member_id": member_id,
        "status": OutboxStatus.PENDING,
        "next_attempt_at": not_before or now,
        "attempts": 0,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = (
            pg_insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
        )
    elif dialect == "sqlite":
        statement = (
            sqlite_insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
        )
    else:  # pragma: no cover - other databases are not supported
        statement = insert(OutboxMessage).values(**values)
    # RETURNING says whether this call inserted: psycopg's rowcount for this statement is not reliable.
    return session.scalar(statement.returning(OutboxMessage.id)) is not None


def enqueue_many(session: Session, messages: Sequence[Mapping[str, Any]], *, now: datetime) -> None:
    """`enqueue` for many messages in one statement (a job's whole batch); keys already queued are
    skipped the same way. Each message has `key`, `kind`, `channel`, `text`, and optionally
    `blocks`, `member_id` and `not_before`."""
    if not messages:
        return
    rows = [
        {
            "key": message["key"],
            "kind": message["kind"],
            "channel": message["channel"],
            "text": message["text"],
            "blocks": message.get("blocks"),
            "member_id": message.get("member_id"),
            "status": OutboxStatus.PENDING,
            "next_attempt_at": message.get("not_before") or now,
            "attempts": 0,
            "created_at": now,
        }
        for message in messages
    ]
    session.execute(_insert_or_ignore(session), rows)


def _insert_or_ignore(session: Session) -> Any:
    # On the table, not the mapped class: a plain executemany, without the ORM's bulk bookkeeping.
    table = cast(Table, OutboxMessage.__table__)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(table).on_conflict_do_nothing(index_elements=["key"])
    if dialect == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing(index_elements=["key"])
    return insert(table)  # pragma: no cover - other databases are not supported


def replace_waiting(session: Session, *, kind: str, newer: Mapping[str, str]) -> int:
    """Cancel messages of `kind` still waiting to be sent to the channels in `newer` ({channel: the
    key of the message that replaces them}): a newer message takes the place of one not sent yet
    (a pace reminder waiting for the member's daytime when next month's is queued), so nobody gets
    two at once. Messages being posted right now are left alone. Returns how many were cancelled."""
    if not newer:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == kind,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.channel.in_(list(newer)),
            OutboxMessage.key.not_in(list(newer.values())),
        )
        .values(status=OutboxStatus.CANCELLED, error="replaced by a newer message")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def enqueue_message(
    session: Session,
    *,
    key: str,
    kind: str,
    channel: str,
    payload: Mapping[str, Any],
    now: datetime,
    member_id: int | None = None,
) -> bool:
    """`enqueue` for a message built by `bot.blocks` (its `text` fallback and its blocks)."""
    return enqueue(
        session,
        key=key,
        kind=kind,
        channel=channel,
        text=payload["text"],
        blocks=payload.get("blocks"),
        member_id=member_id,
        now=now,
    )


def chart_content(series: Series, filename: str, alt_text: str) -> dict[str, Any]:
    """What a chart row keeps: the chart's figures, not its picture. The sender draws it when it
    uploads, so a retry draws the same picture from the same figures (and the row stays small)."""
    return {"chart": series.to_json(), "filename": filename, "alt_text": alt_text[:1000], "file_id": None}


def enqueue_chart(
    session: Session,
    *,
    key: str,
    channel: str,
    comment: str,
    series: Series,
    filename: str,
    alt_text: str,
    now: datetime,
) -> bool:
    """Queue a chart to be posted in `channel` with `comment` (a file share: kind `chart`)."""
    return enqueue(
        session,
        key=key,
        kind=CHART_KIND,
        channel=channel,
        text=comment,
        blocks=chart_content(series, filename, alt_text),
        now=now,
    )
