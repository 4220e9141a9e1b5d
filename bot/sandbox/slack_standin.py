"""A local stand-in for Slack, served over HTTP: its Web API and its `response_url`s.

The bot reaches it through `SLACK_API_URL` (the WebClient's `base_url`) exactly as it reaches Slack.
It is as strict as Slack where it matters: the bearer token, only the methods in
`bot.sandbox.slack_methods.METHODS`, the arguments Slack requires (a `text` fallback on every
message), Block Kit limits (`bot.sandbox.block_kit`), trigger IDs that expire after 3 seconds and
work once, and `hash_conflict` when a view changed under an update. The tests' fake Slack is this
stand-in with call recording and fault injection on top (tests/fakes/slack.py).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from bot.sandbox.block_kit import SlackError, check_message
from bot.sandbox.slack_files import UPLOAD_PATH, receive_upload
from bot.sandbox.slack_methods import METHODS, SCOPES
from bot.sandbox.slack_workspace import (
    RESPONSE_URL_LIFETIME_SECONDS,
    RESPONSE_URL_USES,
    Ephemeral,
    Message,
    ResponseTarget,
    Workspace,
)

# Methods Slack accepts only with the app-level token (xapp-), and never with a bot token.
APP_TOKEN_METHODS = {"apps.connections.open"}
# Requests to the stand-in are the bot's own; anything bigger is not a Web API call.
MAX_API_BODY_BYTES = 2_000_000

StartResponse = Callable[..., Any]


class SlackStandin(Workspace):
    """The workspace with Slack's Web API and response URLs in front of it."""

    # --- the Web API --------------------------------------------------------------------------------

    def answer(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        """Slack's answer to a Web API call: `{"ok": true, ...}`, or SlackError.

        JSON-valued arguments (`blocks`, `view`, `metadata`) are decoded in `args` itself.
        """
        handler = METHODS.get(method)
        if not token:
            raise SlackError("not_authed")
        expected = self.app_token if method in APP_TOKEN_METHODS else self.token
        if token != expected:
            known = token in (self.token, self.app_token)
            raise SlackError("not_allowed_token_type" if known else "invalid_auth")
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
                try:
                    args[name] = json.loads(args[name])
                except ValueError:
                    raise SlackError("invalid_arguments", f"{name} is not JSON") from None
        with self.lock:
            result = handler.run(self, args)
            self.touch()
        return {"ok": True, **result}

    def respond(self, path: str, payload: dict[str, Any]) -> None:
        """A post to a response_url: a new message (ephemeral unless `in_channel`), or the original
        message replaced or deleted. SlackError when Slack would refuse it."""
        with self.lock:
            target = self.response_targets.get(path)
            if target is None:
                if self.strict:
                    raise SlackError("no_such_response_url")
                return
            if (
                target.uses >= RESPONSE_URL_USES
                or time.monotonic() - target.issued_at > RESPONSE_URL_LIFETIME_SECONDS
            ):
                raise SlackError("expired_url")
            target.uses += 1
            if payload.get("delete_original"):
                self._delete_original(target)
            elif payload.get("replace_original"):
                check_message(payload)
                self._replace_original(target, payload)
            else:
                check_message(payload)
                if payload.get("response_type") == "in_channel":
                    self.messages.append(
                        Message(target.channel, self.next_ts(), payload["text"], payload.get("blocks"), None)
                    )
                else:
                    self.ephemerals.append(
                        Ephemeral(
                            target.channel,
                            target.user,
                            self.next_ts(),
                            payload["text"],
                            payload.get("blocks"),
                        )
                    )
            self.touch()

    def _original(self, target: ResponseTarget) -> Message | Ephemeral | None:
        pool: list[Any] = self.ephemerals if target.is_ephemeral else self.messages
        return next((m for m in pool if m.channel == target.channel and m.ts == target.message_ts), None)

    def _replace_original(self, target: ResponseTarget, payload: dict[str, Any]) -> None:
        original = self._original(target)
        if original is None:
            raise SlackError("message_not_found")
        original.text, original.blocks = payload["text"], payload.get("blocks")

    def _delete_original(self, target: ResponseTarget) -> None:
        original = self._original(target)
        if original is None:
            raise SlackError("message_not_found")
        if isinstance(original, Ephemeral):
            self.ephemerals.remove(original)
        else:
            self.messages.remove(original)

    # --- HTTP -----------------------------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The stand-in served over HTTP: `POST /api/METHOD` and `POST /response/...`."""
        path = str(environ.get("PATH_INFO") or "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_API_BODY_BYTES:
            return send(start_response, 413, {"ok": False, "error": "request_too_large"})
        raw = environ["wsgi.input"].read(length) if length else b""
        if path.startswith("/" + UPLOAD_PATH):
            status, body = receive_upload(self, path, raw)
            return send(start_response, status, body)
        if path.startswith("/files/"):
            return self.serve_file(path, start_response)
        if path.startswith("/response/"):
            try:
                payload = json.loads(raw or b"{}")
                if not isinstance(payload, dict):
                    raise ValueError("not an object")
                self.respond(path, payload)
            except ValueError:
                return send(start_response, 400, b"invalid_payload")
            except SlackError as exc:
                self.record_refusal("response_url", exc)
                return send(
                    start_response, 404 if exc.error == "no_such_response_url" else 400, exc.error.encode()
                )
            return send(start_response, 200, b"ok")
        if not path.startswith("/api/"):
            return send(start_response, 404, {"ok": False, "error": "not_found"})
        method, args, token = read_api_request(
            path,
            str(environ.get("QUERY_STRING") or ""),
            raw,
            str(environ.get("CONTENT_TYPE") or ""),
            str(environ.get("HTTP_AUTHORIZATION") or ""),
        )
        return send(start_response, 200, self.answer_or_error(method, args, token))

    def serve_file(self, path: str, start_response: StartResponse) -> list[bytes]:
        """A shared file's bytes (the page shows an uploaded chart in its channel)."""
        with self.lock:
            upload = self.uploads.get(path.rsplit("/", 1)[-1])
            data = upload.data if upload is not None and upload.completed else None
        if data is None:
            return send(start_response, 404, b"not found")
        start_response("200 OK", [("Content-Type", "image/png"), ("Content-Length", str(len(data)))])
        return [data]

    def answer_or_error(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        try:
            return self.answer(method, args, token)
        except SlackError as exc:
            self.record_refusal(method, exc)
            return error_body(exc)


def error_body(exc: SlackError) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error": exc.error, **exc.extra}
    if exc.detail:
        body["response_metadata"] = {"messages": [exc.detail]}
    return body


def read_api_request(
    path: str, query: str, raw: bytes, content_type: str, authorization: str
) -> tuple[str, dict[str, Any], str]:
    """A Web API request as Slack reads it: the method, its arguments (query, form or JSON body)
    and the token (the `Authorization: Bearer` header, or a `token` argument)."""
    method = path.removeprefix("/api/")
    args: dict[str, Any] = dict(parse_qsl(query))
    if raw:
        if content_type.startswith("application/json"):
            with contextlib.suppress(ValueError):
                body = json.loads(raw)
                if isinstance(body, dict):
                    args.update(body)
        else:
            args.update(dict(parse_qsl(raw.decode("utf-8", "replace"))))
    token = authorization.removeprefix("Bearer ").strip() or str(args.pop("token", "") or "")
    return method, args, token


def send(start_response: StartResponse, status: int, body: dict[str, Any] | bytes) -> list[bytes]:
    if isinstance(body, bytes):
        payload, content_type = body, "text/plain"
    else:
        payload, content_type = json.dumps(body).encode(), "application/json; charset=utf-8"
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 413: "Content Too Large"}.get(status, "")
    start_response(
        f"{status} {reason}", [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
    )
    return [payload]
