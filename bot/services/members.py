"""Looking members up, their current term and progress, the ambassador list, and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Select, Table, and_, bindparam, case, func, insert, select
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.services import counting
from bot.store.constants import ACTIVE_MEMBER, ACTIVE_TERM
from bot.store.db import Database
from bot.store.direct import DirectStatement
from bot.store.models import AuditEvent, Contribution, Member, MemberStatus, Pause, Term


@dataclass(frozen=True)
class TermView:
    id: int
    start: date
    end: date

    @property
    def rule_term(self) -> membership_rules.Term:
        return membership_rules.Term(self.start, self.end)


@dataclass(frozen=True)
class MemberStanding:
    """Where a member stands: who they are and, for an ambassador, their current term's progress."""

    member_id: int
    slack_user_id: str | None
    name: str
    status: str
    term: TermView | None
    progress: membership_rules.Progress | None
    renewal_requested: bool
    snoozed_until: datetime | None

    @property
    def is_ambassador(self) -> bool:
        return self.status == MemberStatus.ACTIVE and self.term is not None


@dataclass(frozen=True)
class AmbassadorRow:
    member_id: int
    slack_user_id: str | None
    name: str
    title: str | None
    company: str | None
    term_end: date
    counted: int
    paused_until: date | None = None  # on a pause, back on that day


@dataclass(frozen=True)
class EmeritusRow:
    member_id: int
    slack_user_id: str | None
    name: str
    since: datetime | None
    reason: str | None  # a rules.emeritus.EmeritusReason
    note: str | None


def record_audit(
    session: Session, actor: str, action: str, member_id: int | None, *, at: datetime, **details: Any
) -> None:
    """One line of the audit trail; `at` is the caller's now (time is an input, also here)."""
    session.add(AuditEvent(at=at, actor=actor, action=action, member_id=member_id, details=details))


def record_refused(db: Database, actor: str, action: str, *, now: datetime, **details: Any) -> None:
    """Audit an attempt someone was not allowed to make (a non-TSC click on Approve, say)."""
    with db.transaction() as session:
        member = member_by_slack_id(session, actor)
        record_audit(session, actor, action, member.id if member else None, at=now, **details)


INSERT_AUDIT = DirectStatement(
    insert(cast(Table, AuditEvent.__table__)), column_keys=("at", "actor", "action", "member_id", "details")
)


def insert_audit(
    connection: Connection, actor: str, action: str, member_id: int | None, *, at: datetime, **details: Any
) -> None:
    """`record_audit` as one INSERT executed at once, for the busiest write (`/ambassador log`, on
    `Database.statements`): neither the ORM nor SQLAlchemy's execution layer while the write lock is
    held (see `bot.store.direct`)."""
    INSERT_AUDIT.execute(
        connection, {"at": at, "actor": actor, "action": action, "member_id": member_id, "details": details}
    )


def pause_running(today: date) -> ColumnElement[bool]:
    """The SQL condition of a pause running on `today` (open, started, its return date still ahead)."""
    return and_(Pause.closed_on.is_(None), Pause.start_on <= today, Pause.until_on > today)


def member_by_slack_id(session: Session, slack_user_id: str) -> Member | None:
    return session.scalar(select(Member).where(Member.slack_user_id == slack_user_id))


def active_term(session: Session, member_id: int) -> Term | None:
    return session.scalar(select(Term).where(Term.member_id == member_id, ACTIVE_TERM))


def count_in_term(session: Session, member_id: int, term: membership_rules.Term, today: date) -> int:
    """Contributions dated inside the term and not after `today` (an upcoming talk counts from its day)."""
    return (
        session.scalar(
            select(func.count(Contribution.id)).where(
                Contribution.member_id == member_id,
                Contribution.occurred_on >= term.start,
                Contribution.occurred_on <= term.end,
                counting.counts(today),
            )
        )
        or 0
    )


