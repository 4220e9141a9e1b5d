"""The TSC's direct changes to membership (`/ambassador admin ...`): add, link, extend, emeritus, reinstate
(pausing someone is `bot.services.pauses`'s).

Each is one transaction around a `bot.services.membership.terms` function, with the DM telling the member (and,
for `add`, the announcement) queued in the outbox in that same transaction. Callers check that the
actor is on the TSC; the Slack IDs come from mentions Slack escaped, never from names typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.outbox.queue import enqueue, enqueue_message
from bot.rules.emeritus import EmeritusReason
from bot.services import access, invitations
from bot.services.members import member_by_slack_id, record_audit
from bot.services.membership import emeritus, term_records, terms
from bot.services.membership.common import Messages, Payload, announce_key
from bot.services.membership.farewell import Farewell
from bot.store.constants import ACTIVE_TERM, OPEN_APPLICATION
from bot.store.db import Database
from bot.store.models import Application, ApplicationStatus, Member, MemberStatus, Term


@dataclass(frozen=True)
class AdminChange:
    """A term change made by the TSC, or None in `change` when the person is not on record (or, for
    `extend`, has no current term). `outbox_keys`: DMs to deliver now."""

    change: term_records.TermChange | None
    outbox_keys: list[str] = field(default_factory=list)


class AddStatus(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # already an ambassador
    PENDING_APPLICATION = "pending_application"  # decide their application instead


@dataclass(frozen=True)
class AddResult:
    status: AddStatus
    change: term_records.TermChange | None
    application_id: int | None = None
    outbox_keys: list[str] = field(default_factory=list)


def _queue_dm(
    session: Session, key: str, kind: str, member: term_records.TermChange, payload: Payload, now: datetime
) -> str:
    assert member.slack_user_id, "admin commands address Slack users"
    enqueue_message(
        session,
        now=now,
        key=key,
        kind=kind,
        channel=member.slack_user_id,
        payload=payload,
        member_id=member.member_id,
    )
    return key


def add_ambassador(
    db: Database,
    slack_user_id: str,
    name: str,
    *,
    today: date,
    now: datetime,
    actor: str,
    required: int,
    announce_channel: str,
    messages: Messages,
    github_org: str = "",
) -> AddResult:
    """Enrol someone directly (founding members, people the TSC invites): a term from `today`, the
    welcome DM and the announcement. A nomination for them is withdrawn; a pending application is
    left for the TSC to decide (its review post has the buttons)."""
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            member = Member(slack_user_id=slack_user_id, name=name, status=MemberStatus.CANDIDATE)
            session.add(member)
            session.flush()
        open_ones = list(
            session.scalars(
                select(Application).where(
                    Application.member_id == member.id,
                    OPEN_APPLICATION,
                )
            )
        )
        pending = next((a for a in open_ones if a.status == ApplicationStatus.PENDING), None)
        if pending is not None:
            return AddResult(AddStatus.PENDING_APPLICATION, None, pending.id)
        change = terms.enrol(session, member.id, today=today, now=now, actor=actor)
        if not change.changed:
            return AddResult(AddStatus.ALREADY, change)
        for nomination in open_ones:
            nomination.status = ApplicationStatus.WITHDRAWN
            nomination.decided_by = actor
            nomination.decided_at = now
            nomination.decision_reason = "Enrolled directly by the TSC."
        assert change.term is not None
        invitee = invitations.queue_invitation(session, member.id, github_org, now=now)
        keys = [
            _queue_dm(
                session,
                f"welcome:term:{change.term.id}",
                "welcome",
                change,
                messages.welcome(
                    change.name,
                    change.term.rule_term,
                    required,
                    github_invitation=(github_org, invitee) if invitee else None,
                ),
                now,
            )
        ]
        if announce_channel:
            enqueue(
                session,
                now=now,
                key=announce_key(member.id, change.term.id),
                kind="announce",
                channel=announce_channel,
                text=messages.announcement(member.name, member.title, member.company),
                member_id=member.id,
            )
        return AddResult(AddStatus.ADDED, change, outbox_keys=keys)


class LinkStatus(StrEnum):
    LINKED = "linked"
    ALREADY = "already"  # that record is already this Slack user's
    NO_SUCH_GITHUB = "no_such_github"  # no member record has this handle
    LINKED_ELSEWHERE = "linked_elsewhere"  # the record belongs to another Slack user
    SLACK_HAS_RECORD = "slack_has_record"  # this Slack user already has a different record


@dataclass(frozen=True)
class LinkResult:
    status: LinkStatus
    name: str | None = None  # the record found by GitHub handle
    other: str | None = None  # LINKED_ELSEWHERE: its Slack user; SLACK_HAS_RECORD: the other record's name
    member_status: str | None = None


def link_member(db: Database, slack_user_id: str, github: str, *, now: datetime, actor: str) -> LinkResult:
    """Connect a member record known by its GitHub handle (e.g. imported from the members file) to a
    Slack user, so they can log and be reminded. Handles compare case-insensitively, as on GitHub."""
    handle = github.strip().removeprefix("@")
    with db.transaction() as session:
        record = session.scalar(select(Member).where(func.lower(Member.github) == handle.lower()))
        if record is None:
            return LinkResult(LinkStatus.NO_SUCH_GITHUB)
        if record.slack_user_id == slack_user_id:
            return LinkResult(LinkStatus.ALREADY, record.name, member_status=record.status)
        if record.slack_user_id:
            return LinkResult(LinkStatus.LINKED_ELSEWHERE, record.name, record.slack_user_id, record.status)
        other = member_by_slack_id(session, slack_user_id)
        if other is not None:
            return LinkResult(LinkStatus.SLACK_HAS_RECORD, record.name, other.name, record.status)
        record.slack_user_id = slack_user_id
        # The cached time zone belonged to nobody: look it up again for this user.
        record.timezone = None
        record.timezone_checked_at = None
        # Now reachable in Slack: an ambassador's access follows at once, not at the next daily check.
        access.request_sync(session, record.id, now=now)
        record_audit(
            session,
            actor,
            "member.linked",
            record.id,
            at=now,
            slack_user_id=slack_user_id,
            github=record.github,
        )
        return LinkResult(LinkStatus.LINKED, record.name, member_status=record.status)


def _current_term_id(session: Session, member_id: int) -> int | None:
    return session.scalar(select(Term.id).where(Term.member_id == member_id, ACTIVE_TERM))


def extend_member(
    db: Database, slack_user_id: str, days: int, *, now: datetime, actor: str, messages: Messages
) -> AdminChange:
    """`terms.extend` on the member's current term, and a DM with the new end when it changed."""
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        term_id = _current_term_id(session, member.id) if member else None
        if member is None or term_id is None or member.status != MemberStatus.ACTIVE:
            return AdminChange(None)
        change = terms.extend(session, term_id, days, now=now, actor=actor)
        keys = []
        if change.changed and change.term is not None and change.previous_end is not None:
            keys.append(
                _queue_dm(
                    session,
                    f"extended:term:{change.term.id}:{change.term.end.isoformat()}",
                    "extension",
                    change,
                    messages.extended(change.name, change.term.rule_term, change.previous_end),
                    now,
                )
            )
        return AdminChange(change, keys)


