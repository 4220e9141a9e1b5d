"""Becoming emeritus, the one way out of the program: the yearly verification, a TSC decision and a
member stepping down all go through `become_emeritus`. One place closes the term, settles the member's
benefit requests, ends a pause, withdraws open proposals, queues the access change and the thank-you.

Like every membership change it takes the caller's session, is idempotent (already emeritus: nothing
changes, `changed=False`) and is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.rules.emeritus import EmeritusReason
from bot.services import access, pauses
from bot.services.benefits.leaving import settle_on_leaving
from bot.services.members import record_audit
from bot.services.membership.farewell import Farewell, Leaving, VerifiedEnd, say_farewell
from bot.services.membership.term_records import (
    TermChange,
    change,
    locked_active_term,
    locked_member,
    set_status,
    view,
)
from bot.store.models import (
    EmeritusProposal,
    MemberStatus,
    OutboxMessage,
    OutboxStatus,
    ProposalStatus,
    TermStatus,
)

# Messages that make no sense once a member has left the program; still-pending ones are cancelled.
LEAVING_CANCELS_KINDS: Sequence[str] = ("reminder", "renewal", "announce", "inactivity", "pause_return")


def _cancel_pending(session: Session, member_id: int) -> None:
    """Reminders, renewal notices and a not-yet-posted announcement are moot once someone leaves."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.member_id == member_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind.in_(list(LEAVING_CANCELS_KINDS)),
        )
        .values(status=OutboxStatus.CANCELLED)
    )


def _withdraw_proposals(session: Session, member_id: int, now: datetime, actor: str) -> None:
    """Open proposals about someone who is leaving are moot: nobody is to decide them any more."""
    session.execute(
        update(EmeritusProposal)
        .where(EmeritusProposal.member_id == member_id, EmeritusProposal.status == ProposalStatus.OPEN)
        .values(status=ProposalStatus.WITHDRAWN, decided_by=actor, decided_at=now)
        .execution_options(synchronize_session=False)
    )


def become_emeritus(
    session: Session,
    member_id: int,
    reason: EmeritusReason,
    note: str | None,
    *,
    today: date,
    now: datetime,
    actor: str,
    farewell: Farewell | None,
    term_status: TermStatus = TermStatus.ENDED,
    verified: VerifiedEnd | None = None,
    audit_action: str = "member.emeritus",
    **details: Any,
) -> TermChange:
    """The one way out of the program: the member becomes emeritus, with `reason` and `note` kept.

    In the caller's transaction: the current term is closed (`term_status`), pending reminders and
    notices are cancelled, a pause ends, open emeritus proposals are withdrawn, pending benefit
    requests are cancelled and approved ones not shipped are listed for the TSC, the access change is
    queued (`access.request_sync`), and the thank-you DM is queued once. Already emeritus: nothing
    changes. Audited as `audit_action` with `details`.
    """
    member = locked_member(session, member_id)
    if member.status == MemberStatus.EMERITUS:
        return change(member, None, changed=False)
    current = locked_active_term(session, member.id)
    if current is not None:
        current.status = term_status
        current.closed_at = now
    set_status(member, MemberStatus.EMERITUS, note, now, reason)
    _cancel_pending(session, member.id)
    pauses.close_on_leaving(session, member.id, today, actor)
    _withdraw_proposals(session, member.id, now, actor)
    settled = settle_on_leaving(session, member.id, now=now, actor=actor)
    access.request_sync(session, member.id, now=now)
    leaving = Leaving(
        member.id,
        member.slack_user_id,
        member.name,
        reason,
        note,
        view(current),
        verified.progress if verified else None,
        verified.outcome if verified else None,
        verified.renew_by if verified else None,
        tuple(settled.cancelled),
        tuple(settled.unshipped),
        verified.waiting_review if verified else 0,
    )
    keys = say_farewell(session, farewell, leaving, current.id if current else None, now)
    details.setdefault("term_id", current.id if current else None)
    record_audit(
        session,
        actor,
        audit_action,
        member.id,
        at=now,
        reason=note,
        emeritus_reason=str(reason),
        cancelled_benefit_requests=[line.request_id for line in settled.cancelled],
        **details,
    )
    return change(member, None, changed=True, closed=current, outbox_keys=keys)


def move_to_emeritus(
    session: Session,
    member_id: int,
    note: str | None,
    *,
    now: datetime,
    actor: str,
    reason: EmeritusReason = EmeritusReason.OTHER,
    today: date | None = None,
    farewell: Farewell | None = None,
) -> TermChange:
    """The TSC moves a member to emeritus (`become_emeritus`): their current term is closed (ENDED),
    with `reason` and the TSC's `note`. Already emeritus: nothing changes. Audited as `member.emeritus`.
    """
    return become_emeritus(
        session,
        member_id,
        reason,
        note,
        today=today or now.date(),
        now=now,
        actor=actor,
        farewell=farewell,
    )
