"""Reading a page's title and kind against a real local HTTP server: what is read, and what is refused.

The server listens on loopback, which the bot never fetches: each reader here is given an address
check that lets 127.0.0.1 through (and only that), the way a test may and production cannot.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bot.web.link_details import LinkDetails, LinkReader, page_meta
from tests.helpers.web import Site, loopback_too


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.stop()


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