def emeritus_member(
    db: Database,
    slack_user_id: str,
    reason: EmeritusReason,
    note: str | None,
    *,
    today: date,
    now: datetime,
    actor: str,
    farewell: Farewell,
) -> AdminChange:
    """`emeritus.move_to_emeritus` with the TSC's reason and note; the member's thank-you (and the TSC's
    list of benefits not shipped) queued when it changed."""
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return AdminChange(None)
        change = emeritus.move_to_emeritus(
            session, member.id, note, now=now, actor=actor, reason=reason, today=today, farewell=farewell
        )
        return AdminChange(change, list(change.outbox_keys))


def reinstate_member(
    db: Database,
    slack_user_id: str,
    *,
    today: date,
    now: datetime,
    actor: str,
    required: int,
    messages: Messages,
) -> AdminChange:
    """`terms.reinstate` (a new term from `today`), and a welcome-back DM when it changed."""
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return AdminChange(None)
        change = terms.reinstate(session, member.id, today=today, now=now, actor=actor)
        keys = []
        if change.changed and change.term is not None:
            keys.append(
                _queue_dm(
                    session,
                    f"welcome:term:{change.term.id}",
                    "welcome",
                    change,
                    messages.welcome(change.name, change.term.rule_term, required, returning=True),
                    now,
                )
            )
        return AdminChange(change, keys)
