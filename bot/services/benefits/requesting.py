"""A member's side of benefits: what they may ask for this term and their own requests
(`/ambassador benefits`), asking (the request form, its review post queued for the TSC), and
withdrawing a request the TSC has not decided yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.outbox.queue import enqueue_message
from bot.rules import benefits as benefit_rules
from bot.rules.benefits import RequestStatus
from bot.services.benefits.budget import BudgetSetting
from bot.services.benefits.catalogue import CatalogueItem, catalogue_item, items_in
from bot.services.benefits.common import (
    REVIEW_KIND,
    Messages,
    NotYours,
    Outcome,
    RequestView,
    cancel_review_post,
    claim,
    current_term,
    request_view,
    requester_or_none,
    review_key,
    review_location_in,
)
from bot.services.benefits.shipping import PrivateRequest, erase_shipping, shipping_details
from bot.services.members import member_by_slack_id, record_audit
from bot.store.db import Database
from bot.store.models import Benefit, BenefitRequest, Member, OutboxMessage


def _used_this_term(session: Session, member_id: int, term_id: int) -> dict[int, int]:
    """{benefit id: requests pending, approved or fulfilled} in this term."""
    rows = session.execute(
        select(BenefitRequest.benefit_id, func.count(BenefitRequest.id))
        .where(
            BenefitRequest.member_id == member_id,
            BenefitRequest.term_id == term_id,
            BenefitRequest.status.in_(benefit_rules.COUNTED_STATUSES),
        )
        .group_by(BenefitRequest.benefit_id)
    )
    return {benefit_id: int(count) for benefit_id, count in rows}


@dataclass(frozen=True)
class Offer:
    item: CatalogueItem
    left: int | None  # how many more this term (None: no limit)

    @property
    def available(self) -> bool:
        return self.left is None or self.left > 0


@dataclass(frozen=True)
class MemberBenefits:
    """What `/ambassador benefits` shows a member: the offers and their own requests (newest first)."""

    known: bool
    is_ambassador: bool
    offers: list[Offer]
    requests: list[RequestView]
    currency: str


def member_benefits(
    db: Database, slack_user_id: str, *, now: datetime, today: date, required: int, setting: BudgetSetting
) -> MemberBenefits:
    with db.transaction() as session:
        items = items_in(session)
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return MemberBenefits(False, False, [Offer(item, None) for item in items], [], setting.currency)
        term = current_term(session, member)
        used = _used_this_term(session, member.id, term.id) if term else {}
        offers = [
            Offer(item, benefit_rules.left_this_term(item.spec, used.get(item.id, 0))) for item in items
        ]
        requests = [
            request_view(session, request, now=now, today=today, required=required, setting=setting)
            for request in session.scalars(
                select(BenefitRequest)
                .where(BenefitRequest.member_id == member.id)
                .order_by(BenefitRequest.requested_at.desc(), BenefitRequest.id.desc())
                .limit(20)
            )
        ]
        return MemberBenefits(True, term is not None, offers, requests, setting.currency)


class RequestRefused(Exception):
    def __init__(self, refusal: benefit_rules.RequestRefusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


@dataclass(frozen=True)
class Submitted:
    request: PrivateRequest  # the member's own: they see what they sent
    review_key: str | None  # None when REVIEW_CHANNEL is not set
    outbox_keys: list[str]


def submit_request(
    db: Database,
    slack_user_id: str,
    draft: benefit_rules.RequestDraft,
    *,
    now: datetime,
    today: date,
    required: int,
    setting: BudgetSetting,
    review_channel: str,
    messages: Messages,
) -> Submitted:
    """Store a valid request and queue its review post, or raise RequestRefused (nothing stored).

    The member's row is locked (PostgreSQL) so two submissions at once cannot both use the last of a
    limit; SQLite serializes writers anyway (BEGIN IMMEDIATE).
    """
    with db.transaction() as session:
        member = session.scalar(select(Member).where(Member.slack_user_id == slack_user_id).with_for_update())
        term = current_term(session, member) if member else None
        benefit = session.get(Benefit, draft.benefit_id)
        item = catalogue_item(benefit) if benefit else None
        used = _used_this_term(session, member.id, term.id).get(draft.benefit_id, 0) if member and term else 0
        refusal = benefit_rules.request_refusal(
            term is not None, bool(item and item.enabled), item.spec if item else None, used
        )
        if refusal is not None:
            raise RequestRefused(refusal)
        assert member is not None and term is not None and benefit is not None
        shipping = draft.shipping
        request = BenefitRequest(
            member_id=member.id,
            benefit_id=benefit.id,
            term_id=term.id,
            status=RequestStatus.PENDING,
            value=benefit.value,
            event_name=draft.event_name,
            event_date=draft.event_date,
            event_link=draft.event_link,
            participants=draft.participants,
            note=draft.note,
            shipping_name=shipping.name if shipping else None,
            shipping_address=shipping.address if shipping else None,
            shipping_country=shipping.country if shipping else None,
            shipping_phone=shipping.phone if shipping else None,
            requested_at=now,
        )
        session.add(request)
        session.flush()
        record_audit(
            session,
            slack_user_id,
            "benefit.requested",
            member.id,
            at=now,
            request_id=request.id,
            benefit=benefit.key,
            value=benefit.value,
            with_shipping=shipping is not None,
        )
        view = request_view(session, request, now=now, today=today, required=required, setting=setting)
        keys: list[str] = []
        posted_key = None
        if review_channel:
            posted_key = review_key(request.id)
            enqueue_message(
                session,
                now=now,
                key=posted_key,
                kind=REVIEW_KIND,
                channel=review_channel,
                payload=messages.review(view),
                member_id=member.id,
            )
            keys.append(posted_key)
        return Submitted(PrivateRequest(view, shipping_details(request), None), posted_key, keys)


def review_location(db: Database, request_id: int) -> tuple[tuple[str, str] | None, str | None]:
    """Where the review post landed, or the outbox row's last error."""
    with db.transaction() as session:
        location = review_location_in(session, request_id)
        error = None
        if location is None:
            error = session.scalar(
                select(OutboxMessage.error).where(OutboxMessage.key == review_key(request_id))
            )
        return location, error


def cancel(
    db: Database,
    slack_user_id: str,
    request_id: int,
    *,
    now: datetime,
    today: date,
    required: int,
    setting: BudgetSetting,
) -> Outcome:
    """The member withdraws a request the TSC has not decided yet; its shipping details are erased."""
    with db.transaction() as session:
        if requester_or_none(session, request_id) != slack_user_id:
            raise NotYours(request_id)
        won = claim(
            session, request_id, RequestStatus.PENDING, status=RequestStatus.CANCELLED, cancelled_at=now
        )
        request = session.get(BenefitRequest, request_id)
        assert request is not None
        session.refresh(request)
        if won:
            record_audit(
                session, slack_user_id, "benefit.cancelled", request.member_id, at=now, request_id=request_id
            )
            cancel_review_post(session, request_id)
            erase_shipping(session, request, slack_user_id, now, "cancelled")
        view = request_view(session, request, now=now, today=today, required=required, setting=setting)
        return Outcome(won, view, review_location_in(session, request_id))
