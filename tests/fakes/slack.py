"""A local fake of Slack's Web API, as strict as Slack where it matters, that records every call.

The bot reaches it through `SLACK_API_URL` (WebClient `base_url`), exactly as it reaches Slack. It checks
the bearer token, knows only the methods listed in `METHODS`, requires the arguments Slack requires
(including a `text` fallback on every message), enforces Block Kit limits, keeps posted messages so
`chat.update` and `conversations.history` behave, and can be told to fail: 429 with `Retry-After`,
HTTP 500, a slow answer, or an `ok: false` error. `response_url`s point at `/response/...` here.
User groups (a paid plan's feature: a free workspace answers `paid_teams_only`) and private channels
(invisible to the bot unless it is a member) keep their members; a scope the app lacks gives
`missing_scope` with what was `needed`, as Slack answers.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-A111-test-token"
# Methods Slack accepts only with the app-level token (xapp-), and never with a bot token.
APP_TOKEN_METHODS = {"apps.connections.open"}
BOT_USER_ID = "U0BOT"
TEAM_ID = "T111"


class SlackError(Exception):
    def __init__(self, error: str, detail: str = "", **extra: str) -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail
        self.extra = extra  # more top-level fields of the answer (`needed`, `provided`)


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float


@dataclass
class Fault:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None
    user: str = BOT_USER_ID


@dataclass
class FakeSlack:
    token: str = BOT_TOKEN
    app_token: str = APP_TOKEN
    # Where apps.connections.open sends Socket Mode clients (tests/fakes/socket_mode.py); by default a
    # path here that is not a WebSocket, so a client gets the URL but cannot connect.
    socket_mode_url: str = ""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Public channels the bot was invited to; posting elsewhere gives `not_in_channel`.
    joined_channels: set[str] = field(default_factory=set)
    # Channels that exist but the bot is not in (as Slack answers `not_in_channel`).
    other_channels: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    # User groups by ID (see `add_usergroup`); without a paid plan every usergroups.* method answers
    # `usergroups_error` (Slack's reference names `paid_teams_only`, and `plan_upgrade_required`).
    usergroups: dict[str, dict[str, Any]] = field(default_factory=dict)
    paid_plan: bool = True
    usergroups_error: str = "paid_teams_only"
    # Private channels by ID and their members; the bot sees one only while it is a member.
    private_channels: dict[str, set[str]] = field(default_factory=dict)
    # Scopes the app was not granted: methods that need one answer `missing_scope`.
    missing_scopes: set[str] = field(default_factory=set)
    # The workspace lets only admins remove people from channels: `conversations.kick` is refused.
    kick_restricted: bool = False

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ts = 0.0
        self._view_id = 0
        self._server: ThreadingHTTPServer | None = None

    # --- control --------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    @property
    def response_url_base(self) -> str:
        return self.url.replace("/api/", "/response/")

    def add_user(self, user_id: str, name: str = "", tz: str = "UTC", **profile: Any) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name or user_id.lower(),
            "real_name": profile.pop("real_name", name or user_id),
            "tz": tz,
            "tz_label": tz,
            "tz_offset": 0,
            "is_bot": False,
            "deleted": False,
            "profile": {"real_name": name or user_id, "display_name": name or user_id, **profile},
        }

    def add_usergroup(
        self, handle: str, users: tuple[str, ...] = (), *, group_id: str = "", enabled: bool = True
    ) -> str:
        group_id = group_id or f"S0{len(self.usergroups) + 1:07d}"
        self.usergroups[group_id] = {
            "id": group_id,
            "handle": handle,
            "name": handle.title(),
            "users": list(users),
            "date_delete": 0 if enabled else 1773576000,
        }
        return group_id

    def group_members(self, group_id: str) -> list[str]:
        with self._lock:
            return list(self.usergroups[group_id]["users"])

    def add_private_channel(
        self, channel_id: str, members: tuple[str, ...] = (), *, bot_member: bool = True
    ) -> None:
        self.private_channels[channel_id] = set(members) | ({BOT_USER_ID} if bot_member else set())

    def channel_members(self, channel_id: str) -> set[str]:
        with self._lock:
            return set(self.private_channels[channel_id])

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail (or be slow)."""
        with self._lock:
            self.faults.setdefault(method, []).append(Fault(status, error, retry_after, delay, times))

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [call.args for call in self.calls if call.method == method]

    def methods(self) -> list[str]:
        with self._lock:
            return [call.method for call in self.calls]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.responses.clear()

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait for work Bolt does after acknowledging (it runs listeners on a thread pool)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.01)
        raise AssertionError(f"timed out waiting; calls so far: {self.methods()}")

    def wait_until_quiet(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until no Web API call has come for `quiet` seconds (work Bolt finishes after a test)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self.calls[-1].at if self.calls else 0.0
            if time.time() - last >= quiet:
                return
            time.sleep(0.05)

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        return self.wait_for(lambda: len(self.calls_to(method)) >= count and self.calls_to(method), timeout)

    def messages_in(self, channel: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m.channel == channel]

    # --- HTTP -----------------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if parts.path.startswith("/response/"):
            payload = json.loads(raw or b"{}")
            with self._lock:
                self.responses.append({"path": parts.path, **payload})
            self._send(request, 200, b"ok", "text/plain")
            return
        if not parts.path.startswith("/api/"):
            self._send_json(request, 404, {"ok": False, "error": "not_found"})
            return
        method = parts.path.removeprefix("/api/")
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        content_type = request.headers.get("Content-Type", "")
        if raw:
            if content_type.startswith("application/json"):
                args.update(json.loads(raw))
            else:
                args.update(dict(parse_qsl(raw.decode())))
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ").strip() or args.pop(
            "token", ""
        )
        with self._lock:
            self.calls.append(Call(method, args, time.time()))
            fault = self._take_fault(method)
        if fault:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status == 429:
                headers = {"Retry-After": str(fault.retry_after or 1)}
                self._send_json(request, 429, {"ok": False, "error": "ratelimited"}, headers)
                return
            if fault.status >= 500:
                self._send(request, fault.status, b"<html>Internal Server Error</html>", "text/html")
                return
            if fault.error:
                self._send_json(request, 200, {"ok": False, "error": fault.error})
                return
        try:
            if not token:
                raise SlackError("not_authed")
            expected = self.app_token if method in APP_TOKEN_METHODS else self.token
            if token != expected:
                known = token in (self.token, self.app_token)
                raise SlackError("not_allowed_token_type" if known else "invalid_auth")
            handler = METHODS.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            needed = SCOPES.get(method)
            if needed in self.missing_scopes:
                granted = sorted(set(SCOPES.values()) - self.missing_scopes)
                raise SlackError("missing_scope", needed=str(needed), provided=",".join(granted))
            for name in handler.required:
                if args.get(name) in (None, ""):
                    raise SlackError(handler.missing.get(name, "invalid_arguments"), f"missing {name}")
            for name in ("blocks", "view", "metadata", "attachments"):
                if isinstance(args.get(name), str) and args[name]:
                    args[name] = json.loads(args[name])
            with self._lock:
                result = handler.run(self, args)
            self._send_json(request, 200, {"ok": True, **result})
        except SlackError as exc:
            body = {"ok": False, "error": exc.error, **exc.extra}
            if exc.detail:
                body["response_metadata"] = {"messages": [exc.detail]}
            self._send_json(request, 200, body)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    def _send_json(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        self._send(request, status, json.dumps(body).encode(), "application/json; charset=utf-8", headers)

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        # The client may have given up (a timeout): Slack's work is done all the same.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            request.wfile.write(body)

    # --- state helpers used by the methods -----------------------------------------------------

    def _next_ts(self) -> str:
        # Like Slack: the time of posting, in microseconds, unique in the workspace.
        self._ts = max(round(self._ts + 0.000001, 6), round(time.time(), 6))
        return f"{self._ts:.6f}"

    def _resolve_channel(self, channel: str) -> str:
        if channel.startswith(("U", "W")):
            if channel not in self.users:
                raise SlackError("channel_not_found")
            return "D" + channel[1:]
        if channel.startswith("D"):
            return channel
        if channel in self.joined_channels:
            return channel
        if channel in self.other_channels:
            raise SlackError("not_in_channel")
        raise SlackError("channel_not_found")


# --- Block Kit checks (the limits Slack enforces with `invalid_blocks`) -------------------------


def check_text(obj: Any, limit: int, where: str) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        raise SlackError("invalid_blocks", f"{where}: text object required")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise SlackError("invalid_blocks", f"{where}: empty text")
    if len(text) > limit:
        raise SlackError("invalid_blocks", f"{where}: more than {limit} characters")


def check_element(element: dict[str, Any], where: str, action_ids: set[str]) -> None:
    kind = element.get("type")
    if kind is None:
        raise SlackError("invalid_blocks", f"{where}: element without type")
    action_id = element.get("action_id")
    if action_id is not None:
        if action_id in action_ids:
            raise SlackError("invalid_blocks", f"{where}: duplicate action_id {action_id}")
        action_ids.add(action_id)
        if len(action_id) > 255:
            raise SlackError("invalid_blocks", f"{where}: action_id too long")
    if kind == "button":
        check_text(element.get("text"), 75, f"{where}.text")
        if element.get("text", {}).get("type") != "plain_text":
            raise SlackError("invalid_blocks", f"{where}: button text must be plain_text")
        if len(element.get("value", "")) > 2000:
            raise SlackError("invalid_blocks", f"{where}: button value over 2000")
        if len(element.get("url", "")) > 3000:
            raise SlackError("invalid_blocks", f"{where}: button url over 3000")
        if element.get("style") not in (None, "primary", "danger"):
            raise SlackError("invalid_blocks", f"{where}: button style must be primary or danger")
    if "confirm" in element:
        check_confirm(element["confirm"], f"{where}.confirm")
    check_initial_value(element, where)
    if kind in ("static_select", "radio_buttons", "checkboxes", "overflow"):
        options = element.get("options") or []
        if not options or len(options) > 100:
            raise SlackError("invalid_blocks", f"{where}: 1-100 options")
        for option in options:
            check_text(option.get("text"), 75, f"{where}.option")
            if len(option.get("value", "")) > 150:
                raise SlackError("invalid_blocks", f"{where}: option value over 150")


def check_confirm(confirm: Any, where: str) -> None:
    """A confirmation dialog object (title 100, text 300, confirm/deny 30; style primary or danger)."""
    if not isinstance(confirm, dict):
        raise SlackError("invalid_blocks", f"{where}: confirm must be an object")
    check_text(confirm.get("title"), 100, f"{where}.title")
    check_text(confirm.get("text"), 300, f"{where}.text")
    check_text(confirm.get("confirm"), 30, f"{where}.confirm")
    check_text(confirm.get("deny"), 30, f"{where}.deny")
    for key in ("title", "confirm", "deny"):
        if confirm[key]["type"] != "plain_text":
            raise SlackError("invalid_blocks", f"{where}.{key}: must be plain_text")
    if confirm.get("style") not in (None, "primary", "danger"):
        raise SlackError("invalid_blocks", f"{where}: style must be primary or danger")


def check_initial_value(element: dict[str, Any], where: str) -> None:
    """Prefilled inputs: Slack refuses a value its own element would not accept."""
    kind = element.get("type")
    if (
        kind == "static_select"
        and "initial_option" in element
        and element["initial_option"] not in (element.get("options") or [])
    ):
        raise SlackError("invalid_blocks", f"{where}: initial_option must be one of the options")
    if kind == "datepicker" and not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", str(element.get("initial_date", "2000-01-01"))
    ):
        raise SlackError("invalid_blocks", f"{where}: initial_date must be YYYY-MM-DD")
    if kind in ("plain_text_input", "url_text_input") and "initial_value" in element:
        value = element["initial_value"]
        if not isinstance(value, str) or len(value) > int(element.get("max_length", 3000)):
            raise SlackError("invalid_blocks", f"{where}: initial_value longer than max_length")
    if kind == "number_input" and "initial_value" in element:
        try:
            float(element["initial_value"])
        except (TypeError, ValueError):
            raise SlackError("invalid_blocks", f"{where}: initial_value must be a number") from None


