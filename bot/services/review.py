"""The TSC's review of contributions (`CONTRIBUTION_REVIEW=tsc`): listing what waits, and deciding.

New contributions wait (pending) until a TSC member decides once: **Verify** (it counts), **Needs info**
(a question DM'd to the member, who answers by editing it: pending again, in a new round) or **Not
counted** (a reason, said kindly). The rules are `bot.rules.review`'s; the guard is the one
applications use: one conditional UPDATE (pending → decided), first to write in its transaction, so
of two TSC members clicking at once one decides and the other is told who did. Refusals and decisions
are audited; the member's message is queued in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.outbox.queue import enqueue_message
from bot.rules import membership as membership_rules
from bot.rules import review as review_rules
from bot.rules.impact import Impact
from bot.rules.review import ReviewDecision, ReviewState
from bot.services.contributions import impact_of
from bot.services.members import record_audit
from bot.store.constants import PENDING_REVIEW
from bot.store.db import Database
from bot.store.models import Contribution, Member, OutboxMessage, OutboxStatus

Payload = dict[str, Any]
QUESTION_KIND = "contribution_question"
NOT_COUNTED_KIND = "contribution_not_counted"


@dataclass(frozen=True)
class ReviewItem:
    """A contribution as the TSC reviews it (and as its review message shows it)."""

    id: int
    member_id: int
    slack_user_id: str | None
    name: str
    type: str
    title: str
    link: str
    occurred_on: date
    date_precision: str
    notes: str | None
    impact: Impact
    logged_by: str | None
    state: str
    round: int
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str | None
    message_key: str | None

    @property
    def is_open(self) -> bool:
        return self.state == ReviewState.PENDING


class Messages(Protocol):
    """What the member reads after a decision; implemented by bot.blocks.review (`REVIEW_MESSAGES`)."""

    def question(self, item: ReviewItem, question: str) -> Payload: ...

    def not_counted(self, item: ReviewItem, reason: str) -> Payload: ...


def message_key(first: ReviewItem) -> str:
    """A review message is named by its first contribution and that one's round: each round of each
    contribution is listed once, whoever runs the job and however often."""
    return f"contribution-review:{first.id}.{first.round}"


def told_key(item: ReviewItem, decision: ReviewDecision) -> str:
    return f"contribution-{decision.replace('_', '-')}:{item.id}.{item.round}"


def _items(session: Session, condition: Any) -> list[ReviewItem]:
    rows = session.execute(
        select(Contribution, Member.slack_user_id, Member.name)
        .join(Member, Member.id == Contribution.member_id)
        .where(condition)
        .order_by(Contribution.id)
    ).all()
    return [
        ReviewItem(
            contribution.id,
            contribution.member_id,
            slack_user_id,
            name,
            contribution.type,
            contribution.title,
            contribution.link,
            contribution.occurred_on,
            contribution.date_precision,
            contribution.notes,
            impact_of(contribution),
            contribution.logged_by,
            contribution.review_state,
            contribution.review_round,
            contribution.reviewed_by,
            contribution.reviewed_at,
            contribution.review_note,
            contribution.review_message_key,
        )
        for contribution, slack_user_id, name in rows
    ]


# --- listing (the contribution-review job) -----------------------------------------------------------


def waiting_to_be_listed(session: Session) -> list[ReviewItem]:
    """Pending contributions no review message lists yet in their round, oldest first."""
    return _items(
        session,
        PENDING_REVIEW & Contribution.review_message_key.is_(None),
    )


def list_in_message(session: Session, page: Sequence[ReviewItem]) -> list[ReviewItem]:
    """Note that the message `message_key(page[0])` lists these, for those no other run listed
    meanwhile (a conditional UPDATE); the contributions as that message shows them."""
    if not page:
        return []
    key = message_key(page[0])
    claimed = set(
        session.scalars(
            update(Contribution)
            .where(
                Contribution.id.in_([item.id for item in page]),
                PENDING_REVIEW,
                Contribution.review_message_key.is_(None),
            )
            .values(review_message_key=key)
            .returning(Contribution.id)
            .execution_options(synchronize_session=False)
        )
    )
    return _items(session, Contribution.id.in_(claimed)) if claimed else []


def pending_total(session: Session) -> int:
    """How many contributions wait for a TSC member's decision."""
    query = select(func.count(Contribution.id)).where(PENDING_REVIEW)
    return int(session.scalar(query) or 0)


# --- deciding (the TSC's buttons) ---------------------------------------------------------------------


class ReviewStatus(StrEnum):
    DECIDED = "decided"  # this call decided
    ALREADY = "already"  # decided before, or not waiting for a decision (the item says how it stands)
    REFUSED = "refused"  # not a TSC member, or their own contribution (`refusal`)
    NOT_FOUND = "not_found"  # deleted meanwhile
    NEEDS_NOTE = "needs_note"  # may be decided, with a question or a reason: nothing written yet


