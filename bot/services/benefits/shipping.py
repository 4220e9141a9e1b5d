"""Shipping details: personal data, seen only by the member themselves and, privately, by the TSC,
and erased once no longer needed (a request declined or cancelled at once; fulfilled ones after
SHIPPING_RETENTION_DAYS, by the daily run).

They leave the benefit services only in `PrivateRequest` (the member's own view, a TSC member's
private modal). Audit rows never hold them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules import benefits as benefit_rules
from bot.rules.benefits import RequestStatus
from bot.services.benefits.budget import BudgetSetting
from bot.services.benefits.common import NotYours, RequestView, request_view, requester_or_none
from bot.services.members import record_audit
from bot.store.db import Database
from bot.store.models import BenefitRequest


@dataclass(frozen=True)
class ShippingDetails:
    name: str
    address: str
    country: str
    phone: str | None


@dataclass(frozen=True)
class PrivateRequest:
    """A request with its shipping details: for the member themselves, or a TSC member privately."""

    view: RequestView
    shipping: ShippingDetails | None
    fulfilment_note: str | None


def shipping_details(request: BenefitRequest) -> ShippingDetails | None:
    if request.shipping_address is None:
        return None
    return ShippingDetails(
        request.shipping_name or "",
        request.shipping_address,
        request.shipping_country or "",
        request.shipping_phone,
    )


def private_request(
    db: Database,
    request_id: int,
    viewer: str,
    *,
    viewer_is_tsc: bool,
    now: datetime,
    today: date,
    required: int,
    setting: BudgetSetting,
) -> PrivateRequest:
    """A request with its shipping details, for a TSC member or the member themselves (audited).

    Raises NotYours for anyone else.
    """
    with db.transaction() as session:
        requester = requester_or_none(session, request_id)
        if requester is None or not (viewer_is_tsc or viewer == requester):
            raise NotYours(request_id)
        request = session.get(BenefitRequest, request_id)
        assert request is not None
        if viewer != requester and request.shipping_address is not None:
            record_audit(
                session, viewer, "benefit.shipping_viewed", request.member_id, at=now, request_id=request_id
            )
        view = request_view(session, request, now=now, today=today, required=required, setting=setting)
        return PrivateRequest(view, shipping_details(request), request.fulfilment_note)


def erase_shipping(session: Session, request: BenefitRequest, actor: str, now: datetime, why: str) -> bool:
    """Erase one request's shipping details, audited with `why`; False when it had none."""
    if request.shipping_address is None and request.shipping_name is None:
        return False
    request.shipping_name = None
    request.shipping_address = None
    request.shipping_country = None
    request.shipping_phone = None
    request.shipping_erased_at = now
    record_audit(
        session,
        actor,
        "benefit.shipping_erased",
        request.member_id,
        at=now,
        request_id=request.id,
        reason=why,
    )
    return True


def erase_shipping_details(
    db: Database, *, now: datetime, actor: str, everything_closed: bool = False
) -> list[int]:
    """Erase shipping details no longer needed; returns the requests' ids (each erasure audited).

    Due: fulfilled SHIPPING_RETENTION_DAYS ago or more. `everything_closed` (the purge command): every
    request that is no longer open, at once. Open requests (pending, approved) keep theirs: the swag
    has not been shipped yet.
    """
    closed = (RequestStatus.FULFILLED, RequestStatus.DECLINED, RequestStatus.CANCELLED)
    query = select(BenefitRequest).where(
        BenefitRequest.shipping_erased_at.is_(None),
        BenefitRequest.status.in_(closed if everything_closed else (RequestStatus.FULFILLED,)),
        (BenefitRequest.shipping_address.is_not(None)) | (BenefitRequest.shipping_name.is_not(None)),
    )
    erased: list[int] = []
    with db.transaction() as session:
        for request in session.scalars(query.order_by(BenefitRequest.id).with_for_update(skip_locked=True)):
            if not everything_closed and not benefit_rules.shipping_erasure_is_due(request.fulfilled_at, now):
                continue
            why = (
                "purge"
                if everything_closed
                else f"{benefit_rules.SHIPPING_RETENTION_DAYS} days after fulfilment"
            )
            if erase_shipping(session, request, actor, now, why):
                erased.append(request.id)
    return erased
