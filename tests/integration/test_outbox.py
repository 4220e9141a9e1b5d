"""Queueing a message: a key is queued once, and the caller is told whether this call queued it."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.outbox.queue import enqueue
from bot.store.db import Database
from bot.store.models import OutboxMessage
from tests.conftest import DEFAULT_NOW


def test_a_key_is_queued_once_and_only_the_first_call_says_it_queued(db: Database) -> None:
    message = {"key": "reminder:U0MEMBER:2026-03", "kind": "reminder", "channel": "U0MEMBER", "text": "hi"}
    with db.transaction() as session:
        assert enqueue(session, now=DEFAULT_NOW, **message) is True
    with db.transaction() as session:
        assert enqueue(session, now=DEFAULT_NOW, **message) is False
        assert session.scalar(select(func.count(OutboxMessage.id))) == 1
