"""Sending requests to the bot the way Slack does: signed, in Slack's wire formats and payload shapes.

Shapes follow Slack's documentation and the samples in tests/data/slack/.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = {"id": "T111", "domain": "example-community"}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode()


class SlackRequests:
    """Signed HTTP requests to the bot's `/slack/events` endpoint."""

    def __init__(
        self, base_url: str, signing_secret: str = SIGNING_SECRET, response_url_base: str = ""
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signing_secret = signing_secret
        self.response_url_base = response_url_base
        self._counter = 0

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
    ) -> Response:
        timestamp = int(time.time()) if timestamp is None else timestamp
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature or sign(self.signing_secret, timestamp, body),
            **(headers or {}),
        }
        request = urllib.request.Request(self.base_url + path, data=body, headers=all_headers, method="POST")
        return self._send(request)

    def get(self, path: str) -> Response:
        return self._send(urllib.request.Request(self.base_url + path, method="GET"))

    @staticmethod
    def _send(request: urllib.request.Request) -> Response:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Response(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), dict(error.headers))

    def next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:06d}"

    # --- the three wire formats -----------------------------------------------------------------

    def command(
        self,
        text: str,
        user_id: str = "U0MEMBER",
        *,
        user_name: str = "jane.doe",
        channel_id: str = "C0GENERAL",
        trigger_id: str | None = None,
        **overrides: Any,
    ) -> Response:
        """A slash command: `application/x-www-form-urlencoded`, as in slash_command_ambassador_log.form.txt."""
        fields = {
            "token": "verification_token",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_name,
            "command": "/ambassador",
            "text": text,
            "api_app_id": "A111",
            "is_enterprise_install": "false",
            "response_url": f"{self.response_url_base}commands/T111/{self.next_id('')}/xxxxx",
            "trigger_id": trigger_id or self.next_id("111.222."),
            **overrides,
        }
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict[str, Any]) -> Response:
        """Interactivity: a form body with one `payload` field of JSON."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None
    ) -> Response:
        """An Events API callback: a JSON body (event_app_home_opened.json)."""
        envelope = {
            "token": "verification_token",
            "team_id": TEAM["id"],
            "api_app_id": "A111",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self.next_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM["id"],
                    "user_id": "U0BOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(json.dumps(envelope).encode(), "application/json", headers=headers)

    # --- interactivity payloads -----------------------------------------------------------------

    def click(
        self,
        action_id: str,
        user_id: str,
        *,
        value: str = "",
        message: dict[str, Any] | None = None,
        channel_id: str = "C0REVIEW",
        view: dict[str, Any] | None = None,
        block_id: str = "actions",
    ) -> Response:
        """A button click (block_actions), in a message (default) or in a view (App Home or modal)."""
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "text": {"type": "plain_text", "text": action_id, "emoji": True},
            "type": "button",
            "action_ts": f"{time.time():.6f}",
        }
        if value:
            action["value"] = value
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": TEAM["id"],
            },
            "api_app_id": "A111",
            "token": "verification_token",
            "trigger_id": self.next_id("111.333."),
            "team": TEAM,
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
            "actions": [action],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V0HOME")}
            payload["view"] = view
        else:
            message = message or {"type": "message", "ts": "1700000000.000100", "text": "", "blocks": []}
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": "channel"}
            payload["message"] = message
            payload["response_url"] = f"{self.response_url_base}actions/T111/{self.next_id('')}/xxxxx"
        return self.interactive(payload)

    def submit_view(
        self,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]],
        user_id: str,
    ) -> Response:
        """A modal submitted (view_submission), as in view_submission_log_contribution.json.

        `view` is the view the bot opened (as the fake stored it); `values` is `state.values`.
        """
        payload = {
            "type": "view_submission",
            "team": TEAM,
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": TEAM["id"],
            },
            "api_app_id": "A111",
            "token": "verification_token",
            "trigger_id": self.next_id("111.444."),
            "view": {
                "id": view.get("id", "V111"),
                "team_id": TEAM["id"],
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view.get("private_metadata", ""),
                "title": view["title"],
                "blocks": view["blocks"],
                "state": {"values": values},
                "hash": "1596530361.3wRYuk3R",
                "clear_on_close": False,
                "notify_on_close": False,
                "previous_view_id": None,
                "root_view_id": view.get("id", "V111"),
                "app_id": "A111",
                "external_id": "",
                "app_installed_team_id": TEAM["id"],
                "bot_id": "B111",
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.interactive(payload)


# --- state.values, as Slack fills them for each element type ------------------------------------


def text_value(value: str | None, kind: str = "plain_text_input") -> dict[str, Any]:
    return {"value": {"type": kind, "value": value}}


def select_value(value: str | None, label: str = "") -> dict[str, Any]:
    option = (
        None
        if value is None
        else {"text": {"type": "plain_text", "text": label or value, "emoji": True}, "value": value}
    )
    return {"value": {"type": "static_select", "selected_option": option}}


def date_value(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "datepicker", "selected_date": value}}


def number_value(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "number_input", "value": value}}


def user_value(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "users_select", "selected_user": value}}
