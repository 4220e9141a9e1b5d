"""The website's members file into the registry: members and their contributions added or updated
(matched by GitHub handle, then Slack ID), former ambassadors recorded as emeritus. Each import is
one transaction; importing the same file again changes nothing, and a file with a problem changes
nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from bot.rules import term_starts as start_rules
from bot.services.members import record_audit
from bot.services.registry.file_format import (
    PROFILE_FIELDS,
    ContributionRecord,
    MemberRecord,
    MembersFileError,
    ParsedFile,
    TermStart,
)
from bot.store.db import Database
from bot.store.models import Contribution, Member, MemberStatus, Term, TermStatus

IMPORT_SOURCE = "import"
# A contribution's texts (ContributionRecord attributes) and where the file has each, for messages.
CONTRIBUTION_PLACES = {"type": "type", "title": "title", "link": "link", "month": "date.month"}


@dataclass(frozen=True)
class ImportSummary:
    members_added: int
    members_updated: int
    members_unchanged: int
    contributions_added: int
    contributions_updated: int
    warnings: tuple[str, ...] = ()
    # Members already on record keep their terms: the starts given for them were not applied.
    starts_not_applied: tuple[str, ...] = ()  # their GitHub handles, from the term starts file

    @property
    def changed(self) -> bool:
        return bool(
            self.members_added
            or self.members_updated
            or self.contributions_added
            or self.contributions_updated
        )


@dataclass(frozen=True)
class EmeritusSummary:
    added: int
    known: int


# --- what the registry can hold ------------------------------------------------------------------


def column_length(attribute: str, model: type[Any] = Member) -> int | None:
    column_type = model.__table__.c[attribute].type
    return column_type.length if isinstance(column_type, String) else None


def check_lengths(parsed: ParsedFile) -> None:
    """Raise `MembersFileError` naming the first text longer than the registry's column for it."""
    profile_limits = {attribute: (key, column_length(attribute)) for key, attribute in PROFILE_FIELDS.items()}
    contribution_limits = {
        attribute: (place, column_length(attribute, Contribution))
        for attribute, place in CONTRIBUTION_PLACES.items()
    }
    for record in parsed.members:
        for attribute, value in record.profile.items():
            key, limit = profile_limits[attribute]
            if _too_long(value, limit):
                raise MembersFileError(f"{record.label}: {key} is longer than {limit} characters")
        for index, item in enumerate(record.contributions):
            for attribute, (place, limit) in contribution_limits.items():
                if _too_long(getattr(item, attribute), limit):
                    raise MembersFileError(
                        f"{record.label}: contributions[{index}].{place} is longer than {limit} characters"
                    )


def _too_long(value: Any, limit: int | None) -> bool:
    return isinstance(value, str) and limit is not None and len(value) > limit


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


def check_starts(parsed: ParsedFile, starts: Sequence[TermStart], term_start: date, today: date) -> None:
    """Raise `MembersFileError` for a start the program does not take, or one for nobody in the file."""
    problem = start_rules.start_problem(term_start, today)
    if problem is start_rules.StartProblem.FUTURE:
        raise MembersFileError(
            f"the term start {term_start.isoformat()} is in the future (today is {today.isoformat()}); "
            "a term cannot have started yet"
        )
    if problem is start_rules.StartProblem.TOO_EARLY:
        raise MembersFileError(f"the term start {term_start.isoformat()} is before 2000; check the year")
    in_file = {record.github.lower() for record in parsed.members}
    for start in starts:
        if start.github.lower() not in in_file:
            raise MembersFileError(
                f"{start.where}: no member of the file has the GitHub handle {start.github!r}"
            )


def _terms_of_new_member(start: date, today: date, now: datetime) -> list[Term]:
    """The member's terms from the day they joined: the years before as completed, the current one."""
    *earlier, current = start_rules.terms_since(start, today)
    terms = [
        Term(start_on=term.start, end_on=term.end, status=TermStatus.COMPLETED, closed_at=now, created_at=now)
        for term in earlier
    ]
    terms.append(Term(start_on=current.start, end_on=current.end, status=TermStatus.ACTIVE, created_at=now))
    return terms


def import_members(
    db: Database,
    parsed: ParsedFile,
    *,
    term_start: date,
    now: datetime,
    actor: str = "cli",
    source: str = "",
    starts: Sequence[TermStart] = (),
    today: date | None = None,
) -> ImportSummary:
    """Add or update the file's members and their contributions, in one transaction.

    New members become ambassadors from the day they joined: their start in `starts` (by GitHub
    handle), else `term_start`; their current term is the yearly one holding `today` (default: the
    date of `now`), the years before it are completed terms. Known members keep their status and
    terms (the starts given for them are listed in `starts_not_applied`). Nothing is removed. Only
    real changes are written and audited, so importing the same file again writes nothing.
    """
    today = today or now.date()
    check_lengths(parsed)
    check_starts(parsed, starts, term_start, today)
    start_of = {start.github.lower(): start.start for start in starts}
    not_applied: list[str] = []
    added = updated = unchanged = contributions_added = contributions_updated = 0
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
                member.terms.extend(
                    _terms_of_new_member(start_of.get(record.github.lower(), term_start), today, now)
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

            if record.github.lower() in start_of:
                not_applied.append(record.github)
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
                current = member.terms[-1]
                record_audit(
                    session,
                    actor,
                    "member.imported",
                    member.id,
                    at=now,
                    source=source,
                    github=record.github,
                    joined=start_of.get(record.github.lower(), term_start).isoformat(),
                    term_start=current.start_on.isoformat(),
                    term_end=current.end_on.isoformat(),
                    earlier_terms=len(member.terms) - 1,
                    contributions=len(record.contributions),
                )
    return ImportSummary(
        members_added=added,
        members_updated=updated,
        members_unchanged=unchanged,
        contributions_added=contributions_added,
        contributions_updated=contributions_updated,
        warnings=parsed.warnings,
        starts_not_applied=tuple(not_applied),
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
