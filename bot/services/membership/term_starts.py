"""Setting when a member's membership began (`ambassador-bot terms set`, `/ambassador admin term`).

The member's current term becomes the yearly one that holds today, counted from the day they joined
(`bot.rules.term_starts`), and the years before it are recorded as completed terms, so their history
and their anniversary are the program's. Their standing is computed again for the new term:
contributions count from its start, and reminders or renewal notices still waiting, written for the
old dates, are cancelled (the jobs write them afresh). Terms the bot itself recorded (a renewal it
made) are never rewritten: such a start is refused and said why. Each change is one transaction,
audited as `term.start_set`; setting the same start again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.rules import term_starts as start_rules
from bot.services.members import TermView, count_in_term, member_by_slack_id, record_audit
from bot.store.db import Database
from bot.store.models import Member, MemberStatus, OutboxMessage, OutboxStatus, Term, TermStatus

# Waiting messages written from the old dates; the jobs write them again from the new ones.
STALE_KINDS: Sequence[str] = ("reminder", "renewal")


class StartStatus(StrEnum):
    SET = "set"
    UNCHANGED = "unchanged"  # the member's terms already follow from that start
    NOT_ON_RECORD = "not_on_record"  # no member with that handle or Slack user
    NOT_AN_AMBASSADOR = "not_an_ambassador"  # no current term to set (emeritus, a candidate)
    RECORDED_HISTORY = "recorded_history"  # the start would rewrite terms the bot recorded
    FUTURE = "future"
    TOO_EARLY = "too_early"


@dataclass(frozen=True)
class StartChange:
    """What setting a start did. `before`/`term`: the current term before and after; `earlier`: the
    completed terms recorded for the years before; `clash`: the recorded term in the way
    (RECORDED_HISTORY); `progress`: the member's standing in the (new) current term."""

    status: StartStatus
    start: date
    name: str | None = None
    slack_user_id: str | None = None
    github: str | None = None
    before: TermView | None = None
    term: TermView | None = None
    earlier: tuple[membership_rules.Term, ...] = ()
    clash: membership_rules.Term | None = None
    progress: membership_rules.Progress | None = None

    @property
    def changed(self) -> bool:
        return self.status is StartStatus.SET


class _Refused(Exception):
    """Some start of a batch was refused: the transaction rolls back, the results are kept."""

    def __init__(self, results: list[StartChange]) -> None:
        super().__init__("refused")
        self.results = results


def _view(term: Term) -> TermView:
    return TermView(term.id, term.start_on, term.end_on)


def _rule_term(term: Term) -> membership_rules.Term:
    return membership_rules.Term(term.start_on, term.end_on)


def set_start(
    session: Session, member: Member, start: date, *, today: date, now: datetime, actor: str, required: int
) -> StartChange:
    """Give `member` (locked by the caller's transaction) the start `start`; see the module's description."""
    problem = start_rules.start_problem(start, today)

    def result(
        status: StartStatus,
        *,
        before: TermView | None = None,
        term: TermView | None = None,
        earlier: tuple[membership_rules.Term, ...] = (),
        clash: membership_rules.Term | None = None,
        progress: membership_rules.Progress | None = None,
    ) -> StartChange:
        return StartChange(
            status,
            start,
            member.name,
            member.slack_user_id,
            member.github,
            before,
            term,
            earlier,
            clash,
            progress,
        )

    if problem is start_rules.StartProblem.FUTURE:
        return result(StartStatus.FUTURE)
    if problem is start_rules.StartProblem.TOO_EARLY:
        return result(StartStatus.TOO_EARLY)
    terms = list(
        session.scalars(
            select(Term).where(Term.member_id == member.id).order_by(Term.start_on).with_for_update()
        )
    )
    current = next((term for term in terms if term.status == TermStatus.ACTIVE), None)
    if member.status != MemberStatus.ACTIVE or current is None:
        return result(StartStatus.NOT_AN_AMBASSADOR)
    recorded = tuple(_rule_term(term) for term in terms if term is not current)
    planned = start_rules.plan_start(start, today, _rule_term(current), recorded)
    if not isinstance(planned, start_rules.StartPlan):
        return result(StartStatus.RECORDED_HISTORY, before=_view(current), clash=planned)
    before = _view(current)
    if planned.changes:
        if planned.current.end != current.end_on:
            # A renewal asked for in the old term's last weeks is not one for these dates.
            current.renewal_requested_at = None
        current.start_on, current.end_on = planned.current.start, planned.current.end
        for earlier in planned.earlier:
            session.add(
                Term(
                    member_id=member.id,
                    start_on=earlier.start,
                    end_on=earlier.end,
                    status=TermStatus.COMPLETED,
                    closed_at=now,
                    created_at=now,
                )
            )
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.member_id == member.id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.kind.in_(list(STALE_KINDS)),
            )
            .values(status=OutboxStatus.CANCELLED, error="the member's term start was set again")
        )
        record_audit(
            session,
            actor,
            "term.start_set",
            member.id,
            at=now,
            start=start.isoformat(),
            term_id=current.id,
            before=[before.start.isoformat(), before.end.isoformat()],
            after=[planned.current.start.isoformat(), planned.current.end.isoformat()],
            earlier_terms=[[term.start.isoformat(), term.end.isoformat()] for term in planned.earlier],
        )
    progress = membership_rules.Progress(
        planned.current, today, count_in_term(session, member.id, planned.current, today), required
    )
    return result(
        StartStatus.SET if planned.changes else StartStatus.UNCHANGED,
        before=before,
        term=_view(current),
        earlier=planned.earlier,
        progress=progress,
    )


def _by_github(session: Session, handle: str) -> Member | None:
    return session.scalar(
        select(Member).where(func.lower(Member.github) == handle.strip().lower()).with_for_update()
    )


def set_start_by_slack(
    db: Database, slack_user_id: str, start: date, *, today: date, now: datetime, actor: str, required: int
) -> StartChange:
    """`/ambassador admin term @member start DATE` (the caller checked the actor is on the TSC)."""
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return StartChange(StartStatus.NOT_ON_RECORD, start, slack_user_id=slack_user_id)
        return set_start(session, member, start, today=today, now=now, actor=actor, required=required)


def set_starts(
    db: Database, starts: Sequence[tuple[str, date]], *, today: date, now: datetime, actor: str, required: int
) -> list[StartChange]:
    """`ambassador-bot terms set`: each (GitHub handle, start), all in one transaction.

    All or nothing: a handle no member on record has raises `UnknownMembers`, and when any start is
    refused (`refusals` of the results is not empty) nothing is written either, so the file is fixed
    and run again.
    """
    try:
        with db.transaction() as session:
            members: list[tuple[Member, date]] = []
            missing = []
            for handle, start in starts:
                member = _by_github(session, handle)
                if member is None:
                    missing.append(handle)
                else:
                    members.append((member, start))
            if missing:
                raise UnknownMembers(missing)
            results = [
                set_start(session, member, start, today=today, now=now, actor=actor, required=required)
                for member, start in members
            ]
            if refusals(results):
                raise _Refused(results)
            return results
    except _Refused as refused:
        return refused.results


class UnknownMembers(LookupError):
    """GitHub handles no member on record has; nothing was written."""

    def __init__(self, handles: Sequence[str]) -> None:
        super().__init__(", ".join(handles))
        self.handles = tuple(handles)


def refusals(results: Sequence[StartChange]) -> list[StartChange]:
    """The starts that could not be set (everything but SET and UNCHANGED)."""
    return [result for result in results if result.status not in (StartStatus.SET, StartStatus.UNCHANGED)]