def counted_and_waiting_in_term(
    session: Session, member_id: int, term: membership_rules.Term, today: date
) -> tuple[int, int]:
    """`count_in_term`, and beside it the contributions dated inside the term by `today` that still wait
    for the TSC's review (`counting.waiting`), in one statement."""
    row = session.execute(
        select(
            func.count(case((counting.counts(today), Contribution.id))),
            func.count(case((counting.waiting(today), Contribution.id))),
        ).where(
            Contribution.member_id == member_id,
            Contribution.occurred_on >= term.start,
            Contribution.occurred_on <= term.end,
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def standing_in(session: Session, member: Member, today: date, required: int) -> MemberStanding:
    term = active_term(session, member.id) if member.status == MemberStatus.ACTIVE else None
    view = TermView(term.id, term.start_on, term.end_on) if term else None
    current = None
    if view is not None:
        current = membership_rules.Progress(
            view.rule_term, today, count_in_term(session, member.id, view.rule_term, today), required
        )
    return MemberStanding(
        member_id=member.id,
        slack_user_id=member.slack_user_id,
        name=member.name,
        status=member.status,
        term=view,
        progress=current,
        renewal_requested=bool(term and term.renewal_requested_at),
        snoozed_until=member.snoozed_until,
    )


def _standing_query() -> Select[Any]:
    term_ = and_(Term.member_id == Member.id, ACTIVE_TERM, ACTIVE_MEMBER)
    counted = counting.in_term(counting.counts(bindparam("today")))
    return (
        select(
            Member.id,
            Member.name,
            Member.status,
            Member.snoozed_until,
            Term.id,
            Term.start_on,
            Term.end_on,
            Term.renewal_requested_at,
            counted,
        )
        .outerjoin(Term, term_)
        .where(Member.slack_user_id == bindparam("slack_user_id"))
        .order_by(Term.id)
        .limit(1)
    )


# Built and compiled once: `/ambassador log` runs it inside its write transaction, where every bit of
# Python (building a statement, its cache key, a result object) keeps the other writers waiting.
STANDING_QUERY = DirectStatement(_standing_query())


def member_and_standing(
    connection: Connection, slack_user_id: str, today: date, required: int
) -> MemberStanding | None:
    """The member's standing in one statement (`standing_in` takes three); None if unknown."""
    # Columns, not entities, straight on the cursor: the ORM's compile step, then SQLAlchemy's
    # execution layer, were most of this query's CPU (`bench/log_cpu.py`), and `/ambassador log`
    # runs it holding the write lock.
    row = STANDING_QUERY.one_or_none(connection, {"slack_user_id": slack_user_id, "today": today})
    if row is None:
        return None
    member_id, name, status, snoozed_until, term_id, start, end, requested_at, count = row
    view = TermView(term_id, start, end) if term_id is not None else None
    current = membership_rules.Progress(view.rule_term, today, count or 0, required) if view else None
    return MemberStanding(
        member_id=member_id,
        slack_user_id=slack_user_id,
        name=name,
        status=status,
        term=view,
        progress=current,
        renewal_requested=requested_at is not None,
        snoozed_until=snoozed_until,
    )


def standing(db: Database, slack_user_id: str, today: date, required: int) -> MemberStanding | None:
    """The member's standing, or None when the bot does not know this Slack user."""
    with db.read_only() as session:
        return member_and_standing(session.connection(), slack_user_id, today, required)


def is_ambassador(db: Database, slack_user_id: str) -> bool:
    """A current ambassador: active, with a current term (one indexed query)."""
    query = (
        select(Term.id)
        .join(Member, Member.id == Term.member_id)
        .where(
            Member.slack_user_id == slack_user_id,
            ACTIVE_MEMBER,
            ACTIVE_TERM,
        )
    )
    with db.read_only() as session:
        return session.scalar(query) is not None


def with_current_term_counts(*columns: Any, today: date) -> Select[Any]:
    """Active ambassadors joined to their current term, one row each: `columns`, then `counted`,
    the contributions dated inside that term up to `today` (upcoming talks count from their day).
    The one place this count is written in SQL."""
    counted = func.count(Contribution.id).label("counted")
    return (
        select(*columns, counted)
        .select_from(Member)
        .join(Term, and_(Term.member_id == Member.id, ACTIVE_TERM))
        .outerjoin(
            Contribution,
            and_(
                Contribution.member_id == Member.id,
                Contribution.occurred_on >= Term.start_on,
                Contribution.occurred_on <= Term.end_on,
                counting.counts(today),
            ),
        )
        .where(ACTIVE_MEMBER)
        .group_by(Member.id, Term.id, *columns)
    )


def list_ambassadors(db: Database, today: date) -> list[AmbassadorRow]:
    """Current ambassadors, by name, with the contributions counted in their current term up to
    `today`, and the return date of those on a pause on `today` (one query)."""
    columns = [Member.id, Member.slack_user_id, Member.name, Member.title, Member.company, Term.end_on]
    query = with_current_term_counts(*columns, Pause.until_on, today=today).outerjoin(
        Pause, and_(Pause.member_id == Member.id, pause_running(today))
    )
    with db.read_only() as session:
        rows = session.execute(query.order_by(func.lower(Member.name))).all()
    return [
        AmbassadorRow(member_id, slack_user_id, name, title, company, end, counted, until)
        for member_id, slack_user_id, name, title, company, end, until, counted in rows
    ]


def list_emeritus(db: Database, limit: int) -> tuple[list[EmeritusRow], int]:
    """Emeritus members, the most recent first (at most `limit`), and how many there are."""
    with db.read_only() as session:
        total = session.scalar(select(func.count(Member.id)).where(Member.status == MemberStatus.EMERITUS))
        rows = session.execute(
            select(
                Member.id,
                Member.slack_user_id,
                Member.name,
                Member.status_changed_at,
                Member.emeritus_reason,
                Member.status_reason,
            )
            .where(Member.status == MemberStatus.EMERITUS)
            .order_by(Member.status_changed_at.is_(None), Member.status_changed_at.desc(), Member.id)
            .limit(limit)
        ).all()
    return [EmeritusRow(*row) for row in rows], int(total or 0)


def cached_timezone(db: Database, slack_user_id: str, fresh_after: datetime) -> str | None:
    """The member's IANA time zone if it was looked up after `fresh_after`."""
    with db.read_only() as session:
        member = member_by_slack_id(session, slack_user_id)
        if (
            member
            and member.timezone
            and member.timezone_checked_at
            and member.timezone_checked_at > fresh_after
        ):
            return member.timezone
        return None


def timezone_on_record(db: Database, slack_user_id: str) -> tuple[str, datetime] | None:
    """The member's IANA time zone and when Slack told us, if the bot has looked it up."""
    query = select(Member.timezone, Member.timezone_checked_at).where(Member.slack_user_id == slack_user_id)
    with db.read_only() as session:
        row = session.execute(query).one_or_none()
    if row is None or not row.timezone or row.timezone_checked_at is None:
        return None
    return row.timezone, row.timezone_checked_at


def store_timezone(db: Database, slack_user_id: str, timezone: str, now: datetime) -> bool:
    """Cache the zone on the member's record; False when the bot has no record of this person."""
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return False
        member.timezone = timezone
        member.timezone_checked_at = now
        return True


def names_by_slack_id(db: Database, slack_user_ids: list[str]) -> dict[str, str]:
    """The names the program knows for these Slack users (those it does not know are left out)."""
    if not slack_user_ids:
        return {}
    with db.transaction() as session:
        rows = session.execute(
            select(Member.slack_user_id, Member.name).where(Member.slack_user_id.in_(set(slack_user_ids)))
        )
        return {str(slack_id): name for slack_id, name in rows}
