"""Reading a contribution from a link or a message: which kind of contribution a page is, which
addresses the bot may fetch at all, and the guess a shared message gives (its link, a title).

Plain functions: the page itself is fetched and parsed by `bot.web.link_details`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from urllib.parse import urlsplit

from bot.rules import membership as membership_rules
from bot.rules import slack_text

# Hosts whose pages are, whatever they say about themselves, a video, a podcast or slides.
VIDEO_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "twitch.tv", "dailymotion.com", "wistia.com")
PODCAST_HOSTS = (
    "podcasts.apple.com",
    "podcasts.google.com",
    "anchor.fm",
    "podbean.com",
    "buzzsprout.com",
    "simplecast.com",
    "transistor.fm",
    "libsyn.com",
    "spreaker.com",
    "podcasters.spotify.com",
    "castbox.fm",
    "pca.st",
    "overcast.fm",
)
SLIDES_HOSTS = ("speakerdeck.com", "slideshare.net", "slides.com")
# Spotify serves music and podcasts from one host: only its episodes and shows are podcasts.
SPOTIFY_PODCAST_PATHS = ("/episode/", "/show/")


def _host_is(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def kind_of(url: str, og_type: str | None = None) -> str | None:
    """The contribution type a page probably is (a canonical type), or None when nothing says.

    The host decides first (a YouTube page is a video whatever its `og:type`), then OpenGraph's
    `og:type` ("video.other" → video, "article" → article, "music.song" is not a podcast).
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if _host_is(host, VIDEO_HOSTS):
        return "video"
    if _host_is(host, PODCAST_HOSTS):
        return "podcast"
    if host == "open.spotify.com" and parts.path.startswith(SPOTIFY_PODCAST_PATHS):
        return "podcast"
    if _host_is(host, SLIDES_HOSTS):
        return "presentation"
    kind = (og_type or "").strip().lower()
    if kind.startswith("video"):
        return "video"
    if kind in ("podcast", "podcast.episode", "music.radio_station"):
        return "podcast"
    if kind in ("article", "blog", "blogposting"):
        return "article"
    return None


def clean_title(raw: str | None) -> str | None:
    """A page title fit for the form: one line, no control characters, at most the title's length."""
    if not raw:
        return None
    text = "".join(char for char in raw if not membership_rules.control_characters(char))
    text = " ".join(text.split())
    if not text:
        return None
    limit = membership_rules.TITLE_MAX_LENGTH
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- which addresses may be fetched -----------------------------------------------------------


def is_public_address(address: str) -> bool:
    """An address on the public internet: not private, loopback, link-local, multicast, reserved or
    unspecified, also when hidden inside IPv6 (an IPv4-mapped or 6to4 address)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def fetchable(url: str) -> bool:
    """Only http and https links with a host, of a sensible length, are read."""
    return membership_rules.link_problem(url) is None


# --- a shared message ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageGuess:
    """What a message someone shared says about a contribution: its first web link, a title."""

    link: str
    title: str


def guess_from_message(slack_message_text: str) -> MessageGuess:
    """The first http(s) link of a message (in Slack's formatting), and a title: the link's label when
    the author gave one, otherwise the message's first line without its links."""
    words = slack_text.words(slack_message_text or "")
    link = ""
    label = ""
    for word in words:
        if word.kind is slack_text.Kind.LINK and membership_rules.is_http_link(word.target):
            link = word.target
            if word.text != word.target and not membership_rules.is_http_link(word.text):
                label = word.text
            break
    if label:
        return MessageGuess(link, clean_title(label) or "")
    lines = [
        " ".join(
            word.text
            for word in slack_text.words(line)
            if word.kind is not slack_text.Kind.LINK and not membership_rules.is_http_link(word.text)
        )
        for line in (slack_message_text or "").splitlines()
    ]
    first = next((line for line in lines if line.strip(" :-–—")), "")
    return MessageGuess(link, clean_title(_without_trailing_separator(first)) or "")


EMOJI_AT_END = re.compile(r":[\w+-]+:$")


def _without_trailing_separator(text: str) -> str:
    """The text without what led to its link: "Check out my post:" → "Check out my post" (an emoji's colon stays)."""
    text = text.strip().rstrip("-–—").strip()
    if text.endswith(":") and not EMOJI_AT_END.search(text):
        text = text[:-1].strip()
    return text


def message_day(ts: str, zone: tzinfo) -> date | None:
    """The day a Slack message was posted (its `ts` counts seconds since the epoch), in `zone`."""
    try:
        seconds = float(ts)
    except (TypeError, ValueError):
        return None
    if not 0 < seconds < 1e11:
        return None
    return datetime.fromtimestamp(seconds, UTC).astimezone(zone).date()
