"""Proposals to move a member to emeritus, which a TSC member decides: exactly once, audited, never about
themselves.

The yearly verification proposes a term that ended short (`VERIFICATION_DECIDES=tsc`): **Move to
emeritus** or **Give 30 more days**, and one **Confirm all** for a message's list. A long stretch of
inactivity proposes the member: **Move to emeritus** or **Keep**. The member keeps their status until
someone decides. The guard is one conditional UPDATE (open → decided) per proposal, as for
applications: of two TSC members clicking at once, one decides and the other is told who did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.outbox.queue import enqueue_message
from bot.rules import emeritus as emeritus_rules
from bot.rules import membership as membership_rules
from bot.rules.emeritus import ProposalCause, ProposalDecision
from bot.services.members import count_in_term, record_audit
from bot.services.membership import emeritus, terms, verification
from bot.services.membership.farewell import Farewell
from bot.store.db import Database
from bot.store.models import (
    EmeritusProposal,
    Member,
    MemberStatus,
    OutboxMessage,
    OutboxStatus,
    ProposalStatus,
    Term,
    TermStatus,
)

Payload = dict[str, Any]
MORE_DAYS_KIND = "more_days"

STATUS_OF: dict[ProposalDecision, ProposalStatus] = {
    ProposalDecision.EMERITUS: ProposalStatus.EMERITUS,
    ProposalDecision.KEEP: ProposalStatus.KEPT,
    ProposalDecision.MORE_DAYS: ProposalStatus.MORE_DAYS,
}


@dataclass(frozen=True)
class ProposalView:
    id: int
    member_id: int
    slack_user_id: str | None
    name: str
    cause: str
    status: str
    details: dict[str, Any]
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    message_key: str | None

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.OPEN


class Messages(Protocol):
    """How a decision reads to the member; implemented by bot.blocks.proposals (`PROPOSAL_MESSAGES`)."""

    def more_days(self, name: str, end: date, counted: int, required: int) -> Payload: ...


# --- proposing (the jobs) ------------------------------------------------------------------------------


def verification_key(term_id: int, end: date) -> str:
    """One proposal per term and end: after "Give 30 more days" the term may be proposed again."""
    return f"verification:term{term_id}:{end.isoformat()}"


def inactivity_key(member_id: int, stretch_start: date) -> str:
    return f"inactivity:member{member_id}:{stretch_start.isoformat()}"


@dataclass(frozen=True)
class NewProposal:
    key: str
    member_id: int
    term_id: int | None
    cause: ProposalCause
    details: dict[str, Any]


def propose(session: Session, wanted: Sequence[NewProposal], now: datetime) -> dict[str, int]:
    """Insert the proposals whose key is new, in one statement (insert-or-ignore): key → id of those
    this call made; a key proposed before is left out."""
    if not wanted:
        return {}
    rows = [
        {
            "key": item.key,
            "member_id": item.member_id,
            "term_id": item.term_id,
            "cause": str(item.cause),
            "status": ProposalStatus.OPEN,
            "details": item.details,
            "proposed_at": now,
        }
        for item in wanted
    ]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING tells which rows this call inserted (psycopg's rowcount is not reliable here).
    made = session.execute(
        insert(EmeritusProposal)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(EmeritusProposal.key, EmeritusProposal.id)
    )
    return {key: proposal_id for key, proposal_id in made}


def list_in_message(session: Session, proposal_ids: Sequence[int], message_key: str) -> None:
    """Note which review-channel message lists these proposals (it is redrawn after each decision)."""
    session.execute(
        update(EmeritusProposal)
        .where(EmeritusProposal.id.in_(list(proposal_ids)))
        .values(message_key=message_key)
        .execution_options(synchronize_session=False)
    )


def with_open_proposal(session: Session) -> set[int]:
    """Members with a proposal waiting for the TSC (nothing else is proposed or noticed meanwhile)."""
    return set(
        session.scalars(
            select(EmeritusProposal.member_id).where(EmeritusProposal.status == ProposalStatus.OPEN)
        )
    )


def views(session: Session, proposal_ids: Sequence[int]) -> list[ProposalView]:
    return _views(session, EmeritusProposal.id.in_(list(proposal_ids)))


def open_proposals(session: Session, limit: int) -> tuple[list[ProposalView], int]:
    """The proposals waiting for the TSC, oldest first (at most `limit`), and how many (one statement)."""
    rows = session.execute(
        select(EmeritusProposal, Member.slack_user_id, Member.name, func.count().over())
        .join(Member, Member.id == EmeritusProposal.member_id)
        .where(EmeritusProposal.status == ProposalStatus.OPEN)
        .order_by(EmeritusProposal.id)
        .limit(limit)
    ).all()
    total = rows[0][3] if rows else 0
    return _rows_to_views([(row[0], row[1], row[2]) for row in rows]), int(total)


def _views(session: Session, condition: Any) -> list[ProposalView]:
    rows = session.execute(
        select(EmeritusProposal, Member.slack_user_id, Member.name)
        .join(Member, Member.id == EmeritusProposal.member_id)
        .where(condition)
        .order_by(EmeritusProposal.id)
    ).all()
    return _rows_to_views([(row[0], row[1], row[2]) for row in rows])


def _rows_to_views(rows: Sequence[tuple[EmeritusProposal, str | None, str]]) -> list[ProposalView]:
    return [
        ProposalView(
            proposal.id,
            proposal.member_id,
            slack_user_id,
            name,
            proposal.cause,
            proposal.status,
            dict(proposal.details or {}),
            proposal.proposed_at,
            proposal.decided_by,
            proposal.decided_at,
            proposal.message_key,
        )
        for proposal, slack_user_id, name in rows
    ]


def _location(session: Session, message_key: str | None) -> tuple[str, str] | None:
    if not message_key:
        return None
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == message_key))
    if row is not None and row.status == OutboxStatus.SENT and row.slack_channel and row.slack_ts:
        return row.slack_channel, row.slack_ts
    return None


# --- deciding (the TSC's buttons) -------------------------------------------------------------------


class DecisionStatus(StrEnum):
    DECIDED = "decided"  # this call decided
    ALREADY = "already"  # decided before (by whom: the proposal's `decided_by`)
    WITHDRAWN = "withdrawn"  # moot: the member renewed, left, or was moved some other way
    REFUSED = "refused"  # not a TSC member, or their own proposal (`refusal`)
    NOT_FOUND = "not_found"
    NOT_OFFERED = "not_offered"  # that decision is not one this proposal offers


@dataclass(frozen=True)
class ProposalOutcome:
    status: DecisionStatus
    proposal: ProposalView | None = None
    decision: ProposalDecision | None = None
    listed: list[ProposalView] = field(default_factory=list)  # the message's proposals, as they stand
    location: tuple[str, str] | None = None  # the message (channel, ts), to redraw in place
    outbox_keys: list[str] = field(default_factory=list)
    refusal: membership_rules.DecisionRefusal | None = None
    term_end: date | None = None  # MORE_DAYS: the term's new end


@dataclass(frozen=True)
class Deciding:
    """Who decides, and what deciding needs."""

    decider: str
    decider_is_tsc: bool
    today: date
    now: datetime
    required: int
    farewell: Farewell
    messages: Messages


def _claim(session: Session, proposal_id: int, status: ProposalStatus, decider: str, now: datetime) -> bool:
    # The conditional UPDATE is the whole guard: on PostgreSQL a concurrent twin waits for this row,
    # then finds it no longer open; SQLite's writers take the write lock one at a time.
    result = session.execute(
        update(EmeritusProposal)
        .where(EmeritusProposal.id == proposal_id, EmeritusProposal.status == ProposalStatus.OPEN)
        .values(status=status, decided_by=decider, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def _withdrawn(session: Session, proposal: EmeritusProposal) -> None:
    proposal.status = ProposalStatus.WITHDRAWN


def _term_moved(session: Session, proposal: EmeritusProposal, details: dict[str, Any]) -> bool:
    """A verification's proposal is about a term as it ended: renewed, closed or given another end
    since (an extension), there is nothing left to decide."""
    if proposal.cause != ProposalCause.VERIFICATION or proposal.term_id is None:
        return False
    term = session.get(Term, proposal.term_id)
    return term is None or term.status != TermStatus.ACTIVE or term.end_on.isoformat() != details.get("end")


def _apply(
    session: Session, proposal: EmeritusProposal, member: Member, decision: ProposalDecision, how: Deciding
) -> tuple[DecisionStatus, list[str], date | None]:
    """Carry out a decision this call has claimed; WITHDRAWN when there is nothing left to decide."""
    cause = ProposalCause(proposal.cause)
    details = dict(proposal.details or {})
    if member.status != MemberStatus.ACTIVE or _term_moved(session, proposal, details):
        _withdrawn(session, proposal)
        return DecisionStatus.WITHDRAWN, [], None
    if decision is ProposalDecision.KEEP:
        return DecisionStatus.DECIDED, [], None
    if decision is ProposalDecision.MORE_DAYS:
        assert proposal.term_id is not None
        change = terms.give_more_days(
            session, proposal.term_id, today=how.today, now=how.now, actor=how.decider
        )
        if change.term is None:
            _withdrawn(session, proposal)
            return DecisionStatus.WITHDRAWN, [], None
        counted = count_in_term(session, member.id, change.term.rule_term, how.today)
        keys = []
        if member.slack_user_id:
            key = f"more-days:term{change.term.id}:{change.term.end.isoformat()}"
            enqueue_message(
                session,
                now=how.now,
                key=key,
                kind=MORE_DAYS_KIND,
                channel=member.slack_user_id,
                payload=how.messages.more_days(member.name, change.term.end, counted, how.required),
                member_id=member.id,
            )
            keys.append(key)
        return DecisionStatus.DECIDED, keys, change.term.end
    if cause is ProposalCause.VERIFICATION:
        assert proposal.term_id is not None
        ended = verification.end_at_verification(
            session,
            proposal.term_id,
            membership_rules.Verification(details.get("outcome", membership_rules.Verification.LAPSED)),
            required=how.required,
            today=how.today,
            now=how.now,
            actor=how.decider,
            farewell=how.farewell,
            proposal_id=proposal.id,
        )
        if ended is None:
            _withdrawn(session, proposal)
            return DecisionStatus.WITHDRAWN, [], None
        return DecisionStatus.DECIDED, list(ended.outbox_keys), None
    change = emeritus.become_emeritus(
        session,
        member.id,
        emeritus_rules.REASON_FOR[cause],
        f"No contribution since {details.get('stretch_start', 'a long time')}.",
        today=how.today,
        now=how.now,
        actor=how.decider,
        farewell=how.farewell,
        proposal_id=proposal.id,
    )
    return DecisionStatus.DECIDED, list(change.outbox_keys), None


def _decide_one(
    session: Session, proposal: EmeritusProposal, member: Member, decision: ProposalDecision, how: Deciding
) -> tuple[DecisionStatus, list[str], date | None]:
    if not _claim(session, proposal.id, STATUS_OF[decision], how.decider, how.now):
        session.refresh(proposal)
        return DecisionStatus.ALREADY, [], None
    session.refresh(proposal)
    status, keys, term_end = _apply(session, proposal, member, decision, how)
    record_audit(
        session,
        how.decider,
        "proposal.decided" if status is DecisionStatus.DECIDED else "proposal.withdrawn",
        member.id,
        at=how.now,
        proposal_id=proposal.id,
        cause=proposal.cause,
        decision=str(decision),
        term_end=term_end.isoformat() if term_end else None,
    )
    return status, keys, term_end


def decide(db: Database, proposal_id: int, decision: ProposalDecision, how: Deciding) -> ProposalOutcome:
    """One TSC member's decision on one proposal: exactly one decision wins, whoever clicks.

    Refused (and audited) for anyone not on the TSC, and for the member the proposal is about.
    """
    with db.transaction() as session:
        row = session.execute(
            select(EmeritusProposal, Member)
            .join(Member, Member.id == EmeritusProposal.member_id)
            .where(EmeritusProposal.id == proposal_id)
        ).first()
        if row is None:
            return ProposalOutcome(DecisionStatus.NOT_FOUND)
        proposal, member = row[0], row[1]
        refusal = emeritus_rules.proposal_refusal(how.decider, how.decider_is_tsc, member.slack_user_id)
        if refusal is not None:
            record_audit(
                session,
                how.decider,
                "proposal.decision_refused",
                member.id,
                at=how.now,
                proposal_id=proposal.id,
                decision=str(decision),
                reason=str(refusal),
            )
            status = DecisionStatus.REFUSED
            keys: list[str] = []
            term_end = None
        elif not emeritus_rules.allowed(ProposalCause(proposal.cause), decision):
            status, keys, term_end = DecisionStatus.NOT_OFFERED, [], None
        else:
            status, keys, term_end = _decide_one(session, proposal, member, decision, how)
        (view,) = views(session, [proposal.id])
        return ProposalOutcome(
            status,
            view,
            decision,
            _views(session, EmeritusProposal.message_key == proposal.message_key)
            if proposal.message_key
            else [view],
            _location(session, proposal.message_key),
            keys,
            refusal,
            term_end,
        )


@dataclass(frozen=True)
class BatchOutcome:
    """ "Confirm all": every open proposal of a message moved to emeritus, except the clicker's own."""

    refusal: membership_rules.DecisionRefusal | None  # not on the TSC: nothing was decided
    decided: list[ProposalView] = field(default_factory=list)
    own: list[ProposalView] = field(default_factory=list)  # about the clicker: left for someone else
    listed: list[ProposalView] = field(default_factory=list)
    location: tuple[str, str] | None = None
    outbox_keys: list[str] = field(default_factory=list)


