"""Inviting new ambassadors to the project's GitHub organization, exactly once.

An approval (or `admin add`) queues the invitation in its own transaction: a `github_invitations` row
whose unique key is the organization and the GitHub login, inserted if absent. The `invitations` job
claims due rows with a lease (a compare-and-set, like the Slack sender), asks GitHub whether the
person is already a member or invited, and only then invites them. A runner that dies after GitHub
answered leaves its lease to expire; the next one finds the invitation pending on GitHub and records
it, so nobody gets two invitations, whatever restarts and replicas do. A permanent failure (no such
user, a token without the permission) is reported once to the review channel, through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.services.members import record_audit
from bot.store.db import Database
from bot.store.models import GitHubInvitation, InvitationStatus, Member

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 20


def invitation_key(org: str, login: str) -> str:
    return f"{org.lower()}:{login.lower()}"


def failure_report_key(invitation_id: int) -> str:
    return f"github-invite-failed:{invitation_id}"


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def queue_invitation(session: Session, member_id: int, org: str, *, now: datetime) -> str | None:
    """In the caller's transaction: queue the member's invitation to `org` unless it is queued already.

    Returns the GitHub login when this call queued it; None when it was queued before (someone
    reinstated), there is no organization set, or the member has no GitHub handle.
    """
    if not org:
        return None
    login = session.scalar(select(Member.github).where(Member.id == member_id))
    if not login:
        return None
    values = {
        "key": invitation_key(org, login),
        "org": org,
        "login": login,
        "member_id": member_id,
        "status": InvitationStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING tells whether this call inserted (psycopg reports rowcount -1 for this statement).
    inserted = session.scalar(
        insert(GitHubInvitation)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(GitHubInvitation.id)
    )
    return login if inserted is not None else None


@dataclass(frozen=True)
class Claimed:
    id: int
    org: str
    login: str
    member_id: int | None
    attempts: int


def due(db: Database, now: datetime, limit: int = 50) -> list[int]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(GitHubInvitation.id)
                .where(
                    or_(
                        (GitHubInvitation.status == InvitationStatus.PENDING)
                        & (GitHubInvitation.next_attempt_at <= now),
                        (GitHubInvitation.status == InvitationStatus.SENDING)
                        & (GitHubInvitation.claimed_until < now),
                    )
                )
                .order_by(GitHubInvitation.next_attempt_at, GitHubInvitation.id)
                .limit(limit)
            )
        )


def claim(db: Database, invitation_id: int, now: datetime) -> Claimed | None:
    """Take the invitation for this runner (until `now + LEASE`); None when another runner has it."""
    with db.transaction() as session:
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(GitHubInvitation)
            .where(
                GitHubInvitation.id == invitation_id,
                or_(
                    GitHubInvitation.status == InvitationStatus.PENDING,
                    (GitHubInvitation.status == InvitationStatus.SENDING)
                    & (GitHubInvitation.claimed_until < now),
                ),
            )
            .values(
                status=InvitationStatus.SENDING,
                claimed_until=now + LEASE,
                attempts=GitHubInvitation.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        row = session.get(GitHubInvitation, invitation_id)
        assert row is not None
        return Claimed(row.id, row.org, row.login, row.member_id, row.attempts)


def finish(db: Database, claimed: Claimed, status: InvitationStatus, now: datetime) -> None:
    with db.transaction() as session:
        session.execute(
            update(GitHubInvitation)
            .where(GitHubInvitation.id == claimed.id, GitHubInvitation.status == InvitationStatus.SENDING)
            .values(status=status, done_at=now, claimed_until=None, error=None)
        )
        record_audit(
            session,
            "scheduler",
            f"github.{status}",
            claimed.member_id,
            at=now,
            org=claimed.org,
            login=claimed.login,
        )


def retry_later(db: Database, claimed: Claimed, error: str, now: datetime) -> None:
    with db.transaction() as session:
        session.execute(
            update(GitHubInvitation)
            .where(GitHubInvitation.id == claimed.id, GitHubInvitation.status == InvitationStatus.SENDING)
            .values(
                status=InvitationStatus.PENDING,
                next_attempt_at=now + retry_delay(claimed.attempts),
                claimed_until=None,
                error=error[:2000],
            )
        )


def fail(db: Database, claimed: Claimed, error: str, now: datetime, report: Any | None = None) -> None:
    """Mark the invitation failed; `report(session, member_name)` queues the one report, in the same
    transaction (its outbox key makes it once)."""
    with db.transaction() as session:
        session.execute(
            update(GitHubInvitation)
            .where(GitHubInvitation.id == claimed.id, GitHubInvitation.status == InvitationStatus.SENDING)
            .values(status=InvitationStatus.FAILED, done_at=now, claimed_until=None, error=error[:2000])
        )
        name = (
            session.scalar(select(Member.name).where(Member.id == claimed.member_id))
            if claimed.member_id
            else None
        )
        record_audit(
            session,
            "scheduler",
            "github.invitation_failed",
            claimed.member_id,
            at=now,
            org=claimed.org,
            login=claimed.login,
            error=error[:500],
        )
        if report is not None:
            report(session, name or claimed.login)
