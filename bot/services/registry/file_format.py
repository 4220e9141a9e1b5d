"""The website's members file (AsyncAPI's AMBASSADORS_MEMBERS.json / .yaml) and Emeritus.yaml: what
an entry may say, and how an entry is written. Pure: no database.

The file is the public record, so the registry keeps what it says exactly as written (contribution
types like "initiative_driver", months like "Jan" or "2022" or none, empty links, an integer or text
`githubID`, which keys a member has), and an export of what was imported gives the same data back.
`parse_members` checks the whole file before anything is written; whether each text fits the
registry's columns is checked by `bot.services.registry.importing`, which knows them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.github import public_files
from bot.rules import membership as membership_rules
from bot.rules import term_starts as start_rules
from bot.settings import SLACK_USER_ID

# File key → Member attribute, in the order the website's file writes them.
PROFILE_FIELDS: dict[str, str] = {
    "name": "name",
    "img": "img",
    "bio": "bio",
    "title": "title",
    "github": "github",
    "githubID": "github_id",
    "slack": "slack_user_id",
    "twitter": "twitter",
    "linkedin": "linkedin",
    "company": "company",
    "country": "country",
    "isTscMember": "is_tsc_member",
    "tscMemberSince": "tsc_member_since",
    "isBoardMember": "is_board_member",
}

BOOLEAN_FIELDS = {"isTscMember", "isBoardMember"}
CONTRIBUTION_KEYS = {"type", "title", "date", "link"}
GITHUB_HANDLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$")
YEAR_RANGE = range(1990, 2200)
EMERITUS_KEY = "emeritus_ambassadors"


class MembersFileError(ValueError):
    """The file cannot be imported; the message names the member and field, on one line."""


@dataclass(frozen=True)
class ContributionRecord:
    """One contribution as the file writes it."""

    type: str
    title: str
    year: int
    month: str | None
    link: str

    @property
    def link_key(self) -> str | None:
        """The key duplicate links are found by; None for empty (or non-web) links, which may repeat."""
        return (
            membership_rules.normalize_link(self.link) if membership_rules.is_http_link(self.link) else None
        )

    def occurred(self) -> tuple[date, membership_rules.DatePrecision]:
        return membership_rules.approximate_date(self.year, self.month)

    def as_file_entry(self) -> dict[str, Any]:
        return contribution_entry(self.type, self.title, self.year, self.month, self.link)


@dataclass(frozen=True)
class MemberRecord:
    """One member of the file: the profile keys it has (as Member attributes) and its contributions."""

    label: str  # "member 3 (hguerrero)", for messages
    profile: dict[str, Any]
    contributions: tuple[ContributionRecord, ...]
    keys: tuple[str, ...] = ()  # every key of the entry, in the file's order

    @property
    def github(self) -> str:
        return str(self.profile["github"])

    @property
    def slack_user_id(self) -> str | None:
        value = self.profile.get("slack_user_id")
        return str(value) if value else None


@dataclass(frozen=True)
class ParsedFile:
    members: tuple[MemberRecord, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmeritusList:
    github_handles: tuple[str, ...]
    # Emeritus members the website cannot list because the bot has no GitHub handle for them.
    without_github: tuple[str, ...] = ()

    def as_file_data(self) -> dict[str, list[str]]:
        return {EMERITUS_KEY: list(self.github_handles)}


# --- reading ----------------------------------------------------------------------------------


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: Any, where: str, *, required: bool = False) -> str:
    if isinstance(value, date):  # YAML reads an unquoted 2025-05-28 as a date
        value = value.isoformat()
    if not isinstance(value, str):
        raise MembersFileError(f"{where} must be text, not {describe(value)}")
    if required and not value.strip():
        raise MembersFileError(f"{where} is empty")
    return value


def _profile_value(key: str, value: Any, where: str) -> Any:
    if key in BOOLEAN_FIELDS:
        if not isinstance(value, bool):
            raise MembersFileError(f"{where} must be true or false, not {describe(value)}")
        return value
    if key == "githubID":
        # The website's file has integers, and older copies strings: kept as given.
        if isinstance(value, bool) or not isinstance(value, int | str) or str(value).strip() == "":
            raise MembersFileError(f"{where} must be a number (or its digits as text), not {describe(value)}")
        return value
    text = _text(value, where, required=key in ("name", "github"))
    if key == "github" and not GITHUB_HANDLE.match(text):
        raise MembersFileError(f"{where} {describe(text)} is not a GitHub handle")
    if key == "slack" and text and not SLACK_USER_ID.match(text):
        raise MembersFileError(f"{where} {describe(text)} is not a Slack member ID (like U012AB3CD)")
    return text


def _contribution(entry: Any, where: str) -> ContributionRecord:
    if not isinstance(entry, dict):
        raise MembersFileError(f"{where} must be a mapping with type, title, date and link")
    for key in ("type", "title", "date"):
        if key not in entry:
            raise MembersFileError(f"{where}.{key} is missing")
    kind = _text(entry["type"], f"{where}.type", required=True)
    title = _text(entry["title"], f"{where}.title", required=True)
    link = entry.get("link")
    link = "" if link is None else _text(link, f"{where}.link")
    when = entry["date"]
    if not isinstance(when, dict):
        raise MembersFileError(f"{where}.date must be a mapping with year (and month), not {describe(when)}")
    year = when.get("year")
    if year is None:
        raise MembersFileError(f"{where}.date.year is missing")
    if isinstance(year, bool) or not isinstance(year, int) or year not in YEAR_RANGE:
        raise MembersFileError(f"{where}.date.year must be a year like 2024, not {describe(year)}")
    month = when.get("month")
    if isinstance(month, int) and not isinstance(month, bool):
        month = str(month)  # an unquoted YAML number; the column keeps text
    if month is not None:
        month = _text(month, f"{where}.date.month")
    return ContributionRecord(type=kind, title=title, year=year, month=month, link=link)


def _member(entry: Any, number: int, warnings: list[str]) -> MemberRecord:
    if not isinstance(entry, dict):
        raise MembersFileError(f"member {number}: must be a mapping of profile fields, not {describe(entry)}")
    handle = entry.get("github")
    label = f"member {number} ({handle})" if isinstance(handle, str) and handle else f"member {number}"
    for key in ("name", "github"):
        if entry.get(key) is None:
            raise MembersFileError(f"{label}: {key} is missing")
    profile: dict[str, Any] = {}
    for key, value in entry.items():
        if key in PROFILE_FIELDS:
            # A key with no value (`twitter:` in YAML) is treated as absent.
            if value is not None:
                profile[PROFILE_FIELDS[key]] = _profile_value(key, value, f"{label}: {key}")
        elif key != "contributions":
            warnings.append(f"{label}: unknown field {key!r} is not kept")
    if profile.get("slack_user_id") == "":
        del profile["slack_user_id"]
    raw_contributions = entry.get("contributions")
    if raw_contributions is None:
        raw_contributions = []
    if not isinstance(raw_contributions, list):
        raise MembersFileError(f"{label}: contributions must be a list")
    contributions = tuple(
        _contribution(item, f"{label}: contributions[{index}]")
        for index, item in enumerate(raw_contributions)
    )
    return MemberRecord(
        label=label, profile=profile, contributions=contributions, keys=tuple(str(key) for key in entry)
    )


def parse_members(data: Any) -> ParsedFile:
    """Check a decoded members file; raise `MembersFileError` naming the first problem."""
    if not isinstance(data, list):
        raise MembersFileError("the file must be a list of members (as AMBASSADORS_MEMBERS.json is)")
    warnings: list[str] = []
    members = tuple(_member(entry, number, warnings) for number, entry in enumerate(data, start=1))
    seen_github: dict[str, MemberRecord] = {}
    seen_slack: dict[str, MemberRecord] = {}
    for record in members:
        earlier = seen_github.setdefault(record.github.lower(), record)
        if earlier is not record:
            raise MembersFileError(f"{record.label}: github {record.github!r} is also {earlier.label}")
        if record.slack_user_id:
            earlier = seen_slack.setdefault(record.slack_user_id, record)
            if earlier is not record:
                raise MembersFileError(
                    f"{record.label}: slack {record.slack_user_id!r} is also {earlier.label}"
                )
    return ParsedFile(members=members, warnings=tuple(warnings))


def is_emeritus_file(data: Any) -> bool:
    """Emeritus.yaml is a mapping with `emeritus_ambassadors` (and `emeritus_tsc`, not the bot's)."""
    return isinstance(data, dict) and EMERITUS_KEY in data


def parse_emeritus(data: Any) -> tuple[str, ...]:
    """The former ambassadors' GitHub handles; raise `MembersFileError` naming the first problem."""
    if not is_emeritus_file(data):
        raise MembersFileError(f"the file must be a mapping with {EMERITUS_KEY} (as Emeritus.yaml is)")
    handles = data[EMERITUS_KEY] or []
    if not isinstance(handles, list):
        raise MembersFileError(f"{EMERITUS_KEY} must be a list of GitHub handles")
    seen: set[str] = set()
    result: list[str] = []
    for number, handle in enumerate(handles, start=1):
        where = f"{EMERITUS_KEY}[{number}]"
        if not isinstance(handle, str) or not GITHUB_HANDLE.match(handle):
            raise MembersFileError(f"{where} {describe(handle)} is not a GitHub handle")
        if handle.lower() not in seen:
            seen.add(handle.lower())
            result.append(handle)
    return tuple(result)


# --- the term starts file -------------------------------------------------------------------

CSV_HEADER_NAMES = {"github", "handle", "login", "member"}


@dataclass(frozen=True)
class TermStart:
    """One line of a term starts file: a member by GitHub handle, and the day they joined."""

    where: str  # "line 3 (janedoe)" or "janedoe", for messages
    github: str
    start: date


def _start_rows(text: str) -> list[tuple[str, Any, Any]]:
    """(where, handle, start) as written: a YAML or JSON mapping, or CSV lines `handle,YYYY-MM-DD`."""
    try:
        data = public_files.parse_text(text)
    except public_files.FileFormatError as exc:
        if "," not in text:
            raise MembersFileError(str(exc)) from None
        data = None
    if isinstance(data, dict):
        return [(str(handle), handle, start) for handle, start in data.items()]
    if data is not None and not isinstance(data, str):
        raise MembersFileError(
            "a term starts file is a mapping of GitHub handle to date (YAML: `janedoe: 2022-05-05`) "
            "or CSV lines `janedoe,2022-05-05`"
        )
    rows: list[tuple[str, Any, Any]] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        values = [cell.strip() for cell in cells]
        while values and not values[-1]:
            values.pop()
        if not values or values[0].startswith("#"):
            continue
        header = not rows and len(values) > 1 and values[0].lower() in CSV_HEADER_NAMES
        if header and start_rules.read_start(values[1]) is None:
            continue  # a header row: github,start
        if len(values) != 2:
            raise MembersFileError(
                f"line {number}: expected `github,YYYY-MM-DD`, not {describe(','.join(cells))}"
            )
        rows.append((f"line {number} ({values[0]})", values[0], values[1]))
    return rows


def parse_term_starts(text: str, today: date) -> tuple[TermStart, ...]:
    """The starts of a term starts file, each checked (a GitHub handle, a real day written
    YYYY-MM-DD, not after `today`, each member once); raise `MembersFileError` naming the first problem.
    Whether each handle is a member is for the caller, who knows the members."""
    starts: list[TermStart] = []
    seen: dict[str, TermStart] = {}
    for where, handle, value in _start_rows(text):
        if not isinstance(handle, str) or not GITHUB_HANDLE.match(handle):
            raise MembersFileError(f"{where}: {describe(handle)} is not a GitHub handle")
        start = start_rules.read_start(value)
        if start is None:
            raise MembersFileError(f"{where}: {describe(value)} is not a date written YYYY-MM-DD")
        problem = start_rules.start_problem(start, today)
        if problem is start_rules.StartProblem.FUTURE:
            raise MembersFileError(
                f"{where}: {start.isoformat()} is in the future (today is {today.isoformat()}); "
                "a term cannot have started yet"
            )
        if problem is start_rules.StartProblem.TOO_EARLY:
            raise MembersFileError(
                f"{where}: {start.isoformat()} is before {start_rules.EARLIEST_START.year}; check the year"
            )
        earlier = seen.get(handle.lower())
        if earlier is not None:
            raise MembersFileError(f"{where}: {handle} is also {earlier.where}")
        seen[handle.lower()] = TermStart(where, handle, start)
        starts.append(seen[handle.lower()])
    return tuple(starts)


# --- writing ----------------------------------------------------------------------------------


def member_entry(
    profile: Mapping[str, Any], contributions: Iterable[dict[str, Any]], order: Sequence[str]
) -> dict[str, Any]:
    """A member as the website's file writes it: only the keys the member has (`profile` by Member
    attribute; None: a key they have not), in the order the imported file had them (`order`; a
    member the bot added: the website's order, contributions last)."""
    values: dict[str, Any] = {}
    for key, attribute in PROFILE_FIELDS.items():
        value = profile.get(attribute)
        if value is not None:
            values[key] = value
    values["contributions"] = list(contributions)
    return ordered_like(values, order)


def ordered_like(values: dict[str, Any], order: Sequence[str]) -> dict[str, Any]:
    """`values` with the keys named in `order` first, in that order, then the others as they come."""
    entry = {key: values[key] for key in order if key in values}
    entry.update((key, value) for key, value in values.items() if key not in entry)
    return entry


def contribution_entry(kind: str, title: str, year: int, month: str | None, link: str) -> dict[str, Any]:
    when: dict[str, Any] = {"year": year}
    if month is not None:
        when["month"] = month
    return {"type": kind, "title": title, "date": when, "link": link}