def check_blocks(blocks: Any, limit: int) -> None:
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks", "blocks must be a list")
    if len(blocks) > limit:
        raise SlackError("invalid_blocks", f"no more than {limit} items allowed")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        # Slack: an action_id must be unique "among all other action_ids in the containing block".
        action_ids: set[str] = set()
        if not isinstance(block, dict) or "type" not in block:
            raise SlackError("invalid_blocks", f"{where}: block without type")
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids:
                raise SlackError("invalid_blocks", f"{where}: duplicate block_id {block_id}")
            if len(str(block_id)) > 255:
                raise SlackError("invalid_blocks", f"{where}: block_id over 255")
            block_ids.add(block_id)
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                raise SlackError("invalid_blocks", f"{where}: section needs text or fields")
            if "text" in block:
                check_text(block["text"], 3000, f"{where}.text")
            fields = block.get("fields") or []
            if len(fields) > 10:
                raise SlackError("invalid_blocks", f"{where}: more than 10 fields")
            for number, item in enumerate(fields):
                check_text(item, 2000, f"{where}.fields[{number}]")
            if "accessory" in block:
                check_element(block["accessory"], f"{where}.accessory", action_ids)
        elif kind == "header":
            check_text(block.get("text"), 150, f"{where}.text")
            if block["text"]["type"] != "plain_text":
                raise SlackError("invalid_blocks", f"{where}.text: a header is plain_text")
        elif kind == "context":
            elements = block.get("elements") or []
            if not elements or len(elements) > 10:
                raise SlackError("invalid_blocks", f"{where}: context needs 1-10 elements")
            for number, item in enumerate(elements):
                if item.get("type") in ("plain_text", "mrkdwn"):
                    check_text(item, 3000, f"{where}.elements[{number}]")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not elements or len(elements) > 25:
                raise SlackError("invalid_blocks", f"{where}: actions needs 1-25 elements")
            for number, item in enumerate(elements):
                check_element(item, f"{where}.elements[{number}]", action_ids)
        elif kind == "input":
            check_text(block.get("label"), 2000, f"{where}.label")
            if "element" not in block:
                raise SlackError("invalid_blocks", f"{where}: input needs an element")
            check_element(block["element"], f"{where}.element", set())
        elif kind not in ("divider", "image", "rich_text", "file", "video"):
            raise SlackError("invalid_blocks", f"{where}: unknown block type {kind}")


