"""Terms of membership: enrolment, renewal requests, the yearly verification, extensions, emeritus and
reinstatement.

Every way out of the program goes through `become_emeritus` (the verification, a TSC decision, a
member stepping down): one place closes the term, settles the member's benefit requests, ends a pause,
withdraws open proposals, queues the access change and the thank-you.

Every function takes the caller's session, so a job or another service can combine it with what it
writes in the same transaction (an outbox message, say), and returns a plain result. Every function is
idempotent: called again with the same arguments it changes nothing and says so (`changed=False`).
Every change is in the audit trail. The rules (when a term ends, when renewal is open, what the
verification decides) are `bot.rules.membership`'s; this module applies them to the database.

Terms are never deleted or rewritten: a renewal completes the old term and creates the next one, so
a member's terms are their history. At most one term per member is `active` (a partial unique index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.rules import emeritus as emeritus_rules
from bot.rules import membership as membership_rules
from bot.rules.emeritus import EmeritusReason
from bot.services import access, pauses
from bot.services.benefits.leaving import settle_on_leaving
from bot.services.members import TermView, count_in_term, record_audit
from bot.services.membership.farewell import Farewell, Leaving, VerifiedEnd, say_farewell
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

# Messages that make no sense once a member has left the program; still-pending ones are cancelled.
LEAVING_CANCELS_KINDS: Sequence[str] = ("reminder", "renewal", "announce", "inactivity", "pause_return")


class TermNotFound(LookupError):
    """No term (or member) with that id."""


@dataclass(frozen=True)
class TermChange:
    """A member after a change to their membership.

    `term` is their current term after the call (None when they have none, e.g. emeritus);
    `changed` is False when the call found nothing to do (it was done before).
    """

    member_id: int
    slack_user_id: str | None
    name: str
    member_status: str
    term: TermView | None
    changed: bool
    # extend: the term's end before the call; move_to_emeritus: the term that was closed.
    previous_end: date | None = None
    closed_term: TermView | None = None
    # Messages the change queued (the thank-you of someone becoming emeritus), to deliver now.
    outbox_keys: tuple[str, ...] = ()


class RenewalStatus(StrEnum):
    REQUESTED = "requested"  # recorded; the verification renews the member when the term is over
    RENEWED = "renewed"  # the term had already ended (grace period): renewed at once
    ALREADY_REQUESTED = "already_requested"  # asked before; nothing changed
    REFUSED = "refused"  # the program does not allow it now; see `refusal`
    NOT_CURRENT = "not_current"  # not an active term (already verified, closed by the TSC)


@dataclass(frozen=True)
class RenewalRequest:
    status: RenewalStatus
    member_id: int
    slack_user_id: str | None
    name: str
    progress: membership_rules.Progress | None  # of the term asked about (None when it is not current)
    refusal: membership_rules.RenewalRefusal | None
    # The term the renewal gives: created when RENEWED, otherwise the dates it will have.
    next_term: membership_rules.Term | None
    next_term_id: int | None

    @property
    def changed(self) -> bool:
        return self.status in (RenewalStatus.REQUESTED, RenewalStatus.RENEWED)


@dataclass(frozen=True)
class TermVerification:
    """What the yearly verification did with one term.

    `outcome` is None when the verification is not due yet (the term's last day is today or later)
    or when the term was closed early by the TSC. `changed` is False when nothing was written: not
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


# --- helpers --------------------------------------------------------------------------------------


def _view(term: Term | None) -> TermView | None:
    return TermView(term.id, term.start_on, term.end_on) if term else None


def _rule_term(term: Term) -> membership_rules.Term:
    return membership_rules.Term(term.start_on, term.end_on)


def _locked_term(session: Session, term_id: int) -> Term:
    # FOR UPDATE serialises concurrent verifications and renewals of one term on PostgreSQL;
    # SQLite runs one writer at a time anyway.
    term = session.scalar(select(Term).where(Term.id == term_id).with_for_update())
    if term is None:
        raise TermNotFound(f"term {term_id}")
    return term


def _locked_member(session: Session, member_id: int) -> Member:
    member = session.scalar(select(Member).where(Member.id == member_id).with_for_update())
    if member is None:
        raise TermNotFound(f"member {member_id}")
    return member


def _active_term(session: Session, member_id: int) -> Term | None:
    return session.scalar(
        select(Term).where(Term.member_id == member_id, Term.status == TermStatus.ACTIVE).with_for_update()
    )


def _progress(session: Session, term: Term, today: date, required: int) -> membership_rules.Progress:
    rule_term = _rule_term(term)
    return membership_rules.Progress(
        rule_term, today, count_in_term(session, term.member_id, rule_term, today), required
    )


def _change(
    member: Member,
    term: Term | None,
    changed: bool,
    previous_end: date | None = None,
    closed: Term | None = None,
    outbox_keys: Sequence[str] = (),
) -> TermChange:
    return TermChange(
        member.id,
        member.slack_user_id,
        member.name,
        member.status,
        _view(term),
        changed,
        previous_end,
        _view(closed),
        tuple(outbox_keys),
    )


def _set_status(
    member: Member,
    status: MemberStatus,
    reason: str | None,
    now: datetime,
    emeritus_reason: EmeritusReason | None = None,
) -> None:
    member.status = status
    member.status_reason = reason
    member.status_changed_at = now
    member.emeritus_reason = emeritus_reason


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


def _start_term(
    session: Session, member: Member, start: date, now: datetime, actor: str, action: str, **details: object
) -> TermChange:
    current = _active_term(session, member.id)
    if member.status == MemberStatus.ACTIVE and current is not None:
        return _change(member, current, changed=False)
    if current is not None:  # an active term on a member who is not active: close it first
        current.status = TermStatus.ENDED
        current.closed_at = now
        session.flush()
    dates = membership_rules.first_term(start)
    term = Term(member_id=member.id, start_on=dates.start, end_on=dates.end, status=TermStatus.ACTIVE)
    session.add(term)
    _set_status(member, MemberStatus.ACTIVE, None, now)
    session.flush()
    access.request_sync(session, member.id, now=now)
    record_audit(
        session,
        actor,
        action,
        member.id,
        at=now,
        term_id=term.id,
        start=dates.start.isoformat(),
        end=dates.end.isoformat(),
        **details,
    )
    return _change(member, term, changed=True)


def _renew(session: Session, term: Term, member: Member, now: datetime, actor: str) -> Term:
    """Complete `term` and create the next one, starting the day after it ends."""
    following = membership_rules.next_term(_rule_term(term))
    term.status = TermStatus.COMPLETED
    term.closed_at = now
    if term.renewal_requested_at is None:
        term.renewal_requested_at = now
    session.flush()  # the old term must stop being active before the next one is
    successor = Term(
        member_id=member.id, start_on=following.start, end_on=following.end, status=TermStatus.ACTIVE
    )
    session.add(successor)
    session.flush()
    record_audit(
        session,
        actor,
        "term.renewed",
        member.id,
        at=now,
        term_id=term.id,
        next_term_id=successor.id,
        start=following.start.isoformat(),
        end=following.end.isoformat(),
    )
    return successor


def _successor(session: Session, term: Term) -> Term | None:
    return session.scalar(
        select(Term)
        .where(
            Term.member_id == term.member_id,
            Term.start_on == membership_rules.next_term(_rule_term(term)).start,
        )
        .order_by(Term.id)
        .limit(1)
    )


# --- the lifecycle -------------------------------------------------------------------------------


def enrol(session: Session, member_id: int, *, today: date, now: datetime, actor: str) -> TermChange:
    """Make the member an ambassador with a one-year term starting `today` (a TSC `add`).

    Already an ambassador with a current term: nothing changes (`changed=False`). Audited as
    `member.enrolled`. The caller decides which messages go out (welcome, announcement).
    """
    member = _locked_member(session, member_id)
    return _start_term(session, member, today, now, actor, "member.enrolled")


def request_renewal(
    session: Session,
    term_id: int,
    *,
    today: date,
    now: datetime,
    actor: str,
    required: int,
    grace_days: int = membership_rules.RENEWAL_GRACE_DAYS,
) -> RenewalRequest:
    """The member asks to stay on for another year (`/ambassador renew`, the Renew button).

    Allowed when `membership_rules.can_renew` (requirement met; in the last RENEWAL_WINDOW_DAYS of the term, or
    within `grace_days` after it ended). Records `term.renewal_requested_at` (audited as
    `term.renewal_requested`); the verification on the anniversary then completes the term and
    creates the next one, which starts the day after this one ends. If the term has already ended
    (grace period), the renewal happens at once (status RENEWED, audited `term.renewed` too).
    Asking again changes nothing (ALREADY_REQUESTED). The caller checks that `actor` owns the term.
    """
    term = _locked_term(session, term_id)
    member = _locked_member(session, term.member_id)
    if term.status != TermStatus.ACTIVE or member.status != MemberStatus.ACTIVE:
        return RenewalRequest(
            RenewalStatus.NOT_CURRENT, member.id, member.slack_user_id, member.name, None, None, None, None
        )
    current = _progress(session, term, today, required)
    following = membership_rules.next_term(current.term)
    if term.renewal_requested_at is not None:
        return RenewalRequest(
            RenewalStatus.ALREADY_REQUESTED,
            member.id,
            member.slack_user_id,
            member.name,
            current,
            None,
            following,
            None,
        )
    refusal = membership_rules.renewal_refusal(current, grace_days)
    if refusal is not None:
        return RenewalRequest(
            RenewalStatus.REFUSED,
            member.id,
            member.slack_user_id,
            member.name,
            current,
            refusal,
            following,
            None,
        )
    term.renewal_requested_at = now
    record_audit(
        session,
        actor,
        "term.renewal_requested",
        member.id,
        at=now,
        term_id=term.id,
        counted=current.counted,
        next_start=following.start.isoformat(),
    )
    if not current.ended:
        return RenewalRequest(
            RenewalStatus.REQUESTED,
            member.id,
            member.slack_user_id,
            member.name,
            current,
            None,
            following,
            None,
        )
    successor = _renew(session, term, member, now, actor)
    return RenewalRequest(
        RenewalStatus.RENEWED,
        member.id,
        member.slack_user_id,
        member.name,
        current,
        None,
        following,
        successor.id,
    )


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
    before that nothing happens (outcome None). Then:
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
    term = _locked_term(session, term_id)
    member = _locked_member(session, term.member_id)
    current = _progress(session, term, today, required)

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
            _view(successor),
            changed,
            tuple(keys),
        )

    if term.status == TermStatus.LAPSED:
        return result(membership_rules.Verification.LAPSED, False)
    if term.status == TermStatus.COMPLETED:
        successor = _successor(session, term)
        renewed = term.renewal_requested_at is not None and successor is not None
        done = membership_rules.Verification.RENEWED if renewed else membership_rules.Verification.NOT_RENEWED
        return result(done, False, successor if renewed else None)
    if term.status != TermStatus.ACTIVE:
        return result(None, False)  # closed early by the TSC

    outcome = membership_rules.outcome_at_term_end(current, term.renewal_requested_at is not None, grace_days)
    if outcome is None or outcome is membership_rules.Verification.MET:
        return result(outcome, False)

    if outcome is membership_rules.Verification.RENEWED:
        record_audit(
            session, actor, "term.verified", member.id, at=now, **_verified_details(term, outcome, current)
        )
        return result(outcome, True, _renew(session, term, member, now, actor))

    found = VerifiedEnd(outcome, current, membership_rules.renewal_closes_on(current.term, grace_days))
    change = _end_term_at_verification(session, member, term, found, today, now, actor, farewell)
    return result(outcome, True, keys=change.outbox_keys)


