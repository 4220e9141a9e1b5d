"""The yearly verification of a term (`membership_rules.outcome_at_term_end`), for the `renewals` job,
and the TSC confirming what it proposed (VERIFICATION_DECIDES=tsc). While contributions dated inside
the term still wait for the TSC's review and could meet the requirement, it waits, within the renewal
grace (`review_rules.verification_waits`).

A term verified before gives its outcome again with `changed=False`, so a job may call this for every
term it finds, as often as it runs. Every change is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.rules import review as review_rules
from bot.rules.emeritus import EmeritusReason
from bot.services.members import TermView, record_audit
from bot.services.membership.emeritus import become_emeritus
from bot.services.membership.farewell import Farewell, VerifiedEnd
from bot.services.membership.term_records import (
    TermChange,
    locked_member,
    locked_term,
    progress_and_waiting,
    renew,
    successor_of,
    view,
)
from bot.store.models import Member, MemberStatus, Term, TermStatus


@dataclass(frozen=True)
class TermVerification:
    """What the yearly verification did with one term.

    `outcome` is None when the verification is not due yet (the term's last day is today or later,
    or it waits for the TSC's review) or when the term was closed early by the TSC. `changed` is False when nothing was written: not
    due, awaiting a renewal within the grace period (MET), or verified by an earlier call (which
    returns the same outcome again).
    """

    term_id: int
    member_id: int
    slack_user_id: str | None
    name: str
    outcome: membership_rules.Verification | None
    progress: membership_rules.Progress
    next_term: TermView | None  # RENEWED: the term that follows
    changed: bool
    outbox_keys: tuple[str, ...] = ()  # LAPSED / NOT_RENEWED: the thank-you (`become_emeritus`)
    waiting_review: int = 0  # dated inside the term, still waiting for the TSC's review


def verify_term(
    session: Session,
    term_id: int,
    today: date,
    now: datetime,
    actor: str,
    *,
    required: int,
    grace_days: int = membership_rules.RENEWAL_GRACE_DAYS,
    farewell: Farewell | None = None,
) -> TermVerification:
    """The yearly verification of one term (`membership_rules.outcome_at_term_end`), for the `renewals` job.

    Due from the anniversary of acceptance, the day after the term's last day (`today > end`);
    before that nothing happens (outcome None), nor while contributions dated inside the term wait
    for the TSC's review and could meet the requirement, within `grace_days` of the end
    (`review_rules.verification_waits`). Then:
    - RENEWED (met, renewal requested): the term is COMPLETED, the next one created and active;
    - MET (met, not requested, within `grace_days` after the end): nothing changes; the member may
      still renew, and a later call decides;
    - NOT_RENEWED (met, not requested, grace over): the term is COMPLETED, the member EMERITUS;
    - LAPSED (not met): the term is LAPSED, the member EMERITUS, with the count as the reason.
    A term verified before gives its outcome again with `changed=False`, so a job may call this for
    every term it finds, as often as it runs. Audited as `term.verified` (plus `term.renewed`).
    With VERIFICATION_DECIDES=tsc the job proposes the last two to the TSC instead, and a TSC
    decision calls `end_at_verification`.
    """
    term = locked_term(session, term_id)
    member = locked_member(session, term.member_id)
    current, waiting = progress_and_waiting(session, term, today, required)

    def result(
        outcome: membership_rules.Verification | None,
        changed: bool,
        successor: Term | None = None,
        keys: Sequence[str] = (),
    ) -> TermVerification:
        return TermVerification(
            term.id,
            member.id,
            member.slack_user_id,
            member.name,
            outcome,
            current,
            view(successor),
            changed,
            tuple(keys),
            waiting,
        )

    if term.status == TermStatus.LAPSED:
        return result(membership_rules.Verification.LAPSED, False)
    if term.status == TermStatus.COMPLETED:
        successor = successor_of(session, term)
        renewed = term.renewal_requested_at is not None and successor is not None
        done = membership_rules.Verification.RENEWED if renewed else membership_rules.Verification.NOT_RENEWED
        return result(done, False, successor if renewed else None)
    if term.status != TermStatus.ACTIVE:
        return result(None, False)  # closed early by the TSC

    outcome = review_rules.verification_outcome(
        current, term.renewal_requested_at is not None, waiting, grace_days
    )
    if outcome is None or outcome is membership_rules.Verification.MET:
        return result(outcome, False)

    if outcome is membership_rules.Verification.RENEWED:
        record_audit(
            session,
            actor,
            "term.verified",
            member.id,
            at=now,
            **_verified_details(term, outcome, current, waiting),
        )
        return result(outcome, True, renew(session, term, member, now, actor))

    found = VerifiedEnd(
        outcome, current, membership_rules.renewal_closes_on(current.term, grace_days), waiting_review=waiting
    )
    change = _end_term_at_verification(session, member, term, found, today, now, actor, farewell)
    return result(outcome, True, keys=change.outbox_keys)


def _verified_details(
    term: Term, outcome: membership_rules.Verification, current: membership_rules.Progress, waiting: int = 0
) -> dict[str, Any]:
    return {
        "term_id": term.id,
        "outcome": str(outcome),
        "counted": current.counted,
        "required": current.required,
        "waiting_review": waiting,
        "start": term.start_on.isoformat(),
        "end": term.end_on.isoformat(),
    }


def _verification_note(term: Term, found: VerifiedEnd, grace_days: int) -> str:
    if found.outcome is membership_rules.Verification.LAPSED:
        waiting = found.waiting_review
        return (
            f"Term {term.start_on.isoformat()} to {term.end_on.isoformat()} ended with "
            f"{found.progress.counted} of {found.progress.required} contributions"
            + (f" ({waiting} more still waiting for the TSC's review)." if waiting else ".")
        )
    return (
        f"Term {term.start_on.isoformat()} to {term.end_on.isoformat()} met the requirement, "
        f"but no renewal was requested within {grace_days} days of its end."
    )


def _end_term_at_verification(
    session: Session,
    member: Member,
    term: Term,
    found: VerifiedEnd,
    today: date,
    now: datetime,
    actor: str,
    farewell: Farewell | None,
) -> TermChange:
    grace_days = (found.renew_by - term.end_on).days
    return become_emeritus(
        session,
        member.id,
        EmeritusReason.TERM_ENDED,
        _verification_note(term, found, grace_days),
        today=today,
        now=now,
        actor=actor,
        farewell=farewell,
        term_status=(
            TermStatus.LAPSED
            if found.outcome is membership_rules.Verification.LAPSED
            else TermStatus.COMPLETED
        ),
        verified=found,
        audit_action="term.verified",
        **_verified_details(term, found.outcome, found.progress, found.waiting_review),
        **found.details,
    )


def end_at_verification(
    session: Session,
    term_id: int,
    outcome: membership_rules.Verification,
    *,
    required: int,
    today: date,
    now: datetime,
    actor: str,
    farewell: Farewell | None,
    grace_days: int = membership_rules.RENEWAL_GRACE_DAYS,
    **details: Any,
) -> TermChange | None:
    """A TSC member confirms what the verification proposed (`outcome`: LAPSED or NOT_RENEWED): the
    term ends (LAPSED, or COMPLETED when it met the requirement without a renewal) and the member
    becomes emeritus. None when the term is no longer the member's current one (they renewed
    meanwhile, or left)."""
    term = locked_term(session, term_id)
    member = locked_member(session, term.member_id)
    if term.status != TermStatus.ACTIVE or member.status != MemberStatus.ACTIVE:
        return None
    current, waiting = progress_and_waiting(session, term, today, required)
    found = VerifiedEnd(
        outcome, current, membership_rules.renewal_closes_on(current.term, grace_days), details, waiting
    )
    return _end_term_at_verification(session, member, term, found, today, now, actor, farewell)
