"""Benefits: the catalogue, members' requests, the TSC's decisions and fulfilment, the treasurer's
export, and the erasure of shipping details.

Each use case is one transaction. Messages that must reach someone exactly once (the review post,
the member's DMs) are written to the outbox in that same transaction with unique keys; the caller
delivers them right after the commit and the scheduler retries what Slack did not take. Services
build no Block Kit: callers pass `messages` (bot.blocks.benefits' `BENEFIT_MESSAGES`).

Shipping details are personal data. They leave this module only in `OwnRequest` / `PrivateRequest`
(the member's own views, a TSC member's private modal); `RequestView`, which feeds the review post,
the TSC's Home and the export, carries whether they exist, never what they are. Audit rows never
hold them either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.outbox.queue import enqueue_message
from bot.rules import benefits as benefit_rules
from bot.rules import membership as membership_rules
from bot.rules.benefits import RequestStatus
from bot.services.members import count_in_term, member_by_slack_id, record_audit
from bot.settings import Settings
from bot.store.db import Database
from bot.store.models import (
    Benefit,
    BenefitRequest,
    Member,
    MemberStatus,
    OutboxMessage,
    OutboxStatus,
    Term,
    TermStatus,
)

Payload = dict[str, Any]

REVIEW_KIND = "benefit_review"
DECISION_KIND = "benefit_decision"
FULFILLED_KIND = "benefit_fulfilled"
OPEN_SHOWN = 8


def review_key(request_id: int) -> str:
    return f"review:benefit:{request_id}"


def decision_key(request_id: int) -> str:
    return f"benefit-decision:{request_id}"


def fulfilled_key(request_id: int) -> str:
    return f"benefit-fulfilled:{request_id}"


# --- what the services hand to the message builders ------------------------------------------------


@dataclass(frozen=True)
class CatalogueItem:
    id: int
    key: str
    kind: str
    name: str
    description: str | None
    value: int
    needs_shipping: bool
    needs_event: bool
    limit_per_term: int | None
    enabled: bool

    @property
    def spec(self) -> benefit_rules.BenefitSpec:
        return benefit_rules.BenefitSpec(
            self.kind, self.value, self.needs_shipping, self.needs_event, self.limit_per_term
        )


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


class Messages(Protocol):
    """How benefit messages read; implemented by bot.blocks.benefits (`BENEFIT_MESSAGES`)."""

    def review(self, request: RequestView) -> Payload: ...

    def decided(self, request: RequestView) -> Payload: ...

    def fulfilled(self, request: RequestView, note: str | None) -> Payload: ...


@dataclass(frozen=True)
class BudgetSetting:
    """BENEFITS_YEARLY_BUDGET (0: not tracked), BENEFITS_CURRENCY and the program's time zone."""

    total: int
    currency: str
    zone: tzinfo

    @classmethod
    def from_settings(cls, settings: Settings) -> BudgetSetting:
        return cls(settings.benefits_yearly_budget, settings.benefits_currency, settings.zone)


# --- the catalogue ------------------------------------------------------------------------------


def ensure_catalogue(db: Database, now: datetime) -> None:
    """Add the program's default benefits the first time the catalogue is used (empty table).

    Every `/ambassador benefits` asks, so the question takes no write lock; only the first one writes.
    """
    with db.read_only() as session:
        if session.scalar(select(func.count(Benefit.id))):
            return
    try:
        with db.transaction() as session:
            for position, default in enumerate(benefit_rules.DEFAULT_CATALOGUE):
                spec = default.spec
                session.add(
                    Benefit(
                        key=default.key,
                        kind=spec.kind,
                        name=default.name,
                        description=default.description,
                        value=spec.value,
                        needs_shipping=spec.needs_shipping,
                        needs_event=spec.needs_event,
                        limit_per_term=spec.limit_per_term,
                        enabled=True,
                        position=position,
                        created_at=now,
                        updated_at=now,
                    )
                )
            record_audit(session, "system", "benefits.catalogue_seeded", None, at=now)
    except IntegrityError:
        pass  # a concurrent first use added them


