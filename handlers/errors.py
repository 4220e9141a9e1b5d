"""The one error path: log with context, tell the member politely, keep serving."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import Deps
from bot.blocks import general as general_blocks

log = logging.getLogger("handlers.errors")


def describe(body: dict[str, Any]) -> dict[str, Any]:
    """What happened, for the log: never tokens, never the whole payload."""
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    detail = (
        body.get("command")
        or (body.get("view") or {}).get("callback_id")
        or ",".join(a.get("action_id", "") for a in body.get("actions") or [])
        or (body.get("event") or {}).get("type")
    )
    return {"user": user, "kind": kind, "what": detail}


class StickyAck(Ack):
    """An `ack` whose answer, once given, stays given.

    When a listener raises after acknowledging, Bolt's thread runner sets `ack.response` back to None;
    if its 10 ms poll has not read the answer yet, the request ends in a 404 after 3 s and Slack shows
    the member "dispatch_failed" on top of our apology. The acknowledgement was sent in spirit: keep it.
    """

    @property
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and getattr(self, "_response", None) is not None:
            return
        self._response = value


def register(app: App, deps: Deps) -> None:
    @app.middleware
    def sticky_ack(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context["ack"] = StickyAck()
        return next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any], client: WebClient) -> BoltResponse | None:
        where = describe(body)
        if isinstance(error, SlackApiError):
            log.error("Slack Web API error %s during %s", error.response.get("error"), where)
        else:
            log.exception("unhandled error during %s", where, exc_info=error)
        apologize(client, body)
        return None


def apologize(client: WebClient, body: dict[str, Any]) -> None:
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    response_url = body.get("response_url") or next(
        (r.get("response_url") for r in body.get("response_urls") or []), None
    )
    try:
        if response_url:
            from slack_sdk.webhook import WebhookClient

            WebhookClient(response_url).send(text=general_blocks.APOLOGY, response_type="ephemeral")
        elif user and body.get("type") != "event_callback":
            client.chat_postMessage(channel=user, text=general_blocks.APOLOGY)
    except Exception:
        log.warning("could not tell %s about the error either", user, exc_info=True)
