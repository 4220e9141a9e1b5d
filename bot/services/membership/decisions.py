"""The TSC's decisions: approve or reject a pending application (exactly one wins), refused
attempts in the audit trail, and the list of applications waiting for a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.orm import Session

from bot.outbox.queue import enqueue, enqueue_message
from bot.rules import membership as membership_rules
from bot.services import counting, invitations
from bot.services.members import record_audit
from bot.services.membership import terms
from bot.services.membership.common import (
    ApplicationNotFound,
    ApplicationView,
    Messages,
    announce_key,
    application_view,
    rejection_key,
    review_key,
    review_location,
    welcome_key,
)
from bot.store.constants import PENDING_APPLICATION
from bot.store.db import Database
from bot.store.models import Application, ApplicationStatus, Contribution, Member, OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class Decision:
    """The application after a decision attempt.

    `decided_now` is True only for the one call that made the decision; every other call (a double
    click, a second TSC member) gets False and the application as the winner left it
    (`application.decided_by`, `.decided_at`, `.status`).
    """

    decided_now: bool
    application: ApplicationView
    term: membership_rules.Term | None  # approved: the new ambassador's term
    review_location: tuple[str, str] | None  # (channel, ts) of the review post, if it was posted
    outbox_keys: list[str]  # DMs to deliver now (announcements are left to the announce job)


def _claim_decision(
    session: Session,
    application_id: int,
    status: ApplicationStatus,
    decider: str,
    now: datetime,
    reason: str | None,
) -> bool:
    # The conditional UPDATE is the whole guard: one statement, first in its transaction, so on
    # PostgreSQL a concurrent twin waits for this row, then finds it no longer pending; on SQLite the
    # write lock is taken before anything is read.
    result = session.execute(
        update(Application)
        .where(Application.id == application_id, PENDING_APPLICATION)
        .values(status=status, decided_by=decider, decided_at=now, decision_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def _cancel_review_post(session: Session, application_id: int) -> None:
    """A review post not sent yet would show buttons for a decided application: drop it."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == review_key(application_id), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED)
    )


def approve(
    db: Database,
    application_id: int,
    decider: str,
    *,
    now: datetime,
    today: date,
    required: int,
    announce_channel: str,
    messages: Messages,
    github_org: str = "",
) -> Decision:
    """Approve a pending application: exactly one approval or rejection wins, whoever clicks.

    The applicant becomes an ambassador with a term starting `today` (callers pass the date in the
    program's TIMEZONE, so the term does not depend on where the decider lives). In the same
    transaction: audit (`application.approved`, `member.enrolled`), the welcome DM and the
    announcement row (kind "announce", left for the announce job) in the outbox.
    """
    with db.transaction() as session:
        won = _claim_decision(session, application_id, ApplicationStatus.APPROVED, decider, now, None)
        application = session.get(Application, application_id)
        if application is None:
            raise ApplicationNotFound(application_id)
        if not won:
            return Decision(
                False,
                application_view(session, application, today, required),
                None,
                review_location(session, application),
                [],
            )
        change = terms.enrol(session, application.member_id, today=today, now=now, actor=decider)
        assert change.term is not None
        term = change.term.rule_term
        record_audit(
            session,
            decider,
            "application.approved",
            application.member_id,
            at=now,
            application_id=application.id,
            term_id=change.term.id,
            start=term.start.isoformat(),
            end=term.end.isoformat(),
        )
        _cancel_review_post(session, application.id)
        view = application_view(session, application, today, required)
        keys = []
        invitee = invitations.queue_invitation(session, view.member_id, github_org, now=now)
        if view.slack_user_id:
            payload = messages.welcome(
                view.name,
                term,
                required,
                returning=view.history is not None,
                github_invitation=(github_org, invitee) if invitee else None,
            )
            key = welcome_key(application.id)
            enqueue_message(
                session,
                now=now,
                key=key,
                kind="welcome",
                channel=view.slack_user_id,
                payload=payload,
                member_id=view.member_id,
            )
            keys.append(key)
        if announce_channel:
            enqueue(
                session,
                now=now,
                key=announce_key(view.member_id, change.term.id),
                kind="announce",
                channel=announce_channel,
                text=messages.announcement(view.name, view.title, view.company),
                member_id=view.member_id,
            )
        return Decision(True, view, term, review_location(session, application), keys)