def _item(benefit: Benefit) -> CatalogueItem:
    return CatalogueItem(
        benefit.id,
        benefit.key,
        benefit.kind,
        benefit.name,
        benefit.description,
        benefit.value,
        benefit.needs_shipping,
        benefit.needs_event,
        benefit.limit_per_term,
        benefit.enabled,
    )


def _catalogue(session: Session, include_disabled: bool = False) -> list[CatalogueItem]:
    query = select(Benefit).order_by(Benefit.position, Benefit.id)
    if not include_disabled:
        query = query.where(Benefit.enabled.is_(True))
    return [_item(benefit) for benefit in session.scalars(query)]


def catalogue(db: Database, include_disabled: bool = False) -> list[CatalogueItem]:
    with db.transaction() as session:
        return _catalogue(session, include_disabled)


class CatalogueError(Exception):
    """A catalogue command that cannot be done; `code` says why (unknown_key, key_taken, ...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def add_benefit(
    db: Database, actor: str, key: str, kind: str, value: int, name: str, *, now: datetime
) -> CatalogueItem:
    needs_shipping, needs_event, limit = benefit_rules.KIND_DEFAULTS[kind]
    try:
        with db.transaction() as session:
            if session.scalar(select(Benefit.id).where(Benefit.key == key)) is not None:
                raise CatalogueError("key_taken")
            position = (session.scalar(select(func.max(Benefit.position))) or 0) + 1
            benefit = Benefit(
                key=key,
                kind=kind,
                name=name,
                value=value,
                needs_shipping=needs_shipping,
                needs_event=needs_event,
                limit_per_term=limit,
                enabled=True,
                position=position,
                created_at=now,
                updated_at=now,
            )
            session.add(benefit)
            session.flush()
            record_audit(
                session, actor, "benefit.added", None, at=now, benefit=key, kind=kind, value=value, name=name
            )
            return _item(benefit)
    except IntegrityError:
        raise CatalogueError("key_taken") from None


SETTABLE = {
    benefit_rules.CatalogueField.NAME: "name",
    benefit_rules.CatalogueField.VALUE: "value",
    benefit_rules.CatalogueField.LIMIT: "limit_per_term",
    benefit_rules.CatalogueField.SHIPPING: "needs_shipping",
    benefit_rules.CatalogueField.EVENT: "needs_event",
    benefit_rules.CatalogueField.DESCRIPTION: "description",
    benefit_rules.CatalogueField.KIND: "kind",
}


def change_benefit(
    db: Database, actor: str, key: str, changes: dict[str, object], *, now: datetime
) -> tuple[CatalogueItem, dict[str, object]]:
    """Set attributes of a benefit (names from SETTABLE's values); returns it and the previous values."""
    with db.transaction() as session:
        benefit = session.scalar(select(Benefit).where(Benefit.key == key))
        if benefit is None:
            raise CatalogueError("unknown_key")
        before = {name: getattr(benefit, name) for name in changes}
        for name, value in changes.items():
            setattr(benefit, name, value)
        benefit.updated_at = now
        record_audit(
            session,
            actor,
            "benefit.changed",
            None,
            at=now,
            benefit=key,
            before={name: _plain(value) for name, value in before.items()},
            after={name: _plain(value) for name, value in changes.items()},
        )
        return _item(benefit), before


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, bool | int | str) else str(value)


# --- reading ------------------------------------------------------------------------------------


def current_term(session: Session, member: Member) -> Term | None:
    if member.status != MemberStatus.ACTIVE:
        return None
    return session.scalar(select(Term).where(Term.member_id == member.id, Term.status == TermStatus.ACTIVE))


def _progress(
    session: Session, member: Member, today: date, required: int
) -> membership_rules.Progress | None:
    term = current_term(session, member)
    if term is None:
        return None
    rule_term = membership_rules.Term(term.start_on, term.end_on)
    return membership_rules.Progress(rule_term, today, count_in_term(session, member.id, rule_term), required)