def confirm_all(db: Database, message_key: str, how: Deciding) -> BatchOutcome:
    """Move every proposal still open in the message `message_key` to emeritus, each claimed on its
    own (a proposal someone else decides meanwhile is theirs), in one transaction."""
    with db.transaction() as session:
        if not how.decider_is_tsc:
            record_audit(
                session,
                how.decider,
                "proposal.decision_refused",
                None,
                at=how.now,
                message_key=message_key,
                decision="confirm_all",
                reason=str(membership_rules.DecisionRefusal.NOT_TSC),
            )
            return BatchOutcome(membership_rules.DecisionRefusal.NOT_TSC)
        rows = session.execute(
            select(EmeritusProposal, Member)
            .join(Member, Member.id == EmeritusProposal.member_id)
            .where(
                EmeritusProposal.message_key == message_key, EmeritusProposal.status == ProposalStatus.OPEN
            )
            .order_by(EmeritusProposal.id)
        ).all()
        decided: list[int] = []
        own: list[int] = []
        keys: list[str] = []
        for proposal, member in rows:
            if emeritus_rules.proposal_refusal(how.decider, True, member.slack_user_id) is not None:
                own.append(proposal.id)
                continue
            status, new_keys, _ = _decide_one(session, proposal, member, ProposalDecision.EMERITUS, how)
            if status is DecisionStatus.DECIDED:
                decided.append(proposal.id)
                keys += new_keys
        listed = _views(session, EmeritusProposal.message_key == message_key)
        by_id = {view.id: view for view in listed}
        return BatchOutcome(
            None,
            [by_id[i] for i in decided],
            [by_id[i] for i in own],
            listed,
            _location(session, message_key),
            keys,
        )
