"""The sandbox's page and what it calls: Slack's client, for whichever person is chosen.

`GET /` is the page (plain HTML, CSS and JavaScript from `static/`, no build step). It reads the
workspace as one person sees it (`GET /sandbox/state`), hears of every change as it happens (a
Server-Sent Events stream, `GET /sandbox/events`), and acts through `POST /sandbox/...`: each action
becomes the request Slack would send the bot (`bot.sandbox.slack_client`). Bad input gets a 400 with
a sentence for the page; bodies are small and bounded, and streams end on their own.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from importlib import resources
from typing import Any

from bot.sandbox.app import Sandbox
from bot.sandbox.block_actions import ActionError
from bot.sandbox.clock import ClockError
from bot.sandbox.snapshot import snapshot
from jobs.scheduler import JOBS

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
MAX_BODY_BYTES = 64_000
MAX_TEXT = 4_000  # Slack's own limit on a slash command's text
STATIC_NAME = re.compile(r"^[a-z0-9_-]+\.(html|css|js|svg)$")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "svg": "image/svg+xml",
}
# Live updates: each stream ends after a while (the browser reconnects by itself), at most this many
# are open at once (each holds a server thread), and a comment line keeps idle ones open.
STREAM_SECONDS = 55.0
STREAM_HEARTBEAT_SECONDS = 15.0
MAX_STREAMS = 6
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


class PageError(Exception):
    """A request the page should not have sent, with a sentence saying why (HTTP 400)."""


def application(
    sandbox: Sandbox, host: str = "127.0.0.1"
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The page's WSGI app; `host` is the address the sandbox listens on (its name is accepted in
    the Host header besides the loopback names)."""
    streams = threading.BoundedSemaphore(MAX_STREAMS)
    allowed_hosts = LOOPBACK_NAMES | {host.strip("[]").lower()}

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD") or "GET")
        path = str(environ.get("PATH_INFO") or "/")
        # A web page elsewhere cannot act here: not through a name that resolves to this machine
        # (the Host header must name it), nor with a form (only JSON, which browsers send
        # cross-origin only after asking, and the sandbox never says yes).
        if host_name(environ) not in allowed_hosts:
            return send_json(start_response, 403, {"error": "Open the sandbox at its own address."})
        if method == "POST" and not str(environ.get("CONTENT_TYPE") or "").startswith("application/json"):
            return send_json(start_response, 415, {"error": "The sandbox takes JSON."})
        try:
            if method == "GET":
                if path in ("/", "/index.html"):
                    return static(start_response, "index.html")
                if path.startswith("/static/"):
                    return static(start_response, path.removeprefix("/static/"))
                if path == "/sandbox/state":
                    person = person_from(sandbox, query_value(environ, "as"))
                    shown = query_value(environ, "open")
                    return send_json(start_response, 200, snapshot(sandbox, person, shown or None))
                if path == "/sandbox/events":
                    return events(environ, start_response)
                if path == "/favicon.ico":
                    start_response("204 No Content", [])
                    return []
                if path == "/healthz":
                    return send_json(start_response, 200, {"status": "ok"})
                return send_json(start_response, 404, {"error": "There is nothing at this address."})
            if method != "POST":
                return send_json(start_response, 405, {"error": f"{method} is not used here."})
            body = read_json(environ)
            handler = ACTIONS.get(path)
            if handler is None:
                return send_json(start_response, 404, {"error": "There is nothing at this address."})
            return send_json(start_response, 200, handler(sandbox, body))
        except (PageError, ActionError, ClockError) as problem:
            return send_json(start_response, 400, {"error": str(problem)})
        except Exception:
            log.exception("sandbox page: %s %s failed", method, path)
            return send_json(
                start_response, 500, {"error": "Something went wrong in the sandbox; its log says what."}
            )

    def events(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not streams.acquire(blocking=False):
            # The page falls back to asking now and then.
            return send_json(start_response, 503, {"error": "Too many live pages open; this one polls."})
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/event-stream"),
                ("Cache-Control", "no-cache"),
                ("X-Accel-Buffering", "no"),
            ],
        )
        return stream(sandbox, query_value(environ, "since"), streams.release)

    return app


def stream(sandbox: Sandbox, since: str, done: Callable[[], None]) -> Iterator[bytes]:
    """`data: {"version": N}` each time the workspace or the program changes."""
    standin = sandbox.standin
    try:
        seen = int(since) if since.isdigit() else -1
        waited = 0.0
        yield b"retry: 1000\n\n"
        while waited < STREAM_SECONDS:
            with standin.changed:
                if standin.version == seen:
                    standin.changed.wait(timeout=STREAM_HEARTBEAT_SECONDS)
                version = standin.version
            if version != seen:
                seen = version
                yield f"data: {json.dumps({'version': version})}\n\n".encode()
            else:
                waited += STREAM_HEARTBEAT_SECONDS
                yield b": still here\n\n"
    finally:
        done()


# --- actions -----------------------------------------------------------------------------------------


