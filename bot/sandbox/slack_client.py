"""What Slack does when a person types or clicks: the request it sends the app, and what it does with
the answer.

Each request is built in Slack's wire format (a command as a form body, interactivity as a form body
with one `payload` field of JSON, events as JSON; shapes from Slack's reference pages), signed with
the signing secret, and posted to the bot's real `/slack/events` endpoint, waiting at most Slack's 3
seconds. The answer is then applied as Slack applies it: a command's reply shown to its person only,
a modal's `response_action` (field errors, update, push, clear) or its closing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.sandbox.block_actions import ActionError, action_payload, find_element, state_values
from bot.sandbox.block_kit import SlackError, check_message, check_view
from bot.sandbox.slack_standin import SlackStandin
from bot.sandbox.slack_workspace import BOT_USER_ID, TEAM_ID, Ephemeral, Message

# Slack waits 3 seconds for the app's answer, then tells the person the command failed.
SLACK_TIMEOUT_SECONDS = 3.0
TEAM = {"id": TEAM_ID, "domain": "sandbox"}
APP_ID = "A0SANDBOX"
COMMAND = "/ambassador"
URL = re.compile(r"https?://[^\s<>]+")
MENTION = re.compile(r"(?<![\w<])@([A-Za-z0-9._-]+)")
CHANNEL_MENTION = re.compile(r"(?<![\w<&])#([a-z0-9_-]+)")


@dataclass(frozen=True)
class Answer:
    """The app's answer as Slack received it."""

    status: int
    body: bytes
    error: str = ""  # Slack's word when the app failed to answer (operation_timeout, ...)

    def json(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def escape_command_text(text: str, standin: SlackStandin) -> str:
    """Command text as Slack sends it with `should_escape`: &, < and > escaped, links in <...>,
    `@handle` and `#channel` as entities (docs/slack-text.md)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = URL.sub(lambda match: f"<{match.group(0)}>", escaped)
    handles = {user["name"].lower(): user_id for user_id, user in standin.users.items()}
    channels = {name.lower(): channel_id for channel_id, name in standin.channel_names.items()}

    def person(match: re.Match[str]) -> str:
        user_id = handles.get(match.group(1).lower())
        return f"<@{user_id}|{match.group(1)}>" if user_id else match.group(0)

    def channel(match: re.Match[str]) -> str:
        channel_id = channels.get(match.group(1).lower())
        return f"<#{channel_id}|{match.group(1)}>" if channel_id else match.group(0)

    return CHANNEL_MENTION.sub(channel, MENTION.sub(person, escaped))


class SlackClient:
    """The people of the sandbox, acting through Slack on the bot at `app_url`."""

    def __init__(self, standin: SlackStandin, app_url: str, signing_secret: str) -> None:
        self.standin = standin
        self.events_url = app_url.rstrip("/") + "/slack/events"
        self.signing_secret = signing_secret

    # --- sending ---------------------------------------------------------------------------------

    def post(self, body: bytes, content_type: str) -> Answer:
        timestamp = int(time.time())  # the signature's time is the real one: the bot checks its age
        request = urllib.request.Request(
            self.events_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(timestamp),
                "X-Slack-Signature": sign(self.signing_secret, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=SLACK_TIMEOUT_SECONDS) as response:
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), "dispatch_failed")
        except TimeoutError:
            return Answer(0, b"", "operation_timeout")
        except OSError as error:
            timed_out = "timed out" in str(error)
            return Answer(0, b"", "operation_timeout" if timed_out else "dispatch_failed")

    def interactive(self, payload: dict[str, Any]) -> Answer:
        return self.post(
            urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
        )

    def person(self, user_id: str) -> dict[str, Any]:
        with self.standin.lock:
            user = self.standin.users.get(user_id)
        if user is None:
            raise ActionError(f"There is no person {user_id!r} in this sandbox: pick someone from the list.")
        return {"id": user_id, "username": user["name"], "name": user["name"], "team_id": TEAM_ID}

    def tell(self, user_id: str, channel: str, text: str) -> None:
        """What Slack itself shows a person (Slackbot's grey line), e.g. a command that failed."""
        with self.standin.lock:
            self.standin.ephemerals.append(Ephemeral(channel, user_id, self.standin.next_ts(), text, None))
            self.standin.touch()

    # --- typing ----------------------------------------------------------------------------------

    def command(self, user_id: str, channel: str, text: str) -> Answer:
        """`/ambassador TEXT` typed by `user_id` in `channel`."""
        person = self.person(user_id)
        channel = self.conversation(user_id, channel)
        fields = {
            "token": "sandbox-verification-token",
            "team_id": TEAM_ID,
            "team_domain": TEAM["domain"],
            "channel_id": channel,
            "channel_name": self.channel_name(channel),
            "user_id": user_id,
            "user_name": person["username"],
            "command": COMMAND,
            "text": escape_command_text(text, self.standin),
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.standin.issue_response_url(user_id, channel),
            "trigger_id": self.standin.issue_trigger(user_id),
        }
        answer = self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")
        if answer.error or answer.status != 200:
            self.tell(
                user_id, channel, f'{COMMAND} failed with the error "{answer.error or "dispatch_failed"}"'
            )
            return answer
        reply = answer.json()
        if reply is None and answer.body.strip():
            reply = {"text": answer.body.decode("utf-8", "replace")}
        if reply and (reply.get("text") or reply.get("blocks")):
            self.show_reply(user_id, channel, reply)
        return answer

    def show_reply(self, user_id: str, channel: str, reply: dict[str, Any]) -> None:
        reply.setdefault("text", "")
        try:
            check_message({**reply, "text": reply["text"] or " "})
        except SlackError as exc:
            self.standin.record_refusal("command reply", exc)
            self.tell(user_id, channel, f'{COMMAND} failed with the error "{exc.error}"')
            return
        with self.standin.lock:
            ts = self.standin.next_ts()
            if reply.get("response_type") == "in_channel":
                self.standin.messages.append(Message(channel, ts, reply["text"], reply.get("blocks"), None))
            else:
                self.standin.ephemerals.append(
                    Ephemeral(channel, user_id, ts, reply["text"], reply.get("blocks"))
                )
            self.standin.touch()

    def message(self, user_id: str, channel: str, text: str) -> Answer:
        """A plain message typed in the bot's Messages tab (a `message.im` event)."""
        self.person(user_id)
        channel = self.conversation(user_id, channel)
        if not channel.startswith("D"):
            raise ActionError(
                "Only /ambassador commands reach the bot in a channel; write to it in its Messages tab."
            )
        with self.standin.lock:
            ts = self.standin.next_ts()
            self.standin.messages.append(Message(channel, ts, text, None, None, user=user_id))
            self.standin.touch()
        event = {
            "type": "message",
            "channel": channel,
            "user": user_id,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
            "client_msg_id": self.standin.next_id("msg-"),
        }
        return self.event(event)

    def open_home(self, user_id: str) -> Answer:
        """The person opened the bot's Home tab (`app_home_opened`)."""
        self.person(user_id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.standin.dm_channel(user_id),
            "tab": "home",
            "event_ts": f"{self.standin.clock():.6f}",
        }
        with self.standin.lock:
            home = self.standin.views.get(f"VHOME{user_id}")
        if home is not None:
            event["view"] = home
        return self.event(event)

    def event(self, event: dict[str, Any]) -> Answer:
        envelope = {
            "token": "sandbox-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": self.standin.next_id("Ev0SANDBOX"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self.post(json.dumps(envelope).encode(), "application/json")

    def conversation(self, user_id: str, channel: str) -> str:
        with self.standin.lock:
            if channel == self.standin.dm_channel(user_id):
                self.standin.open_dms.add(channel)
                return channel
            if channel in self.standin.joined_channels or channel in self.standin.other_channels:
                return channel
        raise ActionError(f"There is no channel {channel!r} here for this person.")

    def channel_name(self, channel: str) -> str:
        return (
            "directmessage" if channel.startswith("D") else self.standin.channel_names.get(channel, channel)
        )

    # --- clicking --------------------------------------------------------------------------------

    def base_payload(self, user_id: str) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "user": self.person(user_id),
            "api_app_id": APP_ID,
            "token": "sandbox-verification-token",
            "trigger_id": self.standin.issue_trigger(user_id),
            "team": TEAM,
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def click_in_message(
        self,
        user_id: str,
        channel: str,
        message_ts: str,
        block_id: str,
        action_id: str,
        choice: Any = None,
        ephemeral: bool = False,
    ) -> Answer:
        """A button, select or overflow in a message (ephemeral ones only for their person)."""
        payload = self.base_payload(user_id)
        with self.standin.lock:
            pool: list[Any] = self.standin.ephemerals if ephemeral else self.standin.messages
            message = next((m for m in pool if m.channel == channel and m.ts == message_ts), None)
            if message is None or (ephemeral and message.user != user_id):
                raise ActionError("That message is no longer there.")
            self.conversation(user_id, channel)
            _, element = find_element(message.blocks or [], block_id, action_id)
            shown = {
                "type": "message",
                "ts": message.ts,
                "text": message.text,
                "blocks": message.blocks or [],
            }
            if not ephemeral:
                shown["user"] = message.user
                if message.user == BOT_USER_ID:
                    shown["bot_id"] = "B0BOT"
        payload.update(
            container={
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            channel={"id": channel, "name": self.channel_name(channel)},
            state={"values": {}},
            actions=[action_payload(block_id, element, choice)],
            response_url=self.standin.issue_response_url(user_id, channel, message_ts, ephemeral),
        )
        if not ephemeral:
            payload["message"] = shown
        return self.interactive(payload)

    def click_in_view(
        self,
        user_id: str,
        view_id: str,
        block_id: str,
        action_id: str,
        choice: Any = None,
        values: dict[str, Any] | None = None,
    ) -> Answer:
        """A button or select on the person's App Home, or in their open modal (with what the form
        holds so far, as Slack sends it)."""
        payload = self.base_payload(user_id)
        view = self.own_view(user_id, view_id)
        _, element = find_element(view.get("blocks") or [], block_id, action_id)
        if view.get("type") == "modal":
            view = {**view, "state": {"values": state_values(view, values or {}, required=False)}}
        payload.update(
            container={"type": "view", "view_id": view_id},
            view=view,
            state=view.get("state") or {"values": {}},
            actions=[action_payload(block_id, element, choice)],
        )
        return self.interactive(payload)

    def own_view(self, user_id: str, view_id: str) -> dict[str, Any]:
        with self.standin.lock:
            view = self.standin.views.get(view_id)
            if view is not None and view.get("type") == "home" and view_id == f"VHOME{user_id}":
                return dict(view)
            if view is None or view_id not in self.standin.modals.get(user_id, []):
                raise ActionError("This form is closed (or was already submitted): open it again.")
            return dict(view)

    # --- modals ------------------------------------------------------------------------------------

    def submit(self, user_id: str, view_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """The modal's Submit: the view_submission, and Slack's handling of the answer.

        Returns what the page should show: `{"closed": bool, "errors": {...}}`.
        """
        view = self.own_view(user_id, view_id)
        if view.get("type") != "modal" or not view.get("submit"):
            raise ActionError("This view has no Submit button (it may still be loading).")
        with self.standin.lock:
            stack = list(self.standin.modals.get(user_id, []))
        state = {"values": state_values(view, values, required=True)}
        submitted = {
            **view,
            "team_id": TEAM_ID,
            "state": state,
            "root_view_id": stack[0] if stack else view_id,
            "previous_view_id": stack[stack.index(view_id) - 1]
            if view_id in stack and stack.index(view_id)
            else None,
            "app_id": APP_ID,
            "bot_id": "B0BOT",
        }
        payload = {
            "type": "view_submission",
            "team": TEAM,
            "user": self.person(user_id),
            "api_app_id": APP_ID,
            "token": "sandbox-verification-token",
            "trigger_id": self.standin.issue_trigger(user_id),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        answer = self.interactive(payload)
        if answer.error or answer.status != 200:
            return {"closed": False, "problem": "We had some trouble connecting. Try again?"}
        return self.apply_submission_answer(user_id, view_id, view, answer.json() or {})

    def apply_submission_answer(
        self, user_id: str, view_id: str, view: dict[str, Any], answer: dict[str, Any]
    ) -> dict[str, Any]:
        action = answer.get("response_action")
        try:
            if action == "errors":
                errors = answer.get("errors")
                block_ids = {
                    str(block.get("block_id"))
                    for block in view.get("blocks") or []
                    if block.get("type") == "input"
                }
                if not isinstance(errors, dict) or not errors or not set(errors) <= block_ids:
                    raise SlackError(
                        "invalid_errors", f"errors must name input blocks of the view: {errors!r}"
                    )
                return {"closed": False, "errors": {str(key): str(value) for key, value in errors.items()}}
            if action == "update":
                check_view(answer.get("view"), "modal")
                self.standin.store_view(answer["view"], view_id)
                return {"closed": False}
            if action == "push":
                check_view(answer.get("view"), "modal")
                self.standin.store_view(answer["view"], owner=user_id)
                return {"closed": False}
        except SlackError as exc:
            self.standin.record_refusal(f"view_submission response_action={action}", exc)
            return {"closed": False, "problem": f"The app's answer was refused: {exc.error} ({exc.detail})"}
        if action == "clear":
            self.standin.close_modal(user_id)
        else:
            self.standin.close_modal(user_id, view_id)
        return {"closed": True}

    def close(self, user_id: str, view_id: str) -> None:
        """The modal's Close (or its cross): Slack tells the app only when the view asked (`notify_on_close`)."""
        view = self.own_view(user_id, view_id)
        self.standin.close_modal(user_id, view_id)
        if view.get("notify_on_close"):
            self.interactive(
                {
                    "type": "view_closed",
                    "team": TEAM,
                    "user": self.person(user_id),
                    "api_app_id": APP_ID,
                    "token": "sandbox-verification-token",
                    "view": view,
                    "is_cleared": False,
                }
            )
