"""Serving Slack: HTTP on a production WSGI server (waitress), or Socket Mode."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.errors import SlackApiError
from waitress import wasyncore
from waitress.server import create_server

from bot.blocks.general import APOLOGY, INCOMPLETE_REQUEST
from bot.store.db import Database

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's requests are small (a modal submission is the largest, well under 100 kB).
MAX_BODY_BYTES = 1_000_000
# Slack refuses nothing deeper than a few levels; anything deeper is not from Slack.
MAX_JSON_DEPTH = 64
# Slack signs with the time of sending; older requests are replays (Slack's own rule: 5 minutes).
SIGNATURE_MAX_AGE_SECONDS = 60 * 5
# A health probe must answer within a second, whatever the database does.
HEALTH_DEADLINE_SECONDS = 0.9

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class BadRequest(Exception):
    """A request refused before Bolt sees it: `status` is the HTTP status, the message is for the log."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def signature_matches(secret: str, body: bytes, timestamp: str, signature: str) -> bool:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}` (on bytes, whatever they hold)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def json_depth_ok(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return True


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest("400 Bad Request", f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise BadRequest("400 Bad Request", f"{what} is JSON but not an object")
    if not json_depth_ok(value):
        raise BadRequest("400 Bad Request", f"{what} is nested too deeply")
    return value


def checked_body(environ: dict[str, Any], signing_secret: str, now: float) -> tuple[bytes, dict[str, Any]]:
    """The request's body once it is known to come from Slack and to be readable, and what it holds
    (the JSON body, the interactivity payload, or the command's fields); BadRequest otherwise.

    The signature is checked before anything that could fail on hostile bytes is parsed.
    """
    if environ.get("REQUEST_METHOD") != "POST":
        raise BadRequest("405 Method Not Allowed", f"{environ.get('REQUEST_METHOD')} to the Slack endpoint")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("400 Bad Request", "unreadable Content-Length") from None
    if length < 0 or length > MAX_BODY_BYTES:
        raise BadRequest("413 Content Too Large", f"a body of {length} bytes")
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
    if signing_secret:
        if not timestamp.isascii() or not timestamp.isdigit() or not signature:
            raise BadRequest("401 Unauthorized", "no valid timestamp or signature")
        if abs(now - int(timestamp)) > SIGNATURE_MAX_AGE_SECONDS:
            raise BadRequest("401 Unauthorized", "a stale timestamp")
        if not signature_matches(signing_secret, body, timestamp, signature):
            raise BadRequest("401 Unauthorized", "a wrong signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("400 Bad Request", "a body that is not UTF-8") from None
    content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type == "application/json":
        return body, parse_json_object(text, "the body")
    if content_type != "application/x-www-form-urlencoded":
        raise BadRequest("415 Unsupported Media Type", f"content type {content_type or 'none'!r}")
    try:
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("400 Bad Request", "an unreadable form") from None
    if "payload" in fields:
        return body, parse_json_object(fields["payload"][0], "the payload")
    if "command" not in fields and "ssl_check" not in fields:
        raise BadRequest("400 Bad Request", "a form that is neither a command nor a payload")
    return body, {name: values[0] for name, values in fields.items()}


def last_resort_answer(request: dict[str, Any], text: str = INCOMPLETE_REQUEST) -> dict[str, Any]:
    """The answer when Bolt itself fails on a request (a payload missing what Bolt assumes is there)
    or answers 5xx: a message under the form's first field for a submission, an ephemeral one otherwise."""
    view = request.get("view")
    if request.get("type") == "view_submission" and isinstance(view, dict):
        for block in view.get("blocks") or []:
            if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
                return {"response_action": "errors", "errors": {str(block["block_id"]): text}}
    return {"response_type": "ephemeral", "text": text}


class HealthCheck:
    """Pings the database on a side thread and answers within HEALTH_DEADLINE_SECONDS regardless.

    A ping that hangs (a locked file, a database that does not answer) keeps running; probes that
    arrive meanwhile wait on that same ping instead of piling up threads.
    """

    def __init__(self, db: Database, deadline: float = HEALTH_DEADLINE_SECONDS) -> None:
        self.db = db
        self.deadline = deadline
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")
        self._lock = threading.Lock()
        self._running: Future[None] | None = None

    def problem(self) -> str | None:
        """None when the database answered in time, otherwise what went wrong (for the log)."""
        with self._lock:
            if self._running is None or self._running.done():
                self._running = self._executor.submit(self.db.ping)
            running = self._running
        try:
            running.result(timeout=self.deadline)
        except FutureTimeout:
            return f"no answer within {self.deadline:.1f} s"
        except Exception as exc:
            return exc.__class__.__name__
        return None


def wsgi_app(app: App, db: Database, signing_secret: str | None = None) -> WSGIApp:
    """Slack's single endpoint (commands, interactivity, events) plus a health check.

    Every request to the Slack endpoint is checked (signature first, then that the body is what
    Slack sends) before Bolt parses it: hostile or broken bodies get a 4xx and one log line.
    """
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    secret = signing_secret if signing_secret is not None else app._signing_secret
    health_check = HealthCheck(db)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            return health(start_response)
        if path == EVENTS_PATH:
            return slack_endpoint(environ, start_response)
        return respond(start_response, "404 Not Found", {"error": "not found"})

    def slack_endpoint(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            body, request = checked_body(environ, secret, time.time())
        except BadRequest as refused:
            log.warning(
                "refused a request to %s from %s: %s (%s)",
                EVENTS_PATH,
                environ.get("REMOTE_ADDR", "?"),
                refused,
                refused.status,
            )
            return respond(start_response, refused.status, {"error": refused.status.split(" ", 1)[1].lower()})
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        answered: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            answered.update(status=status, headers=headers)
            return lambda _data: None

        try:
            body_parts = slack(environ, capture)
            if str(answered.get("status", "500")).startswith("5"):
                # Bolt answers 500 when a listener fails past Slack's 3 s (our error path was too late
                # to set the answer): the member still gets words, Slack no retry storm.
                log.error("Bolt answered %s; answering 200 with an apology instead", answered.get("status"))
                return respond(start_response, "200 OK", last_resort_answer(request, APOLOGY))
            start_response(answered["status"], answered["headers"])
            return body_parts
        except Exception:
            # Bolt's own error path handles listeners; this is the last guard, so Slack never sees
            # a 500 (it would show the member an error and retry events).
            log.exception("unexpected error while handling a Slack request")
            return respond(start_response, "200 OK", last_resort_answer(request))

    def health(start_response: StartResponse) -> Iterable[bytes]:
        problem = health_check.problem()
        if problem is not None:
            log.error("health check: database unavailable (%s)", problem)
            return respond(
                start_response, "503 Service Unavailable", {"status": "unavailable", "database": "down"}
            )
        return respond(start_response, "200 OK", {"status": "ok", "database": "ok"})

    return application


def respond(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


# waitress reads a whole request before a worker thread sees it, so slow or idle clients never hold
# a thread; what they hold is a connection. Its defaults (100 connections, then no more accepted
# until one closes; idle connections kept 120 s; select(), which stops at 1,024 sockets) let a
# hundred idle keep-alive connections freeze the server. bench/idle_clients.py measures both.
SERVER_LIMITS: dict[str, Any] = {
    "connection_limit": 1000,  # the open-files limit must allow it (`ulimit -n`, 1,024 is too few)
    "channel_timeout": 30,  # an idle or stalled connection is closed after 30 s
    "cleanup_interval": 5,  # and looked for this often
    "asyncore_use_poll": True,  # poll(): no 1,024-socket ceiling
    "backlog": 1024,
    "max_request_body_size": MAX_BODY_BYTES,
}


def create_http_server(application: WSGIApp, host: str, port: int, threads: int = 8, **limits: Any) -> Any:
    """A waitress server (not Bolt's development server); `.run()` serves, `.close()` stops.

    `limits` override SERVER_LIMITS (benchmarks compare them with waitress's defaults).
    """
    options = {**SERVER_LIMITS, **limits}
    return create_server(
        application, host=host, port=port, threads=threads, ident="ambassador-bot", **options
    )


class BackgroundServer:
    """A waitress server on a thread that stops cleanly (tests and benchmarks).

    waitress's `close()` from another thread closes sockets under its running poll loop; here the loop
    runs in short rounds and the sockets are closed only after it has stopped.
    """

    def __init__(
        self,
        application: WSGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 4,
        **limits: Any,
    ) -> None:
        self.server = create_http_server(application, host, port, threads=threads, **limits)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="http-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.effective_port}"

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            wasyncore.loop(
                timeout=0.05, map=self.server._map, count=1, use_poll=self.server.adj.asyncore_use_poll
            )

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.server.close()


class SocketModeError(Exception):
    """Slack would not open a Socket Mode connection (a bad app-level token, or Slack unreachable)."""


def serve_socket_mode(app: App, app_token: str) -> None:
    """Connect out to Slack (no public URL needed) and serve until SIGTERM or Ctrl-C interrupts.

    A WebSocket that drops, or cannot be opened, is logged and retried by slack_sdk's own monitor;
    only Slack refusing the token (or not answering at all) at start stops the process.
    """
    handler = SocketModeHandler(app, app_token)
    log.info("connecting to Slack in Socket Mode")
    try:
        handler.connect()
    except SlackApiError as exc:
        raise SocketModeError(
            f"Slack refused to open a Socket Mode connection ({exc.response.get('error')}): SLACK_APP_TOKEN "
            "must be the app-level token (xapp-...) with the connections:write scope"
        ) from None
    except OSError as exc:
        raise SocketModeError(
            f"cannot reach Slack to open Socket Mode ({exc.__class__.__name__}: {exc})"
        ) from None
    if handler.client.is_connected():
        log.info("connected to Slack in Socket Mode (session %s)", handler.client.session_id())
    else:
        log.warning("Socket Mode connection not established yet; retrying in the background")
    try:
        threading.Event().wait()
    finally:
        log.info("closing the Socket Mode connection")
        handler.close()