def check_view(view: Any, expected_type: str | None = None) -> None:
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", "view must be an object")
    kind = view.get("type")
    if kind not in ("modal", "home") or (expected_type and kind != expected_type):
        raise SlackError("invalid_arguments", f"view type must be {expected_type or 'modal or home'}")
    check_blocks(view.get("blocks"), 100)
    if kind == "modal":
        check_text(view.get("title"), 24, "view.title")
        for key in ("submit", "close"):
            if key in view:
                check_text(view[key], 24, f"view.{key}")
        has_inputs = any(block.get("type") == "input" for block in view["blocks"])
        if has_inputs and "submit" not in view:
            raise SlackError("invalid_arguments", "a modal with inputs needs a submit button")
    if len(view.get("private_metadata", "")) > 3000:
        raise SlackError("invalid_arguments", "private_metadata over 3000")
    if len(view.get("callback_id", "")) > 255:
        raise SlackError("invalid_arguments", "callback_id over 255")


def check_metadata(metadata: Any) -> None:
    """Message metadata: an `event_type` and an `event_payload` object of simple values."""
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not metadata["event_type"]
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        raise SlackError("invalid_metadata_format", "metadata needs event_type and event_payload")
    for value in metadata["event_payload"].values():
        if not isinstance(value, str | int | float | bool | dict | list):
            raise SlackError("invalid_metadata_schema")
    if len(json.dumps(metadata)) > 8000:
        raise SlackError("metadata_too_large")