def reject(
    db: Database,
    application_id: int,
    decider: str,
    reason: str,
    *,
    now: datetime,
    today: date,
    required: int,
    messages: Messages,
) -> Decision:
    """Reject a pending application with a reason the applicant will read (same guard as `approve`).

    In the same transaction: audit (`application.rejected`, with the reason) and the kind DM.
    """
    reason = reason.strip()
    if not reason or len(reason) > membership_rules.DECISION_REASON_MAX_LENGTH:
        raise ValueError("a reason of 1 to DECISION_REASON_MAX_LENGTH characters is required")
    with db.transaction() as session:
        won = _claim_decision(session, application_id, ApplicationStatus.REJECTED, decider, now, reason)
        application = session.get(Application, application_id)
        if application is None:
            raise ApplicationNotFound(application_id)
        view = application_view(session, application, today, required)
        location = review_location(session, application)
        if not won:
            return Decision(False, view, None, location, [])
        record_audit(
            session,
            decider,
            "application.rejected",
            application.member_id,
            at=now,
            application_id=application.id,
            reason=reason,
        )
        _cancel_review_post(session, application.id)
        keys = []
        if view.slack_user_id:
            payload = messages.rejection(view.name, reason)
            key = rejection_key(application.id)
            enqueue_message(
                session,
                now=now,
                key=key,
                kind="rejection",
                channel=view.slack_user_id,
                payload=payload,
                member_id=view.member_id,
            )
            keys.append(key)
        return Decision(True, view, None, location, keys)


@dataclass(frozen=True)
class PendingItem:
    id: int
    slack_user_id: str | None
    name: str
    title: str | None
    company: str | None
    submitted_at: datetime | None
    nominated_by: str | None
    recent_contributions: int
    meets_requirement: bool
    review_posted: bool


def pending_applications(
    db: Database, today: date, required: int, limit: int = 15
) -> tuple[list[PendingItem], int]:
    """Applications waiting for the TSC, oldest first (at most `limit`), and how many there are."""
    recent = (
        select(Contribution.member_id, func.count(Contribution.id).label("recent"))
        .where(
            Contribution.occurred_on >= membership_rules.application_window(today).start,
            counting.counts(today),
        )
        .group_by(Contribution.member_id)
        .subquery()
    )
    posted = (
        select(OutboxMessage.key)
        .where(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.kind == "review")
        .subquery()
    )
    with db.read_only() as session:
        total = session.scalar(select(func.count(Application.id)).where(PENDING_APPLICATION)) or 0
        rows = session.execute(
            select(
                Application.id,
                Member.slack_user_id,
                Member.name,
                Member.title,
                Member.company,
                Application.submitted_at,
                Application.nominated_by,
                func.coalesce(recent.c.recent, 0),
                Application.review_ts,
                posted.c.key,
            )
            .join(Member, Member.id == Application.member_id)
            .outerjoin(recent, recent.c.member_id == Member.id)
            .outerjoin(posted, posted.c.key == literal("review:application:") + cast(Application.id, String))
            .where(PENDING_APPLICATION)
            .order_by(Application.submitted_at, Application.id)
            .limit(limit)
        ).all()
    items = [
        PendingItem(
            id=row[0],
            slack_user_id=row[1],
            name=row[2],
            title=row[3],
            company=row[4],
            submitted_at=row[5],
            nominated_by=row[6],
            recent_contributions=row[7],
            meets_requirement=membership_rules.meets_application_requirement(row[7], required),
            review_posted=bool(row[8] or row[9]),
        )
        for row in rows
    ]
    return items, total
