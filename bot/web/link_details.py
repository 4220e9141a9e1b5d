"""Reading a page's title and kind for the log form, strictly: a link typed in Slack must not make the
bot reach into the network it runs in, hang, or swallow a large file.

- only http and https, at most `max_redirects` redirects, each hop checked again;
- the host is resolved first, every address it resolves to is checked (`allow_address`: public
  addresses only, by default), and the connection goes to the address that was checked, so a name
  that resolves differently a moment later cannot slip through; TLS still checks the host's name;
- `timeout` seconds for everything (name lookup, connection, redirects, body), `max_bytes` read at most;
- the HTML is parsed by a real parser (Beautiful Soup on Python's html.parser), OpenGraph first.

The address check and the name lookup are parameters, so tests may let their local server through
without a setting that could loosen it in production.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
import typing
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

import httpcore
from bs4 import BeautifulSoup, SoupStrainer
from bs4.element import Tag

from bot.rules import links

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2.0
MAX_BYTES = 512 * 1024
MAX_REDIRECTS = 3
REDIRECTS = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = "ambassador-bot (reads a page's title for its log form)"

AddressCheck = Callable[[str], bool]
Resolver = Callable[[str, int], list[str]]


class Refused(httpcore.ConnectError):
    """The host resolves to an address the bot does not fetch (private, loopback, link-local...)."""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, for a TCP connection."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# Name lookups have no timeout of their own: they run here, and the caller waits no longer than its
# deadline (a lookup that hangs finishes in the background, its answer unused).
_LOOKUPS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="link-lookup")


@dataclass(frozen=True)
class LinkDetails:
    """What a page says about itself. `title` is None when it could not be read (or has none)."""

    url: str
    title: str | None
    kind: str | None  # a canonical contribution type, or None


class _DeadlineStream(httpcore.NetworkStream):
    """A connection that never waits past the reader's deadline, whatever each call asks for."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def _left(self, timeout: float | None) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the page took too long")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._left(timeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _CheckedBackend(httpcore.NetworkBackend):
    """Resolves the host, checks every address, and connects to the checked one."""

    def __init__(self, allow_address: AddressCheck, resolver: Resolver, deadline: float) -> None:
        self._allow = allow_address
        self._resolver = resolver
        self._deadline = deadline
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("no time left to connect")
        try:
            addresses = _LOOKUPS.submit(self._resolver, host, port).result(timeout=left)
        except FutureTimeout:
            raise httpcore.ConnectTimeout(f"looking up {host} took too long") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot look up {host}: {exc}") from None
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        refused = [address for address in addresses if not self._allow(address)]
        if refused:
            # One private address among public ones is enough to refuse: which one a later lookup
            # (or the connection) would use is not ours to choose.
            raise Refused(f"{host} resolves to an address the bot does not fetch")
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("no time left to connect")
        stream = self._sockets.connect_tcp(
            addresses[0],
            port,
            timeout=left if timeout is None else min(timeout, left),
            socket_options=socket_options,
        )
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class LinkReader:
    """Reads links for the log form; one per process, shared by threads (it keeps no state)."""

    allow_address: AddressCheck = links.is_public_address
    resolver: Resolver = resolve
    timeout: float = TIMEOUT_SECONDS
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS

    def read(self, url: str) -> LinkDetails:
        """The page's title and kind; what cannot be read is None (the kind may still come from the host)."""
        url = url.strip()
        if not links.fetchable(url):
            return LinkDetails(url, None, None)
        deadline = time.monotonic() + self.timeout
        try:
            return self._read(url, deadline)
        except Refused as exc:
            log.info("link details: not fetched (%s)", exc)
        except (httpcore.TimeoutException, FutureTimeout):
            log.info("link details: %s did not answer within %ss", _host(url), self.timeout)
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, OSError) as exc:
            log.info("link details: %s could not be read (%s)", _host(url), exc.__class__.__name__)
        return LinkDetails(url, None, links.kind_of(url))

    def _read(self, url: str, deadline: float) -> LinkDetails:
        current = url
        ssl_context = ssl.create_default_context()
        backend = _CheckedBackend(self.allow_address, self.resolver, deadline)
        # No proxy from the environment: a proxy would make the connection the bot checked a different one.
        with httpcore.ConnectionPool(
            ssl_context=ssl_context, network_backend=backend, max_connections=1, retries=0
        ) as pool:
            for _hop in range(self.max_redirects + 1):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise httpcore.ReadTimeout("no time left")
                timeouts = {"connect": left, "read": left, "write": left, "pool": left}
                with pool.stream(
                    "GET",
                    current,
                    headers=[
                        (b"User-Agent", USER_AGENT.encode()),
                        (b"Accept", b"text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"),
                    ],
                    extensions={"timeout": timeouts},
                ) as response:
                    headers = {name.decode("latin-1").lower(): value for name, value in response.headers}
                    if response.status in REDIRECTS:
                        location = headers.get("location", b"").decode("latin-1").strip()
                        following = urljoin(current, location) if location else ""
                        if not following or not links.fetchable(following):
                            return LinkDetails(current, None, links.kind_of(current))
                        current = following
                        continue
                    if response.status != 200:
                        return LinkDetails(current, None, links.kind_of(current))
                    content_type = headers.get("content-type", b"").decode("latin-1")
                    media, charset = _media_type(content_type)
                    if media not in HTML_TYPES:
                        return LinkDetails(current, None, links.kind_of(current))
                    body = self._body(response.iter_stream(), deadline)
                    break
            else:
                return LinkDetails(current, None, links.kind_of(current))
        title, og_type = page_meta(body, charset)
        return LinkDetails(current, links.clean_title(title), links.kind_of(current, og_type))

    def _body(self, chunks: Iterable[bytes], deadline: float) -> bytes:
        """At most `max_bytes` of the body (the head, where the title is, comes first)."""
        parts: list[bytes] = []
        size = 0
        for chunk in chunks:
            parts.append(chunk[: self.max_bytes - size])
            size += len(parts[-1])
            if size >= self.max_bytes or time.monotonic() >= deadline:
                break
        return b"".join(parts)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or "the link"
    except ValueError:
        return "the link"


def _media_type(content_type: str) -> tuple[str, str | None]:
    message = Message()
    message["content-type"] = content_type or "application/octet-stream"
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for tag in soup.find_all("meta"):
        if not isinstance(tag, Tag):
            continue
        key = str(tag.get("property") or tag.get("name") or "").strip().lower()
        if key in names:
            content = tag.get("content")
            if isinstance(content, str) and content.strip():
                return content
    return None


def page_meta(body: bytes, charset: str | None = None) -> tuple[str | None, str | None]:
    """A page's title (OpenGraph's, Twitter's, then `<title>`) and its `og:type`."""
    soup = BeautifulSoup(
        body, "html.parser", parse_only=SoupStrainer(["meta", "title"]), from_encoding=charset
    )
    title = _meta(soup, "og:title", "twitter:title")
    if title is None and soup.title is not None:
        title = soup.title.get_text()
    return title, _meta(soup, "og:type")
