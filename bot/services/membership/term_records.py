"""A member's terms as records: the shared steps of every change to a membership (finding and locking
the term and the member, their progress, starting, renewing and describing a term), used by `terms`
(enrolment, renewal requests, extensions, reinstatement), `verification` (the yearly verification) and
`emeritus` (the one way out).

Terms are never deleted or rewritten: a renewal completes the old term and creates the next one, so
a member's terms are their history. At most one term per member is `active` (a partial unique index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.rules.emeritus import EmeritusReason
from bot.services import access
from bot.services.members import TermView, count_in_term, counted_and_waiting_in_term, record_audit
from bot.store.constants import ACTIVE_TERM
from bot.store.models import Member, MemberStatus, Term, TermStatus


class TermNotFound(LookupError):
    """No term (or member) with that id."""


@dataclass(frozen=True)
class TermChange:
    """A member after a change to their membership.

    `term` is their current term after the call (None when they have none, e.g. emeritus);
    `changed` is False when the call found nothing to do (it was done before).
    """

    member_id: int
    slack_user_id: str | None
    name: str
    member_status: str
    term: TermView | None
    changed: bool
    # extend: the term's end before the call; move_to_emeritus: the term that was closed.
    previous_end: date | None = None
    closed_term: TermView | None = None
    # Messages the change queued (the thank-you of someone becoming emeritus), to deliver now.
    outbox_keys: tuple[str, ...] = ()


def view(term: Term | None) -> TermView | None:
    return TermView(term.id, term.start_on, term.end_on) if term else None


def as_rule_term(term: Term) -> membership_rules.Term:
    return membership_rules.Term(term.start_on, term.end_on)


def locked_term(session: Session, term_id: int) -> Term:
    # FOR UPDATE serialises concurrent verifications and renewals of one term on PostgreSQL;
    # SQLite runs one writer at a time anyway.
    term = session.scalar(select(Term).where(Term.id == term_id).with_for_update())
    if term is None:
        raise TermNotFound(f"term {term_id}")
    return term


def locked_member(session: Session, member_id: int) -> Member:
    member = session.scalar(select(Member).where(Member.id == member_id).with_for_update())
    if member is None:
        raise TermNotFound(f"member {member_id}")
    return member


def locked_active_term(session: Session, member_id: int) -> Term | None:
    return session.scalar(select(Term).where(Term.member_id == member_id, ACTIVE_TERM).with_for_update())


def progress_of(session: Session, term: Term, today: date, required: int) -> membership_rules.Progress:
    rule_term = as_rule_term(term)
    return membership_rules.Progress(
        rule_term, today, count_in_term(session, term.member_id, rule_term, today), required
    )


def progress_and_waiting(
    session: Session, term: Term, today: date, required: int
) -> tuple[membership_rules.Progress, int]:
    """`progress_of`, and how many contributions dated inside the term still wait for the TSC's review
    (one statement)."""
    rule_term = as_rule_term(term)
    counted, waiting = counted_and_waiting_in_term(session, term.member_id, rule_term, today)
    return membership_rules.Progress(rule_term, today, counted, required), waiting


def change(
    member: Member,
    term: Term | None,
    changed: bool,
    previous_end: date | None = None,
    closed: Term | None = None,
    outbox_keys: Sequence[str] = (),
) -> TermChange:
    return TermChange(
        member.id,
        member.slack_user_id,
        member.name,
        member.status,
        view(term),
        changed,
        previous_end,
        view(closed),
        tuple(outbox_keys),
    )


def set_status(
    member: Member,
    status: MemberStatus,
    reason: str | None,
    now: datetime,
    emeritus_reason: EmeritusReason | None = None,
) -> None:
    member.status = status
    member.status_reason = reason
    member.status_changed_at = now
    member.emeritus_reason = emeritus_reason


def start_term(
    session: Session, member: Member, start: date, now: datetime, actor: str, action: str, **details: object
) -> TermChange:
    current = locked_active_term(session, member.id)
    if member.status == MemberStatus.ACTIVE and current is not None:
        return change(member, current, changed=False)
    if current is not None:  # an active term on a member who is not active: close it first
        current.status = TermStatus.ENDED
        current.closed_at = now
        session.flush()
    dates = membership_rules.first_term(start)
    term = Term(member_id=member.id, start_on=dates.start, end_on=dates.end, status=TermStatus.ACTIVE)
    session.add(term)
    set_status(member, MemberStatus.ACTIVE, None, now)
    session.flush()
    access.request_sync(session, member.id, now=now)
    record_audit(
        session,
        actor,
        action,
        member.id,
        at=now,
        term_id=term.id,
        start=dates.start.isoformat(),
        end=dates.end.isoformat(),
        **details,
    )
    return change(member, term, changed=True)


def renew(session: Session, term: Term, member: Member, now: datetime, actor: str) -> Term:
    """Complete `term` and create the next one, starting the day after it ends."""
    following = membership_rules.next_term(as_rule_term(term))
    term.status = TermStatus.COMPLETED
    term.closed_at = now
    if term.renewal_requested_at is None:
        term.renewal_requested_at = now
    session.flush()  # the old term must stop being active before the next one is
    successor = Term(
        member_id=member.id, start_on=following.start, end_on=following.end, status=TermStatus.ACTIVE
    )
    session.add(successor)
    session.flush()
    record_audit(
        session,
        actor,
        "term.renewed",
        member.id,
        at=now,
        term_id=term.id,
        next_term_id=successor.id,
        start=following.start.isoformat(),
        end=following.end.isoformat(),
    )
    return successor


def successor_of(session: Session, term: Term) -> Term | None:
    return session.scalar(
        select(Term)
        .where(
            Term.member_id == term.member_id,
            Term.start_on == membership_rules.next_term(as_rule_term(term)).start,
        )
        .order_by(Term.id)
        .limit(1)
    )
