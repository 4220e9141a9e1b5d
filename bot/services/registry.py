"""The website's members file (AsyncAPI's AMBASSADORS_MEMBERS.json / .yaml): import and export.

The file is the public record, so the registry keeps what it says exactly as written (contribution
types like "initiative_driver", months like "Jan" or "2022" or none, empty links, an integer or text
`githubID`, which keys a member has), and an export of what was imported gives the same data back.

Parsing (`parse_members`) is pure and checks the whole file before anything is written;
`import_members` is one transaction; importing the same file again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.services.members import record_audit
from bot.settings import SLACK_USER_ID
from bot.store.db import Database
from bot.store.models import Contribution, Member, MemberStatus, Term, TermStatus

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
IMPORT_SOURCE = "import"


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
        when: dict[str, Any] = {"year": self.year}
        if self.month is not None:
            when["month"] = self.month
        return {"type": self.type, "title": self.title, "date": when, "link": self.link}


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
class ImportSummary:
    members_added: int
    members_updated: int
    members_unchanged: int
    contributions_added: int
    contributions_updated: int
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(
            self.members_added
            or self.members_updated
            or self.contributions_added
            or self.contributions_updated
        )


@dataclass(frozen=True)
class EmeritusList:
    github_handles: tuple[str, ...]
    # Emeritus members the website cannot list because the bot has no GitHub handle for them.
    without_github: tuple[str, ...] = ()

    def as_file_data(self) -> dict[str, list[str]]:
        return {"emeritus_ambassadors": list(self.github_handles)}


# --- parsing ----------------------------------------------------------------------------------


def column_length(attribute: str, model: type[Any] = Member) -> int | None:
    column_type = model.__table__.c[attribute].type
    return column_type.length if isinstance(column_type, String) else None


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: Any, where: str, *, max_length: int | None, required: bool = False) -> str:
    if isinstance(value, date):  # YAML reads an unquoted 2025-05-28 as a date
        value = value.isoformat()
    if not isinstance(value, str):
        raise MembersFileError(f"{where} must be text, not {describe(value)}")
    if required and not value.strip():
        raise MembersFileError(f"{where} is empty")
    if max_length is not None and len(value) > max_length:
        raise MembersFileError(f"{where} is longer than {max_length} characters")
    return value


def _profile_value(key: str, value: Any, where: str) -> Any:
    attribute = PROFILE_FIELDS[key]
    if key in BOOLEAN_FIELDS:
        if not isinstance(value, bool):
            raise MembersFileError(f"{where} must be true or false, not {describe(value)}")
        return value
    if key == "githubID":
        # The website's file has integers, and older copies strings: kept as given.
        if isinstance(value, bool) or not isinstance(value, int | str) or str(value).strip() == "":
            raise MembersFileError(f"{where} must be a number (or its digits as text), not {describe(value)}")
        return value
    text = _text(value, where, max_length=column_length(attribute), required=key in ("name", "github"))
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
    kind = _text(
        entry["type"], f"{where}.type", max_length=column_length("type", Contribution), required=True
    )
    title = _text(
        entry["title"], f"{where}.title", max_length=column_length("title", Contribution), required=True
    )
    link = entry.get("link")
    link = (
        "" if link is None else _text(link, f"{where}.link", max_length=column_length("link", Contribution))
    )
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
        month = _text(month, f"{where}.date.month", max_length=column_length("month", Contribution))
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


# --- importing --------------------------------------------------------------------------------


def _profile_changes(member: Member, record: MemberRecord) -> dict[str, list[Any]]:
    """Profile fields the file changes, as {file key: [old, new]}."""
    changes: dict[str, list[Any]] = {}
    for key, attribute in PROFILE_FIELDS.items():
        new = record.profile.get(attribute)
        # A Slack link made in the bot (e.g. by a TSC `link`) stays when the file has none.
        if attribute == "slack_user_id" and new is None:
            continue
        old = getattr(member, attribute)
        if old != new or type(old) is not type(new):
            changes[key] = [old, new]
    return changes


@dataclass
class _ContributionIndex:
    """A member's stored contributions, to match the file's against: by link, else by every field."""

    by_link: dict[str, Contribution] = field(default_factory=dict)
    by_fields: dict[tuple[Any, ...], list[Contribution]] = field(default_factory=dict)

    @staticmethod
    def fields_of(kind: str, title: str, year: int, month: str | None, link: str) -> tuple[Any, ...]:
        return (kind, title, year, month, link)

    @classmethod
    def of(cls, contributions: Iterable[Contribution]) -> _ContributionIndex:
        index = cls()
        for contribution in contributions:
            if contribution.link_key:
                index.by_link[contribution.link_key] = contribution
            key = cls.fields_of(
                contribution.type,
                contribution.title,
                contribution.year,
                contribution.month,
                contribution.link,
            )
            index.by_fields.setdefault(key, []).append(contribution)
        return index

    def take(self, record: ContributionRecord, link_key: str | None) -> Contribution | None:
        """The stored contribution this record is, removed from the index so it matches only once."""
        found = self.by_link.get(link_key) if link_key else None
        if found is None:
            candidates = self.by_fields.get(
                self.fields_of(record.type, record.title, record.year, record.month, record.link)
            )
            found = candidates[0] if candidates else None
        if found is None:
            return None
        if found.link_key:
            self.by_link.pop(found.link_key, None)
        same_fields = self.by_fields.get(
            self.fields_of(found.type, found.title, found.year, found.month, found.link), []
        )
        if found in same_fields:
            same_fields.remove(found)
        return found


def _contribution_changes(stored: Contribution, record: ContributionRecord) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name in ("type", "title", "link", "year", "month"):
        old, new = getattr(stored, name), getattr(record, name)
        if old != new:
            changes[name] = [old, new]
    return changes


def _new_contribution(record: ContributionRecord, link_key: str | None, now: datetime) -> Contribution:
    occurred_on, precision = record.occurred()
    return Contribution(
        type=record.type,
        title=record.title,
        link=record.link,
        link_key=link_key,
        year=record.year,
        month=record.month,
        occurred_on=occurred_on,
        date_precision=precision,
        source=IMPORT_SOURCE,
        logged_at=now,
        updated_at=now,
    )


def _match_members(session: Session, records: Sequence[MemberRecord]) -> list[Member | None]:
    """The stored member each record is: same GitHub handle (any case), else same Slack user."""
    stored = session.scalars(select(Member)).all()
    by_github = {member.github.lower(): member for member in stored if member.github}
    by_slack = {member.slack_user_id: member for member in stored if member.slack_user_id}
    matches: list[Member | None] = []
    claimed: dict[int, MemberRecord] = {}
    for record in records:
        member = by_github.get(record.github.lower())
        if member is None and record.slack_user_id:
            member = by_slack.get(record.slack_user_id)
        if member is not None:
            other = claimed.setdefault(member.id, record)
            if other is not record:
                raise MembersFileError(
                    f"{record.label} and {other.label} are both the registry's member {member.name!r}"
                )
        holder = by_slack.get(record.slack_user_id) if record.slack_user_id else None
        if holder is not None and holder is not member:
            raise MembersFileError(
                f"{record.label}: slack {record.slack_user_id!r} is already linked to "
                f"{holder.name!r} (github {holder.github!r}) in the registry"
            )
        matches.append(member)
    return matches


def import_members(
    db: Database, parsed: ParsedFile, *, term_start: date, now: datetime, actor: str = "cli", source: str = ""
) -> ImportSummary:
    """Add or update the file's members and their contributions, in one transaction.

    New members become ambassadors with a term starting `term_start`; known members keep their
    status and terms. Nothing is removed. Only real changes are written and audited, so importing
    the same file again writes nothing.
    """
    added = updated = unchanged = contributions_added = contributions_updated = 0
    term = membership_rules.first_term(term_start)
    with db.transaction() as session:
        matches = _match_members(session, parsed.members)
        matched_ids = [member.id for member in matches if member is not None]
        stored_contributions: dict[int, list[Contribution]] = {}
        if matched_ids:
            for contribution in session.scalars(
                select(Contribution)
                .where(Contribution.member_id.in_(matched_ids))
                .order_by(Contribution.member_id, Contribution.id)
            ):
                stored_contributions.setdefault(contribution.member_id, []).append(contribution)

        new_members: list[tuple[Member, MemberRecord]] = []
        for record, member in zip(parsed.members, matches, strict=True):
            if member is None:
                member = Member(
                    **record.profile,
                    file_keys=list(record.keys) or None,
                    status=MemberStatus.ACTIVE,
                    status_changed_at=now,
                    created_at=now,
                    updated_at=now,
                )
                member.terms.append(
                    Term(start_on=term.start, end_on=term.end, status=TermStatus.ACTIVE, created_at=now)
                )
                seen: set[str] = set()
                for item in record.contributions:
                    link_key = _unclaimed(item.link_key, seen)
                    member.contributions.append(_new_contribution(item, link_key, now))
                session.add(member)
                new_members.append((member, record))
                added += 1
                contributions_added += len(record.contributions)
                continue

            changes = _profile_changes(member, record)
            for key, (_old, new) in changes.items():
                setattr(member, PROFILE_FIELDS[key], new)
            if record.keys and list(record.keys) != member.file_keys:
                # Not a change of the record (nothing to audit): how the file orders this member's keys.
                member.file_keys = list(record.keys)
            if changes:
                record_audit(
                    session, actor, "member.updated", member.id, at=now, source=source, changes=changes
                )
            index = _ContributionIndex.of(stored_contributions.get(member.id, []))
            seen_links = set(index.by_link)
            added_here = updated_here = 0
            for item in record.contributions:
                stored = index.take(item, item.link_key)
                if stored is None:
                    link_key = _unclaimed(item.link_key, seen_links)
                    contribution = _new_contribution(item, link_key, now)
                    contribution.member_id = member.id
                    session.add(contribution)
                    added_here += 1
                    continue
                contribution_changes = _contribution_changes(stored, item)
                if contribution_changes:
                    _apply(stored, item, contribution_changes)
                    record_audit(
                        session,
                        actor,
                        "contribution.updated",
                        member.id,
                        at=now,
                        source=source,
                        contribution_id=stored.id,
                        changes=contribution_changes,
                    )
                    updated_here += 1
            if added_here:
                record_audit(
                    session,
                    actor,
                    "contributions.imported",
                    member.id,
                    at=now,
                    source=source,
                    count=added_here,
                )
            contributions_added += added_here
            contributions_updated += updated_here
            if changes or added_here or updated_here:
                updated += 1
            else:
                unchanged += 1

        if new_members:
            session.flush()  # the new members' ids, for their audit records
            for member, record in new_members:
                record_audit(
                    session,
                    actor,
                    "member.imported",
                    member.id,
                    at=now,
                    source=source,
                    github=record.github,
                    term_start=term.start.isoformat(),
                    term_end=term.end.isoformat(),
                    contributions=len(record.contributions),
                )
    return ImportSummary(
        members_added=added,
        members_updated=updated,
        members_unchanged=unchanged,
        contributions_added=contributions_added,
        contributions_updated=contributions_updated,
        warnings=parsed.warnings,
    )


def _unclaimed(link_key: str | None, seen: set[str]) -> str | None:
    """The link key, unless this member already has the link: a repeat is kept, unkeyed."""
    if link_key is None or link_key in seen:
        return None
    seen.add(link_key)
    return link_key


def _apply(stored: Contribution, record: ContributionRecord, changes: dict[str, list[Any]]) -> None:
    stored.type = record.type
    stored.title = record.title
    stored.link = record.link
    if "year" in changes or "month" in changes:
        # Only a changed date is re-derived: a contribution logged in Slack keeps its exact day otherwise.
        stored.year = record.year
        stored.month = record.month
        stored.occurred_on, precision = record.occurred()
        stored.date_precision = precision


# --- exporting --------------------------------------------------------------------------------


def member_entry(member: Member, contributions: Sequence[Contribution]) -> dict[str, Any]:
    """A member as the website's file writes it: only the keys the member has, in the order the
    imported file had them (a member the bot added: the website's order, contributions last)."""
    values: dict[str, Any] = {}
    for key, attribute in PROFILE_FIELDS.items():
        value = getattr(member, attribute)
        if value is not None:
            values[key] = value
    values["contributions"] = [contribution_entry(contribution) for contribution in contributions]
    return ordered_like(values, member.file_keys or ())


def ordered_like(values: dict[str, Any], order: Sequence[str]) -> dict[str, Any]:
    """`values` with the keys named in `order` first, in that order, then the others as they come."""
    entry = {key: values[key] for key in order if key in values}
    entry.update((key, value) for key, value in values.items() if key not in entry)
    return entry


def contribution_entry(contribution: Contribution) -> dict[str, Any]:
    when: dict[str, Any] = {"year": contribution.year}
    if contribution.month is not None:
        when["month"] = contribution.month
    return {"type": contribution.type, "title": contribution.title, "date": when, "link": contribution.link}


def export_members(db: Database) -> list[dict[str, Any]]:
    """Current ambassadors in the website's shape, in registry order, contributions in logged order."""
    with db.read_only() as session:
        members = session.scalars(
            select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
        ).all()
        contributions: dict[int, list[Contribution]] = {}
        for contribution in session.scalars(
            select(Contribution)
            .join(Member, Member.id == Contribution.member_id)
            .where(Member.status == MemberStatus.ACTIVE)
            .order_by(Contribution.member_id, Contribution.id)
        ):
            contributions.setdefault(contribution.member_id, []).append(contribution)
        return [member_entry(member, contributions.get(member.id, [])) for member in members]


def export_emeritus(db: Database) -> EmeritusList:
    """Former ambassadors' GitHub handles, in the order they became emeritus (as Emeritus.yaml lists them)."""
    with db.read_only() as session:
        members = session.scalars(
            select(Member)
            .where(Member.status == MemberStatus.EMERITUS)
            .order_by(Member.status_changed_at.is_(None).desc(), Member.status_changed_at, Member.id)
        ).all()
        seen: set[str] = set()
        ordered: list[str] = []
        for member in members:
            if member.github and member.github.lower() not in seen:
                seen.add(member.github.lower())
                ordered.append(member.github)
        return EmeritusList(
            github_handles=tuple(ordered),
            without_github=tuple(member.name for member in members if not member.github),
        )


# --- the emeritus file ------------------------------------------------------------------------

EMERITUS_KEY = "emeritus_ambassadors"


@dataclass(frozen=True)
class EmeritusSummary:
    added: int
    known: int


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


def import_emeritus(
    db: Database, handles: Sequence[str], *, now: datetime, actor: str = "cli", source: str = ""
) -> EmeritusSummary:
    """Record former ambassadors the bot does not know yet (by GitHub handle), as emeritus.

    Members the bot knows keep their status: the bot's own record of who came back or stepped down
    is newer than the file. Importing the same file again changes nothing.
    """
    added = known = 0
    with db.transaction() as session:
        existing = {
            github.lower()
            for github in session.scalars(select(Member.github).where(Member.github.is_not(None)))
            if github
        }
        new_members: list[Member] = []
        for handle in handles:
            if handle.lower() in existing:
                known += 1
                continue
            member = Member(
                name=handle,
                github=handle,
                status=MemberStatus.EMERITUS,
                status_reason="Listed in the emeritus file when it was imported.",
                status_changed_at=now,
                created_at=now,
                updated_at=now,
            )
            session.add(member)
            new_members.append(member)
            existing.add(handle.lower())
            added += 1
        if new_members:
            session.flush()
            for member in new_members:
                record_audit(
                    session, actor, "member.imported", member.id, at=now, source=source, github=member.github
                )
    return EmeritusSummary(added=added, known=known)
