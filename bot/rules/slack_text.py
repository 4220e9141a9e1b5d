"""Slack's formatting in command text, decoded once into what the member typed (docs/slack-text.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# An entity ends at the first ">" (Slack escapes every other ">" as "&gt;").
ENTITY = re.compile(r"<([^<>]*)>")
ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
ENTITY_REFERENCE = re.compile(r"&(?:lt|gt|amp);")
WHITESPACE = re.compile(r"\s+")
USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")


class Kind(StrEnum):
    TEXT = "text"
    LINK = "link"
    USER = "user"
    CHANNEL = "channel"
    USERGROUP = "usergroup"
    SPECIAL = "special"  # @here, @channel, @everyone, dates


@dataclass(frozen=True)
class Word:
    """One whitespace-separated word: as typed, and what it points to when it is one whole entity."""

    text: str
    kind: Kind = Kind.TEXT
    target: str = ""  # the URL, or the user, channel or user-group ID

    @property
    def link(self) -> str:
        """The address when the word is a Slack link, otherwise the word as typed (maybe a link)."""
        return self.target if self.kind is Kind.LINK else self.text

    @property
    def user_id(self) -> str | None:
        return self.target if self.kind is Kind.USER else None


def unescape(text: str) -> str:
    """`&amp;`, `&lt;`, `&gt;` back to `&`, `<`, `>` (only the three Slack escapes, in one pass)."""
    return ENTITY_REFERENCE.sub(lambda match: ENTITIES[match.group(0)], text)


def entity(inner: str) -> Word:
    """The word for one `<...>` entity, given what is between the angle brackets."""
    target, bar, label = inner.partition("|")
    label = unescape(label)
    if target.startswith("@") and USER_ID.match(target[1:]):
        return Word("@" + (label or target[1:]), Kind.USER, target[1:])
    if target.startswith("#") and CHANNEL_ID.match(target[1:]):
        return Word("#" + (label or target[1:]), Kind.CHANNEL, target[1:])
    if target.startswith("!subteam^"):
        group = target.removeprefix("!subteam^")
        shown = label or "@" + group
        return Word(shown if shown.startswith("@") else "@" + shown, Kind.USERGROUP, group)
    if target.startswith("!"):
        # <!here>, <!channel>, <!everyone>, <!here|here>, <!date^1392734382^{date}|Feb 18, 2014>
        name = target[1:].split("^", 1)[0]
        if label and name == "date":
            return Word(label, Kind.SPECIAL, name)
        return Word("@" + (label.removeprefix("@") or name), Kind.SPECIAL, name)
    url = unescape(target)
    if not bar and not url:
        return Word("<>")
    # The label is what the member typed (`example.com` for <http://example.com|example.com>).
    return Word(label or url, Kind.LINK, url)


def _typed(chunk: str) -> str:
    """A chunk of text with every entity in it replaced by what the member typed (escapes undone once)."""
    parts: list[str] = []
    position = 0
    for match in ENTITY.finditer(chunk):
        parts.append(unescape(chunk[position : match.start()]))
        parts.append(entity(match.group(1)).text)
        position = match.end()
    parts.append(unescape(chunk[position:]))
    return "".join(parts)


def decode(text: str) -> str:
    """The text as the member typed it: entities shown as typed, the three escapes undone, once."""
    return _typed(text)


def words(text: str) -> list[Word]:
    """The text's words; an entity with spaces in its label (`<@U1|Jane Doe>`) stays one word."""
    result: list[Word] = []
    for chunk in _chunks(text):
        whole = ENTITY.fullmatch(chunk)
        result.append(entity(whole.group(1)) if whole else Word(_typed(chunk)))
    return result


def _chunks(text: str) -> list[str]:
    """Whitespace-separated chunks of raw text; whitespace inside an entity does not split it."""
    chunks: list[str] = []
    current = ""
    position = 0
    for match in [*ENTITY.finditer(text), None]:
        plain = text[position : match.start() if match else len(text)]
        parts = WHITESPACE.split(plain)
        current += parts[0]
        for part in parts[1:]:
            if current:
                chunks.append(current)
            current = part
        if match is None:
            break
        current += match.group(0)
        position = match.end()
    if current:
        chunks.append(current)
    return chunks


def split_first(text: str) -> tuple[str, str]:
    """The first word of raw Slack text and the raw rest (leading whitespace and the word removed)."""
    parts = WHITESPACE.split(text.strip(), maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""
