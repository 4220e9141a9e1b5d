"""The tests' fake GitHub: the sandbox's GitHub stand-in (`bot.sandbox.github_standin`), recording
every call and able to fail on demand.

An `http.server` on 127.0.0.1:0 in a thread, reached through `GITHUB_API_URL`. The stand-in keeps real
git objects, checks the token and the required fields of each request body, and answers with
GitHub's shapes and errors (401, 404, 422); on top, this fake records every call (`calls`) and can
answer with a fault: any status, or GitHub's secondary rate limits (403 or 429, with or without
`Retry-After`).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.sandbox.github_repository import TOKEN, GitHubHTTPError, git_sha
from bot.sandbox.github_shapes import Pull, Team
from bot.sandbox.github_standin import (
    PROBLEMS_PARSING_JSON,
    SECONDARY_RATE_LIMIT,
    GitHubStandin,
    error_answer,
    response_headers,
)

__all__ = ["SECONDARY_RATE_LIMIT", "TOKEN", "Call", "FakeGitHub", "Fault", "Pull", "Team", "git_sha"]


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    message: str = ""
    retry_after: int | None = None
    times: int = 1


@dataclass
class FakeGitHub(GitHubStandin):
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._server: ThreadingHTTPServer | None = None
        self._calls_lock = threading.Lock()

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

            def do_PATCH(self) -> None:
                fake._handle(self)

            def do_PUT(self) -> None:
                fake._handle(self)

            def do_DELETE(self) -> None:
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}/api/v3"
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return self.base_url

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        message: str = "",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` to a path matching `path` (a regex) with an error."""
        self.faults.append(Fault(method, re.compile(path), status, message, retry_after, times))

    def rate_limit(
        self, method: str, path: str, retry_after: int | None = 1, times: int = 1, status: int = 403
    ) -> None:
        """GitHub's secondary rate limit: 403 or 429, with `Retry-After` or (`retry_after=None`) without
        it, and the primary limit's headers still showing requests remaining, as GitHub sends them."""
        self.fail(method, path, status, SECONDARY_RATE_LIMIT, retry_after, times)

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        regex = re.compile(pattern)
        return [call for call in self.calls if call.method == method and regex.search(call.path)]

    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.method != "GET"]

    # --- HTTP: record, maybe fail, then let the stand-in answer -------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        method = request.command
        path = unquote(parts.path).removeprefix("/api/v3")
        query = dict(parse_qsl(parts.query))
        try:
            body: Any = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            self._send(request, 400, PROBLEMS_PARSING_JSON)
            return
        with self._calls_lock:
            self.calls.append(Call(method, path, query, body, time.time()))
            fault = next((f for f in self.faults if f.method == method and f.path.search(path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            error = GitHubHTTPError(fault.status, fault.message or "Server Error", headers=headers)
            self._send(request, error.status, error_answer(error), error.headers)
            return
        status, answer, headers = self.answer(
            method, path, query, body, raw, request.headers.get("Authorization") or ""
        )
        self._send(request, status, answer, headers)

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        request.send_response(status)
        all_headers = response_headers({"Content-Length": str(len(payload)), **(headers or {})})
        if body is None:  # 204 No Content
            del all_headers["Content-Type"]
        for key, value in all_headers.items():
            request.send_header(key, value)
        request.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            request.wfile.write(payload)