def text_field(body: dict[str, Any], name: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise PageError(f"{name} must be text.")
    if required and not value.strip():
        raise PageError(f"Type something first ({name} is empty).")
    if len(value) > limit:
        raise PageError(f"That is too long: at most {limit} characters.")
    return value


def person_from(sandbox: Sandbox, value: Any) -> str:
    if not isinstance(value, str) or not USER_ID.match(value):
        raise PageError("Pick a person first: who is acting?")
    with sandbox.standin.lock:
        if value not in sandbox.standin.users:
            raise PageError(f"There is no person {value} in this sandbox: pick someone from the list.")
    return value


def values_from(body: dict[str, Any]) -> dict[str, Any]:
    values = body.get("values") or {}
    if not isinstance(values, dict):
        raise PageError("The form's values are not readable.")
    return values


def command(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    person = person_from(sandbox, body.get("as"))
    text = text_field(body, "text", required=False)
    answer = sandbox.slack.command(person, text_field(body, "channel", 40), text)
    return {"ok": not answer.error and answer.status == 200, "error": answer.error}


def message(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    person = person_from(sandbox, body.get("as"))
    answer = sandbox.slack.message(person, text_field(body, "channel", 40), text_field(body, "text"))
    return {"ok": not answer.error}


def open_home(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    answer = sandbox.slack.open_home(person_from(sandbox, body.get("as")))
    return {"ok": not answer.error}


def action(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    person = person_from(sandbox, body.get("as"))
    block_id = text_field(body, "block_id", 255)
    action_id = text_field(body, "action_id", 255)
    choice = body.get("choice")
    if choice is not None and not isinstance(choice, str | list):
        raise PageError("A choice must be text or a list.")
    if body.get("view_id"):
        answer = sandbox.slack.click_in_view(
            person, text_field(body, "view_id", 40), block_id, action_id, choice, values_from(body)
        )
    else:
        answer = sandbox.slack.click_in_message(
            person,
            text_field(body, "channel", 40),
            text_field(body, "ts", 40),
            block_id,
            action_id,
            choice,
            ephemeral=bool(body.get("ephemeral")),
        )
    return {"ok": not answer.error, "error": answer.error}


def submit(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    person = person_from(sandbox, body.get("as"))
    return sandbox.slack.submit(person, text_field(body, "view_id", 40), values_from(body))


def close(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    sandbox.slack.close(person_from(sandbox, body.get("as")), text_field(body, "view_id", 40))
    return {"closed": True}


def go_to(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    text = text_field(body, "to", 40)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PageError(f"{text!r} is not a date and time, like 2026-11-15T10:00.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=sandbox.settings.zone)
    runs = sandbox.jobs.go_to(moment)
    sandbox.standin.touch()
    return {"now": sandbox.clock().isoformat(), "ran": [run.summary for run in runs]}


def run_job(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    name = text_field(body, "name", 40)
    if name not in JOBS:
        raise PageError(f"There is no job {name!r}; the jobs are {', '.join(JOBS)}.")
    run = sandbox.jobs.run_now(name)
    sandbox.standin.touch()
    return {"ran": run.summary, "notes": list(run.notes)}


def add_person(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    name = " ".join(text_field(body, "name", 80).split())
    handle = re.sub(r"[^a-z0-9.]+", ".", name.lower()).strip(".") or "someone"
    with sandbox.standin.lock:
        taken = {user["name"] for user in sandbox.standin.users.values()}
        while handle in taken:
            handle += "1"
        user_id = sandbox.standin.next_id("U0NEW")
        sandbox.standin.add_user(user_id, name, sandbox.settings.timezone, handle=handle)
    return {"id": user_id, "name": name, "handle": handle}


ACTIONS: dict[str, Callable[[Sandbox, dict[str, Any]], dict[str, Any]]] = {
    "/sandbox/command": command,
    "/sandbox/message": message,
    "/sandbox/home": open_home,
    "/sandbox/action": action,
    "/sandbox/submit": submit,
    "/sandbox/close": close,
    "/sandbox/clock": go_to,
    "/sandbox/jobs": run_job,
    "/sandbox/people": add_person,
}


# --- HTTP helpers --------------------------------------------------------------------------------------


def host_name(environ: dict[str, Any]) -> str:
    """The Host header's name, without its port (`[::1]:3000` → `::1`)."""
    value = str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "").lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def query_value(environ: dict[str, Any], name: str) -> str:
    for part in str(environ.get("QUERY_STRING") or "").split("&"):
        key, _, value = part.partition("=")
        if key == name:
            return value
    return ""


def read_json(environ: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise PageError("The request's length is unreadable.") from None
    if length > MAX_BODY_BYTES or length < 0:
        raise PageError(f"That is too much at once (over {MAX_BODY_BYTES // 1000} kB).")
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise PageError("The request is not JSON.") from None
    if not isinstance(body, dict):
        raise PageError("The request must be a JSON object.")
    return body


def static(start_response: StartResponse, name: str) -> list[bytes]:
    if not STATIC_NAME.match(name):
        return send_json(start_response, 404, {"error": "No such file."})
    try:
        payload = resources.files("bot.sandbox").joinpath("static", name).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return send_json(start_response, 404, {"error": "No such file."})
    start_response(
        "200 OK",
        [
            ("Content-Type", CONTENT_TYPES[name.rsplit(".", 1)[1]]),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-cache"),
        ],
    )
    return [payload]


STATUS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def send_json(start_response: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body, ensure_ascii=False).encode()
    start_response(
        f"{status} {STATUS.get(status, '')}",
        [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(payload)))],
    )
    return [payload]
