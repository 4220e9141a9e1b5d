"""What happens to a member's benefit requests when they leave the program (become emeritus).

Requests the TSC has not decided yet are cancelled (their shipping details erased at once, their
review post, if not sent yet, dropped); approved ones not shipped yet are listed for the TSC, who
decide whether to send them anyway. Runs inside the caller's transaction
(`bot.services.membership.emeritus.become_emeritus`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules.benefits import RequestStatus
from bot.services.benefits.common import cancel_review_post, claim
from bot.services.benefits.shipping import erase_shipping
from bot.services.members import record_audit
from bot.store.models import Benefit, BenefitRequest

CANCELLED_ON_LEAVING = "Cancelled when the member left the program."


@dataclass(frozen=True)
class BenefitLine:
    request_id: int
    benefit_name: str
    event_name: str | None
    decided_at: datetime | None  # approved: when


@dataclass(frozen=True)
class Settled:
    cancelled: list[BenefitLine] = field(default_factory=list)  # pending: cancelled now
    unshipped: list[BenefitLine] = field(default_factory=list)  # approved, not fulfilled yet


def settle_on_leaving(session: Session, member_id: int, *, now: datetime, actor: str) -> Settled:
    rows = session.execute(
        select(BenefitRequest, Benefit.name)
        .join(Benefit, Benefit.id == BenefitRequest.benefit_id)
        .where(
            BenefitRequest.member_id == member_id,
            BenefitRequest.status.in_((RequestStatus.PENDING, RequestStatus.APPROVED)),
        )
        .order_by(BenefitRequest.id)
    ).all()
    cancelled: list[BenefitLine] = []
    unshipped: list[BenefitLine] = []
    for request, name in rows:
        line = BenefitLine(request.id, name, request.event_name, request.decided_at)
        if request.status == RequestStatus.APPROVED:
            unshipped.append(line)
            continue
        # The same guard as a member's own cancellation: a TSC decision that got there first stands.
        if not claim(
            session,
            request.id,
            RequestStatus.PENDING,
            status=RequestStatus.CANCELLED,
            cancelled_at=now,
            decision_reason=CANCELLED_ON_LEAVING,
        ):
            continue
        session.refresh(request)
        record_audit(
            session,
            actor,
            "benefit.cancelled",
            member_id,
            at=now,
            request_id=request.id,
            cause="left the program",
        )
        cancel_review_post(session, request.id)
        erase_shipping(session, request, actor, now, "cancelled: the member left the program")
        cancelled.append(line)
    return Settled(cancelled, unshipped)
