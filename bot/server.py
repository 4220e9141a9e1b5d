"""Serving Slack: HTTP on a production WSGI server (waitress), or Socket Mode."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import wasyncore
from waitress.server import create_server

from bot.db import Database

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(app: App, db: Database) -> WSGIApp:
    """Slack's single endpoint (commands, interactivity, events) plus a health check."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            return health(environ, start_response)
        if path == EVENTS_PATH:
            return slack(environ, start_response)
        return respond(start_response, "404 Not Found", {"error": "not found"})

    def health(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            db.ping()
        except Exception as exc:
            log.error("health check: database unreachable: %s", exc.__class__.__name__)
            return respond(
                start_response, "503 Service Unavailable", {"status": "unavailable", "database": "down"}
            )
        return respond(start_response, "200 OK", {"status": "ok", "database": "ok"})

    return application


def respond(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def create_http_server(application: WSGIApp, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server (not Bolt's development server); `.run()` serves, `.close()` stops."""
    return create_server(application, host=host, port=port, threads=threads, ident="ambassador-bot")


class BackgroundServer:
    """A waitress server on a thread that stops cleanly (tests and benchmarks).

    waitress's `close()` from another thread closes sockets under its running poll loop; here the loop
    runs in short rounds and the sockets are closed only after it has stopped.
    """

    def __init__(
        self, application: WSGIApp, host: str = "127.0.0.1", port: int = 0, threads: int = 4
    ) -> None:
        self.server = create_http_server(application, host, port, threads=threads)
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
            wasyncore.loop(timeout=0.05, map=self.server._map, count=1)

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
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

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
