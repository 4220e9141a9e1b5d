"""A small local web site for link details: pages by path, redirects, a slow page, a large page.

It listens on loopback, which the bot never fetches: tests give their `LinkReader` (or the bot's
`deps.link_reader`) `loopback_too` as its address check, which lets 127.0.0.1 through and nothing else.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.rules import links

PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'>"
    "<meta property='og:title' content='AsyncAPI at KubeCon — día 1'>"
    "<meta property='og:type' content='video.other'>"
    "<title>ignored</title></head><body>hi</body></html>"
).encode()


class Site:
    """A small web site: pages by path, redirects, a slow page, a large page; counts the hits."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.sent: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                site.serve(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path
        if path.startswith("/redirect-to/"):
            request.send_response(302)
            request.send_header("Location", path.removeprefix("/redirect-to/").replace("__", "://", 1))
            request.end_headers()
            return
        if path == "/slow":
            request.send_response(200)
            request.send_header("Content-Type", "text/html")
            request.end_headers()
            try:
                for _ in range(40):
                    request.wfile.write(b"<p>still coming</p>")
                    request.wfile.flush()
                    time.sleep(0.1)
                request.wfile.write(PAGE)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if path.startswith("/large"):
            title_after = int(path.rsplit("/", 1)[1])
            body = b"<html><head>" + b"<!-- padding -->" * (title_after // 16) + PAGE + b"x" * 2_000_000
            request.send_response(200)
            request.send_header("Content-Type", "text/html")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            sent = 0
            try:
                for start in range(0, len(body), 65536):
                    request.wfile.write(body[start : start + 65536])
                    sent += len(body[start : start + 65536])
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.sent[path] = sent
            return
        if path == "/pdf":
            request.send_response(200)
            request.send_header("Content-Type", "application/pdf")
            request.end_headers()
            request.wfile.write(b"%PDF-1.4 <title>not a page</title>")
            return
        if path == "/latin1":
            request.send_response(200)
            request.send_header("Content-Type", "text/html; charset=iso-8859-1")
            request.end_headers()
            request.wfile.write("<title>Caf\xe9 con AsyncAPI</title>".encode("latin-1"))
            return
        if path == "/missing":
            request.send_response(404)
            request.end_headers()
            return
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.end_headers()
        request.wfile.write(PAGE)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def loopback_too(address: str) -> bool:
    return address == "127.0.0.1" or links.is_public_address(address)
