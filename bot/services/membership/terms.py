"""Terms of membership: enrolment, renewal requests, extensions, more days from the TSC, and
reinstatement. The yearly verification is `verification`'s; leaving the program is `emeritus`'s; the
shared steps are `term_records`'.

Every function takes the caller's session, so a job or another service can combine it with what it
writes in the same transaction (an outbox message, say), and returns a plain result. Every function is
idempotent: called again with the same arguments it changes nothing and says so (`changed=False`).
Every change is in the audit trail. The rules (when a term ends, when renewal is open, what the
verification decides) are `bot.rules.membership`'s; this module applies them to the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.rules import emeritus as emeritus_rules
from bot.rules import membership as membership_rules
from bot.services.members import record_audit
from bot.services.membership.term_records import (
    TermChange,
    as_rule_term,
    change,
    locked_member,
    locked_term,
    progress_of,
    renew,
    start_term,
)
from bot.store.models import MemberStatus, TermStatus


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


def enrol(session: Session, member_id: int, *, today: date, now: datetime, actor: str) -> TermChange:
    """Make the member an ambassador with a one-year term starting `today` (a TSC `add`).

    Already an ambassador with a current term: nothing changes (`changed=False`). Audited as
    `member.enrolled`. The caller decides which messages go out (welcome, announcement).
    """
    member = locked_member(session, member_id)
    return start_term(session, member, today, now, actor, "member.enrolled")


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
    term = locked_term(session, term_id)
    member = locked_member(session, term.member_id)
    if term.status != TermStatus.ACTIVE or member.status != MemberStatus.ACTIVE:
        return RenewalRequest(
            RenewalStatus.NOT_CURRENT, member.id, member.slack_user_id, member.name, None, None, None, None
        )
    current = progress_of(session, term, today, required)
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
    successor = renew(session, term, member, now, actor)
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
    term = locked_term(session, term_id)
    member = locked_member(session, term.member_id)
    if term.status != TermStatus.ACTIVE:
        return change(member, None, changed=False, previous_end=term.end_on)
    previous_end = term.end_on
    new_end = membership_rules.with_extension(as_rule_term(term), days).end + timedelta(days=term.paused_days)
    if new_end == previous_end:
        return change(member, term, changed=False, previous_end=previous_end)
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
    return change(member, term, changed=True, previous_end=previous_end)


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
    term = locked_term(session, term_id)
    member = locked_member(session, term.member_id)
    if term.status != TermStatus.ACTIVE or member.status != MemberStatus.ACTIVE:
        return change(member, None, changed=False, previous_end=term.end_on)
    previous_end = term.end_on
    term.end_on = emeritus_rules.more_days(term.end_on, today, days).end
    if term.end_on == previous_end:
        return change(member, term, changed=False, previous_end=previous_end)
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
    return change(member, term, changed=True, previous_end=previous_end)


def reinstate(session: Session, member_id: int, *, today: date, now: datetime, actor: str) -> TermChange:
    """Bring a member back (emeritus, or a candidate): a new one-year term from `today`.

    Already an ambassador with a current term: nothing changes. Audited as `member.reinstated`; the
    earlier terms stay as history.
    """
    member = locked_member(session, member_id)
    previous_status = member.status
    return start_term(
        session, member, today, now, actor, "member.reinstated", previous_status=previous_status
    )
