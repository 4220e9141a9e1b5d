"""Events API retries (`X-Slack-Retry-Num`) and replays: acknowledged, and acted on only once.

Bolt does not deduplicate events, so this middleware runs before any event listener: an `event_id`
already recorded gets a plain 200 and no listener runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.services import processed_events
from bot.slack.deps import Deps
from handlers.common import bind

log = logging.getLogger(__name__)


def once_per_event(body: dict[str, Any], next: Callable[[], BoltResponse], *, deps: Deps) -> BoltResponse:
    if body.get("type") != "event_callback":
        return next()
    event_id = body.get("event_id")
    event = body.get("event")
    if not isinstance(event_id, str) or not event_id or len(event_id) > 64 or not isinstance(event, dict):
        log.warning("an event without a usable event_id or event; acknowledged and ignored")
        return BoltResponse(status=200, body="")
    try:
        first = processed_events.first_delivery(deps.db, event_id, str(event.get("type") or ""), deps.now())
    except SQLAlchemyError as exc:
        # Without the database the listeners cannot do anything either; Slack need not retry.
        log.error("event %s not handled: database unavailable (%s)", event_id, exc.__class__.__name__)
        return BoltResponse(status=200, body="")
    if not first:
        log.info("event %s (%s) already handled; this delivery is ignored", event_id, event.get("type"))
        return BoltResponse(status=200, body="")
    return next()


def register(app: App, deps: Deps) -> None:
    app.middleware(bind(once_per_event, deps=deps))