@dataclass(frozen=True)
class Deciding:
    """Who decides, and what deciding needs."""

    decider: str
    decider_is_tsc: bool
    now: datetime
    messages: Messages


@dataclass(frozen=True)
class ReviewOutcome:
    status: ReviewStatus
    item: ReviewItem | None = None
    decision: ReviewDecision | None = None
    listed: list[ReviewItem] = field(default_factory=list)  # the message's contributions, as they stand
    location: tuple[str, str] | None = None  # the message (channel, ts), to redraw in place
    outbox_keys: list[str] = field(default_factory=list)
    refusal: membership_rules.DecisionRefusal | None = None


def _claim(
    session: Session, contribution_id: int, decision: ReviewDecision, note: str | None, how: Deciding
) -> bool:
    # The conditional UPDATE is the whole guard: on PostgreSQL a concurrent twin waits for this row,
    # then finds it no longer pending; SQLite's writers take the write lock one at a time.
    result = session.execute(
        update(Contribution)
        .where(Contribution.id == contribution_id, PENDING_REVIEW)
        .values(
            review_state=review_rules.STATE_AFTER[decision],
            reviewed_by=how.decider,
            reviewed_at=how.now,
            review_note=note,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def _location(session: Session, key: str | None) -> tuple[str, str] | None:
    if not key:
        return None
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if row is not None and row.status == OutboxStatus.SENT and row.slack_channel and row.slack_ts:
        return row.slack_channel, row.slack_ts
    return None


def _tell(
    session: Session, item: ReviewItem, decision: ReviewDecision, note: str, how: Deciding
) -> list[str]:
    """The member's message: the question (needs info) or the reason (not counted). Verify tells
    nothing: the member sees it counted on their Home and in `status`, and a DM for every verified
    contribution would be the bot's most frequent message while asking nothing of them."""
    if item.slack_user_id is None or decision is ReviewDecision.VERIFY:
        return []
    payload = (
        how.messages.question(item, note)
        if decision is ReviewDecision.NEEDS_INFO
        else how.messages.not_counted(item, note)
    )
    key = told_key(item, decision)
    enqueue_message(
        session,
        now=how.now,
        key=key,
        kind=QUESTION_KIND if decision is ReviewDecision.NEEDS_INFO else NOT_COUNTED_KIND,
        channel=item.slack_user_id,
        payload=payload,
        member_id=item.member_id,
    )
    return [key]


def decide(
    db: Database, contribution_id: int, decision: ReviewDecision, how: Deciding, note: str | None = None
) -> ReviewOutcome:
    """One TSC member's decision on one pending contribution: exactly one decision wins, whoever clicks.

    Refused (and audited) for anyone not on the TSC, and for the member whose contribution it is or
    who logged it. `note` is the question (needs info) or the reason (not counted). Without one, those
    decide nothing: NEEDS_NOTE says the caller may ask for it (ALREADY when nothing waits any more).
    A note the rules refuse (`review_rules.note_problem`; the form checks it first) is a ValueError.
    """
    note = (note or "").strip() or None
    with db.transaction() as session:
        owner = session.execute(
            select(
                Member.slack_user_id,
                Contribution.logged_by,
                Contribution.member_id,
                Contribution.review_state,
            )
            .join(Member, Member.id == Contribution.member_id)
            .where(Contribution.id == contribution_id)
        ).first()
        if owner is None:
            return ReviewOutcome(ReviewStatus.NOT_FOUND, decision=decision)
        refusal = review_rules.decision_refusal(how.decider, how.decider_is_tsc, owner[0], owner[1])
        keys: list[str] = []
        if refusal is not None:
            record_audit(
                session,
                how.decider,
                "contribution.review_refused",
                owner[2],
                at=how.now,
                contribution_id=contribution_id,
                decision=str(decision),
                reason=str(refusal),
            )
            status = ReviewStatus.REFUSED
        elif note is None and review_rules.needs_note(decision):
            status = ReviewStatus.NEEDS_NOTE if review_rules.may_decide(owner[3]) else ReviewStatus.ALREADY
        elif review_rules.note_problem(decision, note):
            raise ValueError(f"{decision} needs a note of 1 to {review_rules.NOTE_MAX_LENGTH} characters")
        elif _claim(session, contribution_id, decision, note, how):
            status = ReviewStatus.DECIDED
            (item,) = _items(session, Contribution.id == contribution_id)
            record_audit(
                session,
                how.decider,
                "contribution.reviewed",
                item.member_id,
                at=how.now,
                contribution_id=item.id,
                decision=str(decision),
                note=note,
                round=item.round,
            )
            keys = _tell(session, item, decision, note or "", how)
        else:
            status = ReviewStatus.ALREADY
        (item,) = _items(session, Contribution.id == contribution_id)
        listed = (
            _items(session, Contribution.review_message_key == item.message_key) if item.message_key else []
        )
        return ReviewOutcome(
            status,
            item,
            decision,
            listed or [item],
            _location(session, item.message_key),
            keys,
            refusal,
        )
