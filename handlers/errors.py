"""The one error path: log with context, tell the member politely, keep serving."""

from __future__ import annotations

import json
import logging
import socket
import threading
import urllib.error
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.blocks import general as general_blocks
from bot.blocks import kit
from bot.slack.deps import Deps

log = logging.getLogger("handlers.errors")


def describe(body: dict[str, Any]) -> dict[str, Any]:
    """What happened, for the log: never tokens, never the whole payload (which may be malformed)."""

    def field(value: Any, key: str) -> Any:
        return value.get(key) if isinstance(value, dict) else None

    user = body.get("user_id") or field(body.get("user"), "id")
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    actions = body.get("actions")
    detail = (
        body.get("command")
        or field(body.get("view"), "callback_id")
        or ",".join(str(field(a, "action_id") or "") for a in (actions if isinstance(actions, list) else []))
        or field(body.get("event"), "type")
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


class StickyAckFirst(Middleware):
    """Gives every request a `StickyAck` before any listener runs. A `Middleware` rather than a
    function: Bolt calls it as is, where a function middleware has its arguments looked up by name on
    every request (it runs on all of them)."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.context["ack"] = StickyAck()
        return next()


def on_error(
    error: Exception, body: dict[str, Any], client: WebClient, response: BoltResponse | None
) -> BoltResponse | None:
    where = describe(body)
    if isinstance(error, SlackApiError):
        log.error("Slack Web API error %s during %s", error.response.get("error"), where)
    elif database_unavailable(error):
        log.error("database unavailable during %s: %s", where, one_line(error))
    elif slack_unreachable(error):
        log.error("Slack did not answer in time during %s: %s", where, one_line(error))
    else:
        log.exception("unhandled error during %s", where, exc_info=error)
    if response is not None and body.get("type") != "event_callback":
        # Not acknowledged yet: the answer itself tells the member, with HTTP 200.
        return early_answer(error, body, client)
    if response is None:
        apologize(client, body, what_went_wrong(error))
    return None


SLACK_BUSY_ERRORS = {"ratelimited", "service_unavailable", "request_timeout"}


def one_line(error: BaseException) -> str:
    return f"{error.__class__.__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:300]


def database_unavailable(error: BaseException) -> bool:
    """The database is gone, locked or too slow (not a bug in a query): the member may try again."""
    if isinstance(error, PoolTimeout | OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def slack_unreachable(error: BaseException) -> bool:
    return isinstance(error, TimeoutError | socket.timeout | urllib.error.URLError | ConnectionError)


def what_went_wrong(error: BaseException) -> str:
    if database_unavailable(error):
        return general_blocks.DATABASE_BUSY
    if slack_unreachable(error) or (
        isinstance(error, SlackApiError)
        and (error.response.status_code >= 500 or error.response.get("error") in SLACK_BUSY_ERRORS)
    ):
        return general_blocks.SLACK_SLOW
    if isinstance(error, KeyError | TypeError | AttributeError):
        # A payload missing a field Slack normally sends (`user`, `view.state`...).
        return general_blocks.INCOMPLETE_REQUEST
    return general_blocks.APOLOGY


def early_answer(error: Exception, body: dict[str, Any], client: WebClient) -> BoltResponse:
    """The acknowledgement for a request whose listener failed before acknowledging it."""
    text = what_went_wrong(error)
    if "command" in body:
        payload = {"response_type": "ephemeral", **kit.message(text, [kit.section(text)])}
        return json_response(payload)
    view = body.get("view") or {}
    if body.get("type") == "view_submission" and isinstance(view, dict):
        # Keep the member's typed values: the message goes under the form's first input.
        first_input = next(
            (
                block.get("block_id")
                for block in view.get("blocks") or []
                if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id")
            ),
            None,
        )
        if first_input:
            return json_response({"response_action": "errors", "errors": {str(first_input): text}})
    # A click: acknowledge now, tell the member without holding the answer back.
    threading.Thread(target=apologize, args=(client, body, text), daemon=True).start()
    return BoltResponse(status=200, body="")


def json_response(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200, body=json.dumps(payload), headers={"content-type": "application/json;charset=utf-8"}
    )


def apologize(client: WebClient, body: dict[str, Any], text: str = general_blocks.APOLOGY) -> None:
    user_field = body.get("user")
    user = body.get("user_id") or (user_field.get("id") if isinstance(user_field, dict) else None)
    response_urls = body.get("response_urls")
    response_url = body.get("response_url") or next(
        (
            r.get("response_url")
            for r in (response_urls if isinstance(response_urls, list) else [])
            if isinstance(r, dict)
        ),
        None,
    )
    try:
        if isinstance(response_url, str) and response_url:
            WebhookClient(response_url, timeout=5).send(text=text, response_type="ephemeral")
        elif isinstance(user, str) and user and body.get("type") != "event_callback":
            client.chat_postMessage(channel=user, text=text)
    except Exception:
        log.warning("could not tell %s about the error either", user, exc_info=True)


def register(app: App, deps: Deps) -> None:
    app.middleware(StickyAckFirst())
    app.error(on_error)