def check_message(args: dict[str, Any]) -> None:
    if not args.get("text"):
        # Slack accepts blocks without text but warns; the bot must always send the fallback.
        raise SlackError("no_text", "a top-level text fallback is required")
    if len(args["text"]) > 40000:
        raise SlackError("msg_too_long")
    if args.get("blocks") is not None:
        check_blocks(args["blocks"], 50)


# --- the methods ---------------------------------------------------------------------------------


@dataclass
class Method:
    run: Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]
    required: tuple[str, ...] = ()
    missing: dict[str, str] = field(default_factory=dict)


def auth_test(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": "https://example.slack.com/",
        "team": "Example",
        "user": "ambassador-bot",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": "B0BOT",
        "is_enterprise_install": False,
    }


def post_message(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = fake._resolve_channel(str(args["channel"]))
    check_message(args)
    metadata = args.get("metadata")
    if metadata is not None:
        check_metadata(metadata)
    ts = fake._next_ts()
    message = Message(channel, ts, args["text"], args.get("blocks"), metadata)
    fake.messages.append(message)
    return {
        "channel": channel,
        "ts": ts,
        "message": {
            "type": "message",
            "text": args["text"],
            "ts": ts,
            "user": BOT_USER_ID,
            "bot_id": "B0BOT",
        },
    }


def post_ephemeral(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = str(args["channel"])
    if channel.startswith("D") and channel not in {m.channel for m in fake.messages}:
        # An ephemeral in someone else's DM: the bot is not a member of that conversation.
        raise SlackError("channel_not_found")
    fake._resolve_channel(channel)
    if args["user"] not in fake.users:
        raise SlackError("user_not_found")
    check_message(args)
    return {"message_ts": fake._next_ts()}


def update_message(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = fake._resolve_channel(str(args["channel"]))
    check_message(args)
    for message in fake.messages:
        if message.channel == channel and message.ts == args["ts"]:
            message.text = args["text"]
            message.blocks = args.get("blocks")
            return {"channel": channel, "ts": message.ts, "text": message.text}
    raise SlackError("message_not_found")


def open_view(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    if "expired" in str(args["trigger_id"]):
        raise SlackError("expired_trigger_id")
    check_view(args["view"], "modal")
    return {"view": fake_store_view(fake, args["view"])}


def fake_store_view(fake: FakeSlack, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
    if view_id is None:
        fake._view_id += 1
        view_id = f"V{fake._view_id:06d}"
    stored = {**view, "id": view_id, "hash": f"{time.time():.0f}.hash", "state": {"values": {}}}
    fake.views[view_id] = stored
    return stored


def update_view(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    view_id = args.get("view_id")
    if not view_id and not args.get("external_id"):
        raise SlackError("invalid_arguments", "view_id or external_id required")
    if view_id and view_id not in fake.views:
        raise SlackError("not_found")
    check_view(args["view"])
    return {"view": fake_store_view(fake, args["view"], view_id)}


def publish_view(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    if args["user_id"] not in fake.users:
        raise SlackError("user_not_found")
    check_view(args["view"], "home")
    home_id = f"VHOME{args['user_id']}"
    return {"view": fake_store_view(fake, args["view"], home_id)}


def users_info(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    user = fake.users.get(str(args["user"]))
    if user is None:
        raise SlackError("user_not_found")
    return {"user": user}


def conversations_open(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    users = str(args["users"]).split(",")
    if any(user not in fake.users for user in users) or len(users) != 1:
        raise SlackError("user_not_found")
    return {"channel": {"id": "D" + users[0][1:]}}


def conversations_history(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = fake._resolve_channel(str(args["channel"]))
    include_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
    oldest = float(args.get("oldest") or 0)
    latest = float(args.get("latest") or "inf")
    cursor = str(args.get("cursor") or "")
    if cursor:
        # Our cursors are the ts of the last message of the previous page (Slack's are opaque).
        latest, inclusive = float(cursor.removeprefix("next_ts:")), False
    found = []
    for message in reversed(fake.messages):
        if message.channel != channel:
            continue
        ts = float(message.ts)
        if ts < oldest or ts > latest or (not inclusive and ts in (oldest, latest)):
            continue
        item: dict[str, Any] = {
            "type": "message",
            "ts": message.ts,
            "text": message.text,
            "user": message.user,
            "bot_id": "B0BOT",
        }
        if include_metadata and message.metadata:
            item["metadata"] = message.metadata
        found.append(item)
    limit = min(int(args.get("limit") or 100), 999)
    result: dict[str, Any] = {"messages": found[:limit], "has_more": len(found) > limit}
    if len(found) > limit:
        result["response_metadata"] = {"next_cursor": f"next_ts:{found[limit - 1]['ts']}"}
    return result


def get_permalink(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "channel": args["channel"],
        "permalink": f"https://example.slack.com/archives/{args['channel']}/p{args['message_ts'].replace('.', '')}",
    }


def flag(args: dict[str, Any], name: str) -> bool:
    return str(args.get(name, "")).lower() in ("1", "true")


def usergroup_object(
    fake: FakeSlack, group: dict[str, Any], *, users: bool, count_as_text: bool
) -> dict[str, Any]:
    """Slack's user group object (usergroups.list's example gives `user_count` as a string)."""
    count = len(group["users"])
    found: dict[str, Any] = {
        "id": group["id"],
        "team_id": TEAM_ID,
        "is_usergroup": True,
        "is_subteam": True,
        "name": group["name"],
        "description": "",
        "handle": group["handle"],
        "is_external": False,
        "date_create": 1446746793,
        "date_update": 1446747767,
        "date_delete": group["date_delete"],
        "auto_type": None,
        "created_by": "U060RNRCZ",
        "updated_by": BOT_USER_ID,
        "deleted_by": None,
        "prefs": {"channels": [], "groups": []},
        "user_count": str(count) if count_as_text else count,
    }
    if users:
        found["users"] = list(group["users"])
    return found


def usergroup(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    if not fake.paid_plan:
        raise SlackError(fake.usergroups_error)
    group = fake.usergroups.get(str(args["usergroup"]))
    if group is None:
        raise SlackError("no_such_subteam")
    return group


def usergroups_list(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    if not fake.paid_plan:
        raise SlackError(fake.usergroups_error)
    return {
        "usergroups": [
            usergroup_object(fake, group, users=flag(args, "include_users"), count_as_text=True)
            for group in fake.usergroups.values()
            if flag(args, "include_disabled") or not group["date_delete"]
        ]
    }


def usergroups_users_update(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    group = usergroup(fake, args)
    # The whole new list; Slack refuses an empty one (`no_users_provided`, checked as a required argument).
    users = [user.strip() for user in str(args["users"]).split(",") if user.strip()]
    if not users:
        raise SlackError("invalid_users")
    if any(user not in fake.users for user in users):
        raise SlackError("invalid_users")
    group["users"] = list(dict.fromkeys(users))
    return {"usergroup": usergroup_object(fake, group, users=True, count_as_text=False)}


def usergroups_enable(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    group = usergroup(fake, args)
    group["date_delete"] = 0
    return {"usergroup": usergroup_object(fake, group, users=False, count_as_text=False)}


def usergroups_disable(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    group = usergroup(fake, args)
    group["date_delete"] = int(time.time())
    return {"usergroup": usergroup_object(fake, group, users=False, count_as_text=False)}


def visible_private_channel(fake: FakeSlack, channel: str) -> set[str]:
    """A private channel's members; one the bot is not in does not exist for it (`channel_not_found`)."""
    members = fake.private_channels.get(channel)
    if members is None or BOT_USER_ID not in members:
        raise SlackError("channel_not_found")
    return members


def conversations_members(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    members = sorted(visible_private_channel(fake, str(args["channel"])))
    limit = int(args.get("limit") or 100)
    if not 1 <= limit <= 1000:
        raise SlackError("invalid_limit")
    cursor = str(args.get("cursor") or "")
    if cursor and not cursor.startswith("offset:"):
        raise SlackError("invalid_cursor")
    start = int(cursor.removeprefix("offset:") or 0)
    page = members[start : start + limit]
    following = f"offset:{start + limit}" if start + limit < len(members) else ""
    return {"members": page, "response_metadata": {"next_cursor": following}}


def conversations_invite(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = str(args["channel"])
    members = visible_private_channel(fake, channel)
    users = [user.strip() for user in str(args["users"]).split(",") if user.strip()]
    for user in users:
        if user == BOT_USER_ID:
            raise SlackError("cant_invite_self")
        if user not in fake.users:
            raise SlackError("user_not_found")
        if fake.users[user].get("is_restricted"):
            raise SlackError("user_is_restricted")
        if user in members:
            raise SlackError("already_in_channel")
    members.update(users)
    return {
        "channel": {
            "id": channel,
            "name": "ambassadors",
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": True,
            "is_archived": False,
            "is_general": False,
            "is_member": True,
            "created": 1449252889,
            "creator": "U060R4BJ4",
            "name_normalized": "ambassadors",
        }
    }


def conversations_kick(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    members = visible_private_channel(fake, str(args["channel"]))
    user = str(args["user"])
    if user == BOT_USER_ID:
        raise SlackError("cant_kick_self")
    if fake.kick_restricted:
        raise SlackError("restricted_action")
    if user not in fake.users:
        raise SlackError("user_not_found")
    if user not in members:
        raise SlackError("not_in_channel")  # "User was not in the channel."
    members.discard(user)
    return {"errors": {}}


def apps_connections_open(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    url = fake.socket_mode_url or fake.url.replace("http://", "ws://").replace("/api/", "/link/")
    return {"url": f"{url}?ticket=fake-ticket&app_id=A111"}


METHODS: dict[str, Method] = {
    "auth.test": Method(auth_test),
    "apps.connections.open": Method(apps_connections_open),
    "chat.postMessage": Method(post_message, ("channel",), {"channel": "channel_not_found"}),
    "chat.postEphemeral": Method(
        post_ephemeral, ("channel", "user"), {"channel": "channel_not_found", "user": "user_not_found"}
    ),
    "chat.update": Method(
        update_message, ("channel", "ts"), {"channel": "channel_not_found", "ts": "message_not_found"}
    ),
    "chat.getPermalink": Method(get_permalink, ("channel", "message_ts")),
    "views.open": Method(open_view, ("trigger_id", "view")),
    "views.push": Method(open_view, ("trigger_id", "view")),
    "views.update": Method(update_view, ("view",)),
    "views.publish": Method(publish_view, ("user_id", "view")),
    "users.info": Method(users_info, ("user",), {"user": "user_not_found"}),
    "conversations.open": Method(conversations_open, ("users",), {"users": "users_list_not_supplied"}),
    "conversations.history": Method(conversations_history, ("channel",), {"channel": "channel_not_found"}),
    "usergroups.list": Method(usergroups_list),
    "usergroups.users.update": Method(
        usergroups_users_update,
        ("usergroup", "users"),
        {"usergroup": "missing_argument", "users": "no_users_provided"},
    ),
    "usergroups.enable": Method(usergroups_enable, ("usergroup",), {"usergroup": "missing_argument"}),
    "usergroups.disable": Method(usergroups_disable, ("usergroup",), {"usergroup": "missing_argument"}),
    "conversations.members": Method(conversations_members, ("channel",), {"channel": "channel_not_found"}),
    "conversations.invite": Method(
        conversations_invite, ("channel", "users"), {"channel": "channel_not_found", "users": "no_user"}
    ),
    "conversations.kick": Method(
        conversations_kick, ("channel", "user"), {"channel": "channel_not_found", "user": "user_not_found"}
    ),
}
# The bot scope each method needs here (the private channel's: groups:*), checked against
# `FakeSlack.missing_scopes`.
SCOPES: dict[str, str] = {
    "usergroups.list": "usergroups:read",
    "usergroups.users.update": "usergroups:write",
    "usergroups.enable": "usergroups:write",
    "usergroups.disable": "usergroups:write",
    "conversations.members": "groups:read",
    "conversations.invite": "groups:write",
    "conversations.kick": "groups:write",
}