def budget_in(session: Session, now: datetime, setting: BudgetSetting) -> benefit_rules.Budget:
    """The year's budget: what approved and fulfilled requests decided this year are worth."""
    year = benefit_rules.budget_year(now.astimezone(setting.zone).date())
    start = datetime(year, 1, 1, tzinfo=setting.zone)
    end = datetime(year + 1, 1, 1, tzinfo=setting.zone)
    committed = session.scalar(
        select(func.coalesce(func.sum(BenefitRequest.value), 0)).where(
            BenefitRequest.status.in_(benefit_rules.COMMITTED_STATUSES),
            BenefitRequest.decided_at >= start,
            BenefitRequest.decided_at < end,
        )
    )
    return benefit_rules.Budget(year, setting.total, int(committed or 0))


def _view(
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


def _shipping(request: BenefitRequest) -> ShippingDetails | None:
    if request.shipping_address is None:
        return None
    return ShippingDetails(
        request.shipping_name or "",
        request.shipping_address,
        request.shipping_country or "",
        request.shipping_phone,
    )


def _review_location(session: Session, request_id: int) -> tuple[str, str] | None:
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == review_key(request_id)))
    if row is not None and row.status == OutboxStatus.SENT and row.slack_channel and row.slack_ts:
        return row.slack_channel, row.slack_ts
    return None


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
        items = _catalogue(session)
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return MemberBenefits(False, False, [Offer(item, None) for item in items], [], setting.currency)
        term = current_term(session, member)
        used = _used_this_term(session, member.id, term.id) if term else {}
        offers = [
            Offer(item, benefit_rules.left_this_term(item.spec, used.get(item.id, 0))) for item in items
        ]
        requests = [
            _view(session, request, now=now, today=today, required=required, setting=setting)
            for request in session.scalars(
                select(BenefitRequest)
                .where(BenefitRequest.member_id == member.id)
                .order_by(BenefitRequest.requested_at.desc(), BenefitRequest.id.desc())
                .limit(20)
            )
        ]
        return MemberBenefits(True, term is not None, offers, requests, setting.currency)


# --- requesting ---------------------------------------------------------------------------------


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
        item = _item(benefit) if benefit else None
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
        view = _view(session, request, now=now, today=today, required=required, setting=setting)
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
        return Submitted(PrivateRequest(view, _shipping(request), None), posted_key, keys)


def review_location(db: Database, request_id: int) -> tuple[tuple[str, str] | None, str | None]:
    """Where the review post landed, or the outbox row's last error."""
    with db.transaction() as session:
        location = _review_location(session, request_id)
        error = None
        if location is None:
            error = session.scalar(
                select(OutboxMessage.error).where(OutboxMessage.key == review_key(request_id))
            )
        return location, error


# --- deciding and fulfilling ------------------------------------------------------------------


class RequestNotFound(LookupError):
    pass


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


