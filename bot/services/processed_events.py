"""Events API deliveries seen before, by `event_id`: retries and replays are acted on once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.store.db import Database
from bot.store.models import ProcessedEvent

# Slack retries an unanswered event three times within about an hour; a day covers it with room.
KEEP_FOR = timedelta(days=1)


def first_delivery(db: Database, event_id: str, event_type: str, now: datetime) -> bool:
    """Record the event and say whether this is the first time it arrives (True: act on it).

    Rows older than KEEP_FOR go in the same transaction, so the table stays small without a job.
    """
    try:
        with db.transaction() as session:
            if session.scalar(select(ProcessedEvent.event_id).where(ProcessedEvent.event_id == event_id)):
                return False
            session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < now - KEEP_FOR))
            session.add(ProcessedEvent(event_id=event_id, event_type=event_type[:64], received_at=now))
    except IntegrityError:
        return False  # the same event, delivered twice at once: the other delivery recorded it first
    return True
