"""The tests' fake Slack: the sandbox's Slack stand-in (`bot.sandbox.slack_standin`), recording every
call and able to fail on demand.

The bot reaches it through `SLACK_API_URL` (WebClient `base_url`), exactly as it reaches Slack. The
stand-in checks the bearer token, knows only the methods Slack has that the bot uses, requires the
arguments Slack requires (a `text` fallback on every message), enforces Block Kit limits, and keeps
posted messages so `chat.update` and `conversations.history` behave. On top, this fake records each
call and can be told to fail: 429 with `Retry-After`, HTTP 500, a slow answer, or an `ok: false`
error. `response_url`s point at `/response/...` here. User groups (a paid plan's feature: a free
workspace answers `paid_teams_only`) and private channels (invisible to the bot unless it is a
member) keep their members; a scope the app lacks gives `missing_scope` with what was `needed`.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.block_kit import (
    SlackError,
    check_blocks,
    check_confirm,
    check_element,
    check_initial_value,
    check_message,
    check_metadata,
    check_text,
    check_view,
)
from bot.sandbox.slack_files import UPLOAD_PATH, receive_upload
from bot.sandbox.slack_standin import SlackStandin, error_body, read_api_request
from bot.sandbox.slack_workspace import BOT_USER_ID, TEAM_ID, Message

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-A111-test-token"

__all__ = [
    "APP_TOKEN",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "TEAM_ID",
    "Call",
    "FakeSlack",
    "Fault",
    "Message",
    "SlackError",
    "check_blocks",
    "check_confirm",
    "check_element",
    "check_initial_value",
    "check_message",
    "check_metadata",
    "check_text",
    "check_view",
]


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


# The workspace's state lives in the stand-in; the tests read and change it through the fake.
SHARED = frozenset(
    {
        "token",
        "app_token",
        "users",
        "joined_channels",
        "other_channels",
        "messages",
        "views",
        "socket_mode_url",
        "usergroups",
        "paid_plan",
        "usergroups_error",
        "private_channels",
        "missing_scopes",
        "kick_restricted",
    }
)


class FakeSlack:
    def __init__(
        self,
        token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        joined_channels: set[str] | None = None,
        other_channels: set[str] | None = None,
    ) -> None:
        self.standin = SlackStandin(
            token, app_token, joined_channels=joined_channels or (), other_channels=other_channels or ()
        )
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []
        self.faults: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- the stand-in's workspace, as the tests read and arrange it ------------------------------

    def __getattr__(self, name: str) -> Any:
        # Only called for what this fake does not have itself: the workspace's state.
        if name in SHARED:
            return getattr(self.standin, name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in SHARED:
            setattr(self.standin, name, value)
        else:
            object.__setattr__(self, name, value)

    def add_user(self, user_id: str, name: str = "", tz: str = "UTC", **profile: Any) -> None:
        self.standin.add_user(user_id, name, tz, **profile)

    def add_usergroup(
        self, handle: str, users: tuple[str, ...] = (), *, group_id: str = "", enabled: bool = True
    ) -> str:
        return self.standin.add_usergroup(handle, users, group_id=group_id, enabled=enabled)

    def group_members(self, group_id: str) -> list[str]:
        return self.standin.group_members(group_id)

    def add_private_channel(
        self, channel_id: str, members: tuple[str, ...] = (), *, bot_member: bool = True
    ) -> None:
        self.standin.add_private_channel(channel_id, members, bot_member=bot_member)

    def channel_members(self, channel_id: str) -> set[str]:
        return self.standin.channel_members(channel_id)

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
        host, port = self._server.server_address[:2]
        self.standin.base_url = f"http://{host!s}:{port}/"
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return self.standin.api_url

    @property
    def response_url_base(self) -> str:
        return self.url.replace("/api/", "/response/")

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

    def uploaded(self, file_id: str) -> bytes | None:
        """The bytes POSTed to a file's upload URL (None if none came)."""
        with self.standin.lock:
            upload = self.standin.uploads.get(file_id)
            return upload.data if upload is not None else None

    def messages_in(self, channel: str) -> list[Message]:
        with self.standin.lock:
            return [m for m in self.messages if m.channel == channel]

    # --- HTTP: record, maybe fail, then let the stand-in answer ---------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if parts.path.startswith("/response/"):
            payload = json.loads(raw or b"{}")
            with self._lock:
                self.responses.append({"path": parts.path, **payload})
            try:
                self.standin.respond(parts.path, payload)
            except SlackError as exc:
                self._send(request, 400, exc.error.encode(), "text/plain")
                return
            self._send(request, 200, b"ok", "text/plain")
            return
        if parts.path.startswith("/" + UPLOAD_PATH):
            # The upload URL files.getUploadURLExternal returned: recorded as the method "upload".
            file_id = parts.path.rsplit("/", 1)[-1]
            upload = Call("upload", {"file_id": file_id, "length": len(raw)}, time.time())
            with self._lock:
                fault = self._take_fault("upload")
            if fault and fault.status >= 500:
                with self._lock:
                    self.calls.append(upload)
                self._send(request, fault.status, b"<html>Internal Server Error</html>", "text/html")
                return
            status, body = receive_upload(self.standin, parts.path, raw)
            with self._lock:
                self.calls.append(upload)
            self._send(request, status, body, "text/plain")
            return
        if not parts.path.startswith("/api/"):
            self._send_json(request, 404, {"ok": False, "error": "not_found"})
            return
        method, args, token = read_api_request(
            parts.path,
            parts.query,
            raw,
            request.headers.get("Content-Type", ""),
            request.headers.get("Authorization") or "",
        )
        arrived = time.time()
        with self._lock:
            fault = self._take_fault(method)
            if fault:
                self.calls.append(Call(method, args, arrived))
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
            body = self.standin.answer(method, args, token)
        except SlackError as exc:
            body = error_body(exc)
        # Recorded once the stand-in has answered, so a test that saw the call also sees its effect
        # (the view opened, the message posted); a faulted call is recorded on arrival instead.
        if not fault:
            with self._lock:
                self.calls.append(Call(method, args, arrived))
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
