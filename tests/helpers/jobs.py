"""Shared set-up for the jobs' tests: a job context on the test database and the fake Slack."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.slack.client import jobs_client
from bot.store.db import Database
from bot.store.models import OutboxMessage
from jobs.runner import JobContext
from tests.conftest import make_settings
from tests.fakes.slack import FakeSlack


def job_context(db: Database, fake: FakeSlack, **overrides: Any) -> JobContext:
    """Unpaced unless a test asks for pacing; a short client timeout so slow answers stay fast."""
    settings = make_settings(db.url, fake.url, **{"send_rate_per_second": 0, **overrides})
    return JobContext.create(settings, db, client=jobs_client(settings, timeout=1))


def outbox(db: Database, kind: str | None = None) -> list[OutboxMessage]:
    with db.transaction() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def at(iso: str) -> datetime:
    value = datetime.fromisoformat(iso)
    assert value.tzinfo is not None, "give tests an explicit offset"
    return value


def dm_texts(fake: FakeSlack, user_id: str) -> list[str]:
    return [message.text for message in fake.messages_in("D" + user_id[1:])]


def buttons(blocks: list[dict[str, Any]] | None) -> dict[str, str]:
    """{action_id: value} of every button in these blocks."""
    found = {}
    for block in blocks or []:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if element.get("type") == "button":
                found[element["action_id"]] = element.get("value", "")
    return found
