"""The TSC's decisions on a benefit request: approve or decline it, then mark it fulfilled. Exactly
one decision wins, whoever clicks; never on one's own request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.outbox.queue import enqueue_message
from bot.rules import benefits as benefit_rules
from bot.rules import membership as membership_rules
from bot.rules.benefits import RequestStatus
from bot.services.benefits.budget import BudgetSetting
from bot.services.benefits.common import (
    DECISION_KIND,
    FULFILLED_KIND,
    Messages,
    Outcome,
    cancel_review_post,
    claim,
    decision_key,
    fulfilled_key,
    request_view,
    requester,
    review_location_in,
)
from bot.services.benefits.shipping import erase_shipping
from bot.services.members import record_audit
from bot.store.db import Database
from bot.store.models import BenefitRequest


@dataclass(frozen=True)
class Decision:
    """A TSC member's decision on a pending request, as they asked for it: approve it, or decline it
    with a reason for the member."""

    request_id: int
    decider: str  # a Slack user ID
    decider_is_tsc: bool
    approve: bool
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Fulfilment:
    """A TSC member marking an approved request fulfilled, with an optional note for the member (a
    tracking link, a ticket code)."""

    request_id: int
    actor: str  # a Slack user ID
    actor_is_tsc: bool
    at: datetime
    note: str | None = None


def decide(
    db: Database,
    decision: Decision,
    *,
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
    request_id, decider, approve, now = decision.request_id, decision.decider, decision.approve, decision.at
    reason = (decision.reason or "").strip() or None
    if not approve and (reason is None or len(reason) > membership_rules.DECISION_REASON_MAX_LENGTH):
        raise ValueError("a reason of 1 to DECISION_REASON_MAX_LENGTH characters is required")
    status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    with db.transaction() as session:
        refusal = membership_rules.decision_refusal(
            decider, decision.decider_is_tsc, requester(session, request_id)
        )
        won = refusal is None and claim(
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
            cancel_review_post(session, request_id)
            if not approve:
                erase_shipping(session, request, decider, now, "declined")
        view = request_view(session, request, now=now, today=today, required=required, setting=setting)
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
        return Outcome(won, view, review_location_in(session, request_id), keys, refusal)


def fulfil(
    db: Database,
    fulfilment: Fulfilment,
    *,
    today: date,
    required: int,
    setting: BudgetSetting,
    messages: Messages,
) -> Outcome:
    """Mark an approved request fulfilled (once), with an optional note or tracking link for the member.

    The same people may do it as may decide (the TSC, not for their own request). The note goes to
    the member only: it may be a ticket code.
    """
    request_id, actor, now = fulfilment.request_id, fulfilment.actor, fulfilment.at
    note = (fulfilment.note or "").strip() or None
    if note is not None and len(note) > benefit_rules.LIMITS["fulfilment_note"]:
        raise ValueError("the note is too long")
    with db.transaction() as session:
        refusal = membership_rules.decision_refusal(
            actor, fulfilment.actor_is_tsc, requester(session, request_id)
        )
        won = refusal is None and claim(
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
        view = request_view(session, request, now=now, today=today, required=required, setting=setting)
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
        return Outcome(won, view, review_location_in(session, request_id), keys, refusal)