def _verified_details(
    term: Term, outcome: membership_rules.Verification, current: membership_rules.Progress
) -> dict[str, Any]:
    return {
        "term_id": term.id,
        "outcome": str(outcome),
        "counted": current.counted,
        "required": current.required,
        "start": term.start_on.isoformat(),
        "end": term.end_on.isoformat(),
    }


def _verification_note(term: Term, found: VerifiedEnd, grace_days: int) -> str:
    if found.outcome is membership_rules.Verification.LAPSED:
        return (
            f"Term {term.start_on.isoformat()} to {term.end_on.isoformat()} ended with "
            f"{found.progress.counted} of {found.progress.required} contributions."
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
        **_verified_details(term, found.outcome, found.progress),
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
    term = _locked_term(session, term_id)
    member = _locked_member(session, term.member_id)
    if term.status != TermStatus.ACTIVE or member.status != MemberStatus.ACTIVE:
        return None
    current = _progress(session, term, today, required)
    found = VerifiedEnd(
        outcome, current, membership_rules.renewal_closes_on(current.term, grace_days), details
    )
    return _end_term_at_verification(session, member, term, found, today, now, actor, farewell)


def extend(session: Session, term_id: int, days: int, *, now: datetime, actor: str) -> TermChange:
    """Let the member's current term run `days` past its normal end (a year from its start).

    An extension replaces the previous one (`membership_rules.with_extension`): repeating the command changes
    nothing, and 0 removes the extension. Days added by pauses (`Term.paused_days`) are kept on top.
    `days` must pass `membership_rules.valid_extension` (ValueError otherwise). Only an active term can
    be extended; for someone already emeritus, `reinstate`. Audited as `term.extended` with the old and
    new ends.
    """
    if not membership_rules.valid_extension(days):
        raise ValueError(f"an extension is 0 to {membership_rules.MAX_EXTENSION_DAYS} days, not {days}")
    term = _locked_term(session, term_id)
    member = _locked_member(session, term.member_id)
    if term.status != TermStatus.ACTIVE:
        return _change(member, None, changed=False, previous_end=term.end_on)
    previous_end = term.end_on
    new_end = membership_rules.with_extension(_rule_term(term), days).end + timedelta(days=term.paused_days)
    if new_end == previous_end:
        return _change(member, term, changed=False, previous_end=previous_end)
    term.end_on = new_end
    record_audit(
        session,
        actor,
        "term.extended",
        member.id,
        at=now,
        term_id=term.id,
        days=days,
        previous_end=previous_end.isoformat(),
        end=new_end.isoformat(),
    )
    return _change(member, term, changed=True, previous_end=previous_end)


def give_more_days(
    session: Session,
    term_id: int,
    *,
    today: date,
    now: datetime,
    actor: str,
    days: int = emeritus_rules.MORE_DAYS,
) -> TermChange:
    """The TSC gives a member whose term ended short `days` more (`emeritus_rules.more_days`): the
    term runs through `today + days`, and the verification looks at it again after that.

    Only for the member's current term; audited as `term.extended` (cause `more_days`).
    """
    term = _locked_term(session, term_id)
    member = _locked_member(session, term.member_id)
    if term.status != TermStatus.ACTIVE or member.status != MemberStatus.ACTIVE:
        return _change(member, None, changed=False, previous_end=term.end_on)
    previous_end = term.end_on
    term.end_on = emeritus_rules.more_days(term.end_on, today, days).end
    if term.end_on == previous_end:
        return _change(member, term, changed=False, previous_end=previous_end)
    record_audit(
        session,
        actor,
        "term.extended",
        member.id,
        at=now,
        term_id=term.id,
        cause="more_days",
        days=days,
        previous_end=previous_end.isoformat(),
        end=term.end_on.isoformat(),
    )
    return _change(member, term, changed=True, previous_end=previous_end)


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
    member = _locked_member(session, member_id)
    if member.status == MemberStatus.EMERITUS:
        return _change(member, None, changed=False)
    current = _active_term(session, member.id)
    if current is not None:
        current.status = term_status
        current.closed_at = now
    _set_status(member, MemberStatus.EMERITUS, note, now, reason)
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
        _view(current),
        verified.progress if verified else None,
        verified.outcome if verified else None,
        verified.renew_by if verified else None,
        tuple(settled.cancelled),
        tuple(settled.unshipped),
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
    return _change(member, None, changed=True, closed=current, outbox_keys=keys)


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


def reinstate(session: Session, member_id: int, *, today: date, now: datetime, actor: str) -> TermChange:
    """Bring a member back (emeritus, or a candidate): a new one-year term from `today`.

    Already an ambassador with a current term: nothing changes. Audited as `member.reinstated`; the
    earlier terms stay as history.
    """
    member = _locked_member(session, member_id)
    previous_status = member.status
    return _start_term(
        session, member, today, now, actor, "member.reinstated", previous_status=previous_status
    )
