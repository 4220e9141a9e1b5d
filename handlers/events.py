"""Events API retries (`X-Slack-Retry-Num`) and replays: acknowledged, and acted on only once.

Bolt does not deduplicate events, so this middleware runs before any event listener: an `event_id`
already recorded gets a plain 200 and no listener runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from sqlalchemy.exc import SQLAlchemyError

from bot.services import processed_events
from bot.slack.deps import Deps

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


class OncePerEvent(Middleware):
    """`once_per_event` before every listener. A `Middleware` rather than a bound function: Bolt
    calls it as is, where a function middleware has its arguments looked up by name on every request
    (commands and clicks included, which it only passes on)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        return once_per_event(req.body, next, deps=self.deps)


def register(app: App, deps: Deps) -> None:
    app.middleware(OncePerEvent(deps))
