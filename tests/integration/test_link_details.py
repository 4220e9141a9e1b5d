"""Reading a page's title and kind against a real local HTTP server: what is read, and what is refused.

The server listens on loopback, which the bot never fetches: each reader here is given an address
check that lets 127.0.0.1 through (and only that), the way a test may and production cannot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.rules import links
from bot.web.link_details import LinkDetails, LinkReader, page_meta

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


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.stop()


def loopback_too(address: str) -> bool:
    return address == "127.0.0.1" or links.is_public_address(address)


def reader(**options: object) -> LinkReader:
    return LinkReader(allow_address=loopback_too, **options)  # type: ignore[arg-type]


def test_a_page_gives_its_opengraph_title_and_kind(site: Site) -> None:
    details = reader().read(site.url + "/talk")
    assert details == LinkDetails(site.url + "/talk", "AsyncAPI at KubeCon — día 1", "video")
    assert reader().read(site.url + "/latin1").title == "Café con AsyncAPI"


def test_redirects_are_followed_and_each_hop_is_checked(site: Site) -> None:
    hop = f"{site.url}/redirect-to/{site.url.replace('://', '__')}/final"
    assert reader().read(hop).title == "AsyncAPI at KubeCon — día 1"
    assert site.hits == ["/redirect-to/" + site.url.replace("://", "__") + "/final", "/final"]

    # A redirect to the cloud's metadata address, or to a private one: never connected to.
    for target in ("http__169.254.169.254/latest/meta-data", "http__10.0.0.7/admin", "ftp__example.org/x"):
        assert reader().read(f"{site.url}/redirect-to/{target}").title is None
    endless = f"{site.url}/redirect-to/{site.url.replace('://', '__')}/redirect-to/" + site.url.replace(
        "://", "__"
    )
    assert reader(max_redirects=1).read(endless + "/x").title is None


def test_loopback_private_and_link_local_addresses_are_refused_by_default(site: Site) -> None:
    assert LinkReader().read(site.url + "/talk") == LinkDetails(site.url + "/talk", None, None)
    assert site.hits == []
    # A public-looking name that resolves to a private address is refused before any connection,
    # and so is one that resolves to a public and a private address at once.
    sneaky = LinkReader(resolver=lambda host, port: ["10.0.0.5"])
    assert sneaky.read("https://intranet.example.org/").title is None
    mixed = LinkReader(resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"])
    assert mixed.read("https://example.org/").title is None
    # The name is resolved once, and the connection goes to the address that was checked.
    resolved_to_site = reader(resolver=lambda host, port: ["127.0.0.1"])
    port = site.url.rsplit(":", 1)[1]
    assert (
        resolved_to_site.read(f"http://talks.example.org:{port}/talk").title == "AsyncAPI at KubeCon — día 1"
    )


def test_only_http_and_https_are_read() -> None:
    for url in ("ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)", "gopher://x", ""):
        assert reader().read(url).title is None


def test_what_is_not_an_html_page_gives_no_title_but_the_host_may_give_a_kind(site: Site) -> None:
    assert reader().read(site.url + "/pdf").title is None
    assert reader().read(site.url + "/missing").title is None
    # Nothing listens there: no title; a YouTube address is still a video.
    assert reader(resolver=lambda host, port: ["127.0.0.1"]).read("http://www.youtube.com:9/watch?v=x") == (
        LinkDetails("http://www.youtube.com:9/watch?v=x", None, "video")
    )


def test_a_slow_page_is_given_up_on_its_deadline(site: Site) -> None:
    started = time.monotonic()
    assert reader(timeout=0.5).read(site.url + "/slow").title is None
    # The deadline is the reader's own (2 s in production); a generous margin for a loaded machine.
    assert time.monotonic() - started < 3


def test_at_most_the_read_limit_is_read(site: Site) -> None:
    limited = reader(max_bytes=64 * 1024)
    assert limited.read(site.url + "/large/1000").title == "AsyncAPI at KubeCon — día 1"
    # A title past the limit is never seen: the rest of the page is not read.
    assert limited.read(site.url + "/large/200000").title is None


def test_the_page_is_parsed_by_an_html_parser_not_by_patterns() -> None:
    tricky = (
        b"<html><head><!-- <meta property='og:title' content='in a comment'> -->"
        b'<script>var s = "<title>in a script</title>";</script>'
        b"<META NAME='twitter:title' CONTENT='Twitter &amp; title'>"
        b"<title>Plain &lt;title&gt;</title></head></html>"
    )
    assert page_meta(tricky) == ("Twitter & title", None)
    assert page_meta(b"<title>\n  Only a\n title </title>") == ("\n  Only a\n title ", None)
    assert page_meta(b"") == (None, None)
    assert page_meta(b"\xff\xfe garbage \x00 <title>x") == ("x", None)
