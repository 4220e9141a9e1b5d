"""Events API deliveries: each event acted on once, whatever Slack redelivers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.models import ProcessedEvent


def first_delivery(db: Database, event_id: str, event_type: str, now: datetime) -> bool:
    """True the first time `event_id` is seen; False for Slack's retries of it (`X-Slack-Retry-Num`).

    The primary key decides, so two replicas receiving the same event at once cannot both act on it.
    """
    if not event_id:
        return True  # nothing to recognise it by (Socket Mode test payloads); act on it
    try:
        with db.transaction() as session:
            session.add(ProcessedEvent(event_id=event_id, event_type=event_type, received_at=now))
    except IntegrityError:
        return False
    return True
