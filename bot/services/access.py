"""Access that follows the roster: who belongs in the ambassadors' Slack user group, private channel
and GitHub team, and each change to them queued once.

A roster change (an approval, `admin add`, `admin link`, a reinstatement, a move to emeritus) writes an
`AccessRequest` in its own transaction (`request_sync`). The `access-changes` job turns requests into
`AccessChange` rows for the places that are set up (`expand_requests`); the daily `access` job queues
rows for whatever else differs (`queue`). Each row has a unique key, so a rerun or a replica queues it
once; `bot.services.access_changes` claims and records them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.rules import access as access_rules
from bot.rules.access import Action, Place
from bot.store.db import Database
from bot.store.models import AccessChange, AccessChangeStatus, AccessRequest, Member, MemberStatus

EXPAND_BATCH = 500
OPEN_STATUSES = (AccessChangeStatus.PENDING, AccessChangeStatus.WORKING)


@dataclass(frozen=True)
class Target:
    """A place the program keeps: the group as set (handle or ID), the channel ID, or "org/team"."""

    place: Place
    name: str


@dataclass(frozen=True)
class Person:
    member_id: int
    name: str
    status: str
    slack_user_id: str | None
    github: str | None

    def subject(self, place: Place) -> str | None:
        identity = self.github if place is Place.GITHUB_TEAM else self.slack_user_id
        return access_rules.normalized(identity, place) if identity else None

    def belongs(self, place: Place) -> bool:
        return access_rules.belongs(self.status, self.subject(place))


@dataclass(frozen=True)
class Change:
    target: Target
    action: Action
    subject: str
    cause: str
    member_id: int | None = None

    @property
    def key(self) -> str:
        return access_rules.change_key(
            self.target.place, self.target.name, self.action, self.subject, self.cause
        )


def _person(member: Member) -> Person:
    return Person(member.id, member.name, member.status, member.slack_user_id, member.github)


def _insert_or_ignore(session: Session, model: Any, values: dict[str, Any]) -> bool:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING tells whether this call inserted (psycopg's rowcount is not reliable here).
    inserted = session.scalar(
        insert(model).values(**values).on_conflict_do_nothing(index_elements=["key"]).returning(model.id)
    )
    return inserted is not None


# --- the roster ---------------------------------------------------------------------------------


def request_sync(session: Session, member_id: int, *, now: datetime) -> None:
    """In the caller's transaction: the member's access must follow the change just made to them."""
    status = session.scalar(select(Member.status).where(Member.id == member_id))
    key = f"member:{member_id}:{status}:{now.isoformat()}"
    _insert_or_ignore(session, AccessRequest, {"key": key, "member_id": member_id, "created_at": now})


def ambassadors(db: Database) -> list[Person]:
    """The current ambassadors: who belongs in the places."""
    with db.read_only() as session:
        members = session.scalars(
            select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
        ).all()
        return [_person(member) for member in members]


def _identity(place: Place) -> Any:
    return func.lower(Member.github) if place is Place.GITHUB_TEAM else Member.slack_user_id


def people(db: Database, place: Place, subjects: Iterable[str]) -> dict[str, Person]:
    """The members the program knows by these Slack IDs or GitHub logins, whatever their status."""
    wanted = sorted(set(subjects))
    if not wanted:
        return {}
    with db.read_only() as session:
        members = session.scalars(select(Member).where(_identity(place).in_(wanted))).all()
        found = [_person(member) for member in members]
    return {subject: person for person in found if (subject := person.subject(place))}


# --- queueing -----------------------------------------------------------------------------------


def of_target(target: Target) -> ColumnElement[bool]:
    return and_(AccessChange.system == target.place, AccessChange.target == target.name)


def _queue_one(session: Session, change: Change, now: datetime) -> bool:
    """Insert the change unless the same one is already open there; a pending opposite change is
    superseded (the person's latest roster change wins)."""
    open_rows = session.execute(
        select(AccessChange.id, AccessChange.action, AccessChange.status).where(
            of_target(change.target),
            AccessChange.subject == change.subject,
            AccessChange.status.in_(OPEN_STATUSES),
        )
    ).all()
    if any(action == change.action for _id, action, _status in open_rows):
        return False
    superseded = [row_id for row_id, _action, status in open_rows if status == AccessChangeStatus.PENDING]
    if superseded:
        session.execute(
            update(AccessChange)
            .where(AccessChange.id.in_(superseded), AccessChange.status == AccessChangeStatus.PENDING)
            .values(status=AccessChangeStatus.SKIPPED, done_at=now, error="superseded by a later change")
        )
    return _insert_or_ignore(
        session,
        AccessChange,
        {
            "key": change.key,
            "system": change.target.place,
            "target": change.target.name,
            "action": change.action,
            "subject": change.subject,
            "cause": change.cause,
            "member_id": change.member_id,
            "status": AccessChangeStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def queue(db: Database, changes: Sequence[Change], now: datetime) -> list[str]:
    """Queue changes found by a comparison; the keys of those this call queued."""
    with db.transaction() as session:
        return [change.key for change in changes if _queue_one(session, change, now)]


def expand_requests(db: Database, targets: Sequence[Target], now: datetime) -> list[str]:
    """Turn roster changes into changes for each place set up; the keys queued.

    A member changed several times since the last run is looked at once, as they are now.
    """
    with db.transaction() as session:
        requests = session.execute(
            select(AccessRequest.id, AccessRequest.member_id)
            .where(AccessRequest.expanded_at.is_(None))
            .order_by(AccessRequest.id)
            .limit(EXPAND_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        if not requests:
            return []
        latest = {member_id: request_id for request_id, member_id in requests}
        members = session.scalars(select(Member).where(Member.id.in_(list(latest)))).all()
        queued = []
        for member in members:
            person = _person(member)
            cause = access_rules.roster_cause(latest[member.id])
            for target in targets:
                subject = person.subject(target.place)
                if subject is None:
                    continue
                action = Action.ADD if person.belongs(target.place) else Action.REMOVE
                change = Change(target, action, subject, cause, member.id)
                if _queue_one(session, change, now):
                    queued.append(change.key)
        session.execute(
            update(AccessRequest)
            .where(AccessRequest.id.in_([request_id for request_id, _member in requests]))
            .values(expanded_at=now)
        )
        return queued


def due(now: datetime) -> ColumnElement[bool]:
    return or_(
        (AccessChange.status == AccessChangeStatus.PENDING) & (AccessChange.next_attempt_at <= now),
        (AccessChange.status == AccessChangeStatus.WORKING) & (AccessChange.claimed_until < now),
    )


def has_work(db: Database, now: datetime) -> bool:
    """A roster change to follow, or a change due: without either, a run reads and leaves."""
    with db.read_only() as session:
        request = session.scalar(select(AccessRequest.id).where(AccessRequest.expanded_at.is_(None)).limit(1))
        change = session.scalar(select(AccessChange.id).where(due(now)).limit(1))
    return request is not None or change is not None


def retire_other_targets(db: Database, targets: Sequence[Target], now: datetime) -> int:
    """Changes waiting for a place that is no longer set up (a setting changed) are dropped."""
    configured = [of_target(target) for target in targets]
    with db.transaction() as session:
        condition = AccessChange.status == AccessChangeStatus.PENDING
        if configured:
            condition = and_(condition, ~or_(*configured))
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(AccessChange)
            .where(condition)
            .values(status=AccessChangeStatus.SKIPPED, done_at=now, error="the place is no longer set up")
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)


def pending(db: Database, target: Target) -> list[tuple[Action, str]]:
    """Changes queued for a place and not made yet (for a dry run)."""
    with db.read_only() as session:
        rows = session.execute(
            select(AccessChange.action, AccessChange.subject)
            .where(of_target(target), AccessChange.status.in_(OPEN_STATUSES))
            .order_by(AccessChange.id)
        ).all()
    return [(Action(action), subject) for action, subject in rows]