def _claim(session: Session, request_id: int, from_status: RequestStatus, **values: Any) -> bool:
    # The conditional UPDATE is the whole guard, as for applications: on PostgreSQL a concurrent
    # twin waits for this row, then finds its status changed; SQLite serializes writers.
    result = session.execute(
        update(BenefitRequest)
        .where(BenefitRequest.id == request_id, BenefitRequest.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def _cancel_review_post(session: Session, request_id: int) -> None:
    """A review post not sent yet would show buttons that no longer apply: drop it."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == review_key(request_id), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED)
    )


def _erase_shipping(session: Session, request: BenefitRequest, actor: str, now: datetime, why: str) -> bool:
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


def _requester(session: Session, request_id: int) -> str | None:
    row = session.execute(
        select(Member.slack_user_id)
        .join(BenefitRequest, BenefitRequest.member_id == Member.id)
        .where(BenefitRequest.id == request_id)
    ).first()
    if row is None:
        raise RequestNotFound(request_id)
    return row[0]


def decide(
    db: Database,
    request_id: int,
    decider: str,
    *,
    decider_is_tsc: bool,
    approve: bool,
    reason: str | None,
    now: datetime,
    today: date,
    required: int,
    setting: BudgetSetting,
    messages: Messages,
) -> Outcome:
    """Approve or decline a pending request: exactly one decision wins, whoever clicks.

    Refused (audited, nothing changed) for anyone not on the TSC and for the member's own request
    (`membership_rules.decision_refusal`). In the same transaction as the decision: its audit row, the DM to
    the member, and, declined, the erasure of the shipping details (no longer needed).
    """
    reason = (reason or "").strip() or None
    if not approve and (reason is None or len(reason) > membership_rules.DECISION_REASON_MAX_LENGTH):
        raise ValueError("a reason of 1 to DECISION_REASON_MAX_LENGTH characters is required")
    status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    with db.transaction() as session:
        refusal = membership_rules.decision_refusal(decider, decider_is_tsc, _requester(session, request_id))
        won = refusal is None and _claim(
            session,
            request_id,
            RequestStatus.PENDING,
            status=status,
            decided_by=decider,
            decided_at=now,
            decision_reason=reason,
        )
        request = session.get(BenefitRequest, request_id)
        assert request is not None
        session.refresh(request)
        if refusal is not None:
            record_audit(
                session,
                decider,
                "benefit.decision_refused",
                request.member_id,
                at=now,
                request_id=request_id,
                decision=status.value,
                refusal=refusal.value,
            )
        keys: list[str] = []
        if won:
            record_audit(
                session,
                decider,
                f"benefit.{status.value}",
                request.member_id,
                at=now,
                request_id=request_id,
                benefit=request.benefit.key,
                value=request.value,
                reason=reason,
            )
            _cancel_review_post(session, request_id)
            if not approve:
                _erase_shipping(session, request, decider, now, "declined")
        view = _view(session, request, now=now, today=today, required=required, setting=setting)
        if won and view.slack_user_id:
            key = decision_key(request_id)
            enqueue_message(
                session,
                now=now,
                key=key,
                kind=DECISION_KIND,
                channel=view.slack_user_id,
                payload=messages.decided(view),
                member_id=view.member_id,
            )
            keys.append(key)
        return Outcome(won, view, _review_location(session, request_id), keys, refusal)


def fulfil(
    db: Database,
    request_id: int,
    actor: str,
    *,
    actor_is_tsc: bool,
    note: str | None,
    now: datetime,
    today: date,
    required: int,
    setting: BudgetSetting,
    messages: Messages,
) -> Outcome:
    """Mark an approved request fulfilled (once), with an optional note or tracking link for the member.

    The same people may do it as may decide (the TSC, not for their own request). The note goes to
    the member only: it may be a ticket code.
    """
    note = (note or "").strip() or None
    if note is not None and len(note) > benefit_rules.LIMITS["fulfilment_note"]:
        raise ValueError("the note is too long")
    with db.transaction() as session:
        refusal = membership_rules.decision_refusal(actor, actor_is_tsc, _requester(session, request_id))
        won = refusal is None and _claim(
            session,
            request_id,
            RequestStatus.APPROVED,
            status=RequestStatus.FULFILLED,
            fulfilled_by=actor,
            fulfilled_at=now,
            fulfilment_note=note,
        )
        request = session.get(BenefitRequest, request_id)
        assert request is not None
        session.refresh(request)
        keys: list[str] = []
        if refusal is not None:
            record_audit(
                session,
                actor,
                "benefit.fulfilment_refused",
                request.member_id,
                at=now,
                request_id=request_id,
                refusal=refusal.value,
            )
        if won:
            record_audit(
                session,
                actor,
                "benefit.fulfilled",
                request.member_id,
                at=now,
                request_id=request_id,
                benefit=request.benefit.key,
                value=request.value,
                with_note=note is not None,
            )
        view = _view(session, request, now=now, today=today, required=required, setting=setting)
        if won and view.slack_user_id:
            key = fulfilled_key(request_id)
            enqueue_message(
                session,
                now=now,
                key=key,
                kind=FULFILLED_KIND,
                channel=view.slack_user_id,
                payload=messages.fulfilled(view, note),
                member_id=view.member_id,
            )
            keys.append(key)
        return Outcome(won, view, _review_location(session, request_id), keys, refusal)


class NotYours(LookupError):
    """The request does not exist, or is someone else's (treated alike: nothing is revealed)."""


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
        if _requester_or_none(session, request_id) != slack_user_id:
            raise NotYours(request_id)
        won = _claim(
            session, request_id, RequestStatus.PENDING, status=RequestStatus.CANCELLED, cancelled_at=now
        )
        request = session.get(BenefitRequest, request_id)
        assert request is not None
        session.refresh(request)
        if won:
            record_audit(
                session, slack_user_id, "benefit.cancelled", request.member_id, at=now, request_id=request_id
            )
            _cancel_review_post(session, request_id)
            _erase_shipping(session, request, slack_user_id, now, "cancelled")
        view = _view(session, request, now=now, today=today, required=required, setting=setting)
        return Outcome(won, view, _review_location(session, request_id))


def _requester_or_none(session: Session, request_id: int) -> str | None:
    try:
        return _requester(session, request_id)
    except RequestNotFound:
        return None


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
        requester = _requester_or_none(session, request_id)
        if requester is None or not (viewer_is_tsc or viewer == requester):
            raise NotYours(request_id)
        request = session.get(BenefitRequest, request_id)
        assert request is not None
        if viewer != requester and request.shipping_address is not None:
            record_audit(
                session, viewer, "benefit.shipping_viewed", request.member_id, at=now, request_id=request_id
            )
        view = _view(session, request, now=now, today=today, required=required, setting=setting)
        return PrivateRequest(view, _shipping(request), request.fulfilment_note)


# --- the TSC's lists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenItem:
    id: int
    status: str
    slack_user_id: str | None
    member_name: str
    benefit_name: str
    value: int
    requested_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class OpenRequests:
    """Requests waiting for the TSC (pending) and for fulfilment (approved), oldest first, cut."""

    items: list[OpenItem]
    pending_total: int
    approved_total: int
    budget: benefit_rules.Budget
    currency: str


def open_requests_in(
    session: Session, now: datetime, setting: BudgetSetting, limit: int = OPEN_SHOWN
) -> OpenRequests:
    """Two queries whatever the number of requests: the rows (cut in SQL, with the totals per status)
    and the budget. At most `limit` of each status are fetched; pending ones are shown first."""
    ranked = (
        select(
            BenefitRequest.id,
            BenefitRequest.status,
            Member.slack_user_id,
            Member.name.label("member_name"),
            Benefit.name.label("benefit_name"),
            BenefitRequest.value,
            BenefitRequest.requested_at,
            BenefitRequest.decided_at,
            func.count(BenefitRequest.id).over(partition_by=BenefitRequest.status).label("total"),
            func.row_number()
            .over(
                partition_by=BenefitRequest.status, order_by=(BenefitRequest.requested_at, BenefitRequest.id)
            )
            .label("rank"),
        )
        .join(Member, Member.id == BenefitRequest.member_id)
        .join(Benefit, Benefit.id == BenefitRequest.benefit_id)
        .where(BenefitRequest.status.in_(benefit_rules.OPEN_STATUSES))
        .subquery()
    )
    rows = session.execute(
        select(*[column for column in ranked.c if column.name != "rank"])
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.status.desc(), ranked.c.requested_at, ranked.c.id)
    ).all()
    totals = {row[1]: int(row[8]) for row in rows}
    pending = [row for row in rows if row[1] == RequestStatus.PENDING][:limit]
    approved = [row for row in rows if row[1] == RequestStatus.APPROVED][: max(0, limit - len(pending))]
    items = [OpenItem(*row[:8]) for row in [*pending, *approved]]
    return OpenRequests(
        items,
        totals.get(RequestStatus.PENDING, 0),
        totals.get(RequestStatus.APPROVED, 0),
        budget_in(session, now, setting),
        setting.currency,
    )


def open_requests(
    db: Database, now: datetime, setting: BudgetSetting, limit: int = OPEN_SHOWN
) -> OpenRequests:
    with db.transaction() as session:
        return open_requests_in(session, now, setting, limit)


@dataclass(frozen=True)
class OverdueItem:
    id: int
    slack_user_id: str | None
    member_name: str
    benefit_name: str
    decided_by: str | None
    decided_at: datetime
    days: int


def overdue_fulfilments(session: Session, now: datetime) -> list[OverdueItem]:
    """Approved requests not fulfilled for FULFILMENT_OVERDUE_DAYS or more, oldest first."""
    rows = session.execute(
        select(
            BenefitRequest.id,
            Member.slack_user_id,
            Member.name,
            Benefit.name,
            BenefitRequest.decided_by,
            BenefitRequest.decided_at,
        )
        .join(Member, Member.id == BenefitRequest.member_id)
        .join(Benefit, Benefit.id == BenefitRequest.benefit_id)
        .where(BenefitRequest.status == RequestStatus.APPROVED)
        .order_by(BenefitRequest.decided_at, BenefitRequest.id)
    ).all()
    return [
        OverdueItem(row[0], row[1], row[2], row[3], row[4], row[5], benefit_rules.days_waiting(row[5], now))
        for row in rows
        if row[5] is not None and benefit_rules.fulfilment_overdue(row[5], now)
    ]


# --- the treasurer's export and the erasure ---------------------------------------------------------


EXPORT_FIELDS = (
    "id",
    "member",
    "slack_user_id",
    "github",
    "benefit",
    "kind",
    "value",
    "currency",
    "status",
    "requested_at",
    "decided_at",
    "decided_by",
    "fulfilled_at",
    "event_name",
    "event_date",
    "participants",
)


def export_requests(
    db: Database,
    currency: str,
    since: date | None = None,
    until: date | None = None,
    zone: tzinfo | None = None,
) -> list[dict[str, Any]]:
    """Every request made between `since` and `until` (both included, in `zone`), oldest first.

    For the treasurer: member, benefit, value, status and dates; never shipping details or notes.
    """
    query = (
        select(BenefitRequest, Member, Benefit)
        .join(Member, Member.id == BenefitRequest.member_id)
        .join(Benefit, Benefit.id == BenefitRequest.benefit_id)
        .order_by(BenefitRequest.requested_at, BenefitRequest.id)
    )
    if since is not None:
        query = query.where(
            BenefitRequest.requested_at >= datetime(since.year, since.month, since.day, tzinfo=zone)
        )
    if until is not None:
        after = date.fromordinal(until.toordinal() + 1)
        query = query.where(
            BenefitRequest.requested_at < datetime(after.year, after.month, after.day, tzinfo=zone)
        )

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    with db.transaction() as session:
        return [
            {
                "id": request.id,
                "member": member.name,
                "slack_user_id": member.slack_user_id,
                "github": member.github,
                "benefit": benefit.key,
                "kind": benefit.kind,
                "value": request.value,
                "currency": currency,
                "status": request.status,
                "requested_at": when(request.requested_at),
                "decided_at": when(request.decided_at),
                "decided_by": request.decided_by,
                "fulfilled_at": when(request.fulfilled_at),
                "event_name": request.event_name,
                "event_date": request.event_date.isoformat() if request.event_date else None,
                "participants": request.participants,
            }
            for request, member, benefit in session.execute(query)
        ]


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
            if _erase_shipping(session, request, actor, now, why):
                erased.append(request.id)
    return erased
