"""What the benefit use cases share: outbox keys, the request as the TSC and the member see it, the
`Messages` protocol, the outcome of acting on a request, and the reads and guarded writes several
use cases make.

Each use case is one transaction. Messages that must reach someone exactly once (the review post,
the member's DMs) are written to the outbox in that same transaction with unique keys; the caller
delivers them right after the commit and the scheduler retries what Slack did not take. Services
build no Block Kit: callers pass `messages` (bot.blocks.benefits.review's `BENEFIT_MESSAGES`).

Shipping details are personal data: `RequestView`, which feeds the review post, the TSC's Home and
the export, carries whether they exist, never what they are (see `bot.services.benefits.shipping`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.rules import benefits as benefit_rules
from bot.rules import membership as membership_rules
from bot.rules.benefits import RequestStatus
from bot.services.benefits.budget import BudgetSetting, budget_in
from bot.services.members import count_in_term
from bot.store.constants import ACTIVE_TERM
from bot.store.models import (
    BenefitRequest,
    Member,
    MemberStatus,
    OutboxMessage,
    OutboxStatus,
    Term,
)

Payload = dict[str, Any]

REVIEW_KIND = "benefit_review"
DECISION_KIND = "benefit_decision"
FULFILLED_KIND = "benefit_fulfilled"


def review_key(request_id: int) -> str:
    return f"review:benefit:{request_id}"


def decision_key(request_id: int) -> str:
    return f"benefit-decision:{request_id}"


def fulfilled_key(request_id: int) -> str:
    return f"benefit-fulfilled:{request_id}"


# --- what the services hand to the message builders ------------------------------------------------


@dataclass(frozen=True)
class RequestView:
    """A request as the TSC reviews it and the member follows it; never the shipping details."""

    id: int
    status: str
    member_id: int
    slack_user_id: str | None
    member_name: str
    benefit_key: str
    benefit_name: str
    kind: str
    value: int
    currency: str
    event_name: str | None
    event_date: date | None
    event_link: str | None
    participants: int | None
    note: str | None
    has_shipping: bool
    shipping_erased_at: datetime | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    fulfilled_by: str | None
    fulfilled_at: datetime | None
    has_fulfilment_note: bool
    cancelled_at: datetime | None
    progress: membership_rules.Progress | None  # the member's current term, when they have one
    budget: benefit_rules.Budget


class Messages(Protocol):
    """How benefit messages read; implemented by bot.blocks.benefits.review (`BENEFIT_MESSAGES`)."""

    def review(self, request: RequestView) -> Payload: ...

    def decided(self, request: RequestView) -> Payload: ...

    def fulfilled(self, request: RequestView, note: str | None) -> Payload: ...


class RequestNotFound(LookupError):
    pass


class NotYours(LookupError):
    """The request does not exist, or is someone else's (treated alike: nothing is revealed)."""


@dataclass(frozen=True)
class Outcome:
    """The request after a decision, a fulfilment or a cancellation attempt.

    `changed` is True only for the one call that made the change; every other call (a double click,
    a second TSC member, a replica) gets False and the request as the winner left it. `refusal` is
    set when the caller was not allowed to act (nothing changed).
    """

    changed: bool
    request: RequestView
    review_location: tuple[str, str] | None
    outbox_keys: list[str] = field(default_factory=list)
    refusal: membership_rules.DecisionRefusal | None = None


# --- reading ------------------------------------------------------------------------------------


def current_term(session: Session, member: Member) -> Term | None:
    if member.status != MemberStatus.ACTIVE:
        return None
    return session.scalar(select(Term).where(Term.member_id == member.id, ACTIVE_TERM))


def _progress(
    session: Session, member: Member, today: date, required: int
) -> membership_rules.Progress | None:
    term = current_term(session, member)
    if term is None:
        return None
    rule_term = membership_rules.Term(term.start_on, term.end_on)
    return membership_rules.Progress(
        rule_term, today, count_in_term(session, member.id, rule_term, today), required
    )


def request_view(
    session: Session,
    request: BenefitRequest,
    *,
    now: datetime,
    today: date,
    required: int,
    setting: BudgetSetting,
) -> RequestView:
    member = request.member
    benefit = request.benefit
    return RequestView(
        id=request.id,
        status=request.status,
        member_id=member.id,
        slack_user_id=member.slack_user_id,
        member_name=member.name,
        benefit_key=benefit.key,
        benefit_name=benefit.name,
        kind=benefit.kind,
        value=request.value,
        currency=setting.currency,
        event_name=request.event_name,
        event_date=request.event_date,
        event_link=request.event_link,
        participants=request.participants,
        note=request.note,
        has_shipping=request.shipping_address is not None,
        shipping_erased_at=request.shipping_erased_at,
        requested_at=request.requested_at,
        decided_by=request.decided_by,
        decided_at=request.decided_at,
        decision_reason=request.decision_reason,
        fulfilled_by=request.fulfilled_by,
        fulfilled_at=request.fulfilled_at,
        has_fulfilment_note=bool(request.fulfilment_note),
        cancelled_at=request.cancelled_at,
        progress=_progress(session, member, today, required),
        budget=budget_in(session, now, setting),
    )


def review_location_in(session: Session, request_id: int) -> tuple[str, str] | None:
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == review_key(request_id)))
    if row is not None and row.status == OutboxStatus.SENT and row.slack_channel and row.slack_ts:
        return row.slack_channel, row.slack_ts
    return None


def requester(session: Session, request_id: int) -> str | None:
    row = session.execute(
        select(Member.slack_user_id)
        .join(BenefitRequest, BenefitRequest.member_id == Member.id)
        .where(BenefitRequest.id == request_id)
    ).first()
    if row is None:
        raise RequestNotFound(request_id)
    return row[0]


def requester_or_none(session: Session, request_id: int) -> str | None:
    try:
        return requester(session, request_id)
    except RequestNotFound:
        return None


# --- changing a request's status -----------------------------------------------------------------


def claim(session: Session, request_id: int, from_status: RequestStatus, **values: Any) -> bool:
    # The conditional UPDATE is the whole guard, as for applications: on PostgreSQL a concurrent
    # twin waits for this row, then finds its status changed; SQLite serializes writers.
    result = session.execute(
        update(BenefitRequest)
        .where(BenefitRequest.id == request_id, BenefitRequest.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def cancel_review_post(session: Session, request_id: int) -> None:
    """A review post not sent yet would show buttons that no longer apply: drop it."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == review_key(request_id), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED)
    )
