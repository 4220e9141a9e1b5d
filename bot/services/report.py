"""The program report: what the program did in a period, read in one transaction of a fixed number
of statements, whatever the number of ambassadors and contributions.

What counts is `counting.counts(today)` (an upcoming talk dated later in the period is listed apart).
A contribution's country is where it reached people: the country given with it, "Online" for an
online one, and otherwise the ambassador's own country ("Not given" when neither is known).
Renewals are terms that began in the period right after an earlier term of the same member (the
bot's renewals and the years an import recorded alike); emeritus moves are members who are emeritus
now and became so in the period (someone who left and rejoined within it is not one).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from bot.rules import membership as membership_rules
from bot.rules import report as report_rules
from bot.rules.report import DayCount, Period, Series
from bot.services import counting
from bot.services.contributions import IMPACT_COLUMNS
from bot.services.members import pause_running, with_current_term_counts
from bot.store.db import Database
from bot.store.models import Contribution, Member, MemberStatus, Pause, Term

TOP_CONTRIBUTORS = 10
ONLINE = "Online"
NOT_GIVEN = "Not given"


@dataclass(frozen=True)
class Contributor:
    member_id: int
    name: str
    slack_user_id: str | None
    contributions: int
    audience: int


@dataclass(frozen=True)
class BehindPace:
    member_id: int
    name: str
    slack_user_id: str | None
    counted: int
    expected_by_now: int
    term_end: date


@dataclass(frozen=True)
class ProgramReport:
    period: Period
    today: date
    required: int
    ambassadors_in_period: int  # had a term during the period
    ambassadors_now: int  # active today, with a current term
    contributions: int  # counted: dated in the period, up to today
    upcoming: int  # dated later in the period, logged ahead (not counted yet)
    contributors: int  # ambassadors with at least one counted contribution
    audience: int  # the sum of what they reached (attendees, views, listens, readers)
    by_type: dict[str, int]
    by_month: list[tuple[str, int, int]]  # ("2026-03", contributions, audience)
    by_country: dict[str, int]
    top: list[Contributor]
    behind_pace: list[BehindPace]  # today, in their current term (not those on a pause)
    renewals: int
    emeritus: dict[str, int]  # rules.emeritus.EmeritusReason → how many
    series: Series

    @property
    def emeritus_moves(self) -> int:
        return sum(self.emeritus.values())


@dataclass(frozen=True)
class ContributionLine:
    """One contribution of the period with what it reached (the report's CSV)."""

    occurred_on: date
    member: str
    github: str | None
    member_country: str | None
    type: str
    title: str
    link: str
    counted: bool
    event_name: str | None
    city: str | None
    country: str | None
    online: bool
    language: str | None
    audience: int | None
    recording_link: str | None
    slides_link: str | None
    source: str


def _in_period(period: Period) -> list[ColumnElement[bool]]:
    return [Contribution.occurred_on >= period.start, Contribution.occurred_on <= period.end]


def _day_counts(session: Session, period: Period) -> list[DayCount]:
    # Days by types is bounded by the period's length, not by the number of contributions.
    rows = session.execute(
        select(
            Contribution.occurred_on,
            Contribution.type,
            func.count(Contribution.id),
            func.coalesce(func.sum(Contribution.reach), 0),
        )
        .where(*_in_period(period))
        .group_by(Contribution.occurred_on, Contribution.type)
    ).all()
    return [DayCount(day, kind, int(count), int(audience or 0)) for day, kind, count, audience in rows]


def _by_country(session: Session, period: Period, today: date) -> dict[str, int]:
    # Grouped on the columns themselves and named here: the combinations are few, and the same SQL
    # works on both databases (an expression with parameters cannot be grouped on by PostgreSQL).
    rows = session.execute(
        select(Contribution.online, Contribution.country, Member.country, func.count(Contribution.id))
        .join(Member, Member.id == Contribution.member_id)
        .where(*_in_period(period), counting.counts(today))
        .group_by(Contribution.online, Contribution.country, Member.country)
    ).all()
    totals: dict[str, int] = {}
    for online, country, member_country, count in rows:
        name = ONLINE if online else (country or "").strip() or (member_country or "").strip() or NOT_GIVEN
        totals[name] = totals.get(name, 0) + int(count)
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def _top(session: Session, period: Period, today: date) -> tuple[list[Contributor], int]:
    count = func.count(Contribution.id)
    ranked = (
        select(
            Member.id,
            Member.name,
            Member.slack_user_id,
            count.label("contributions"),
            func.coalesce(func.sum(Contribution.reach), 0).label("audience"),
            func.count().over().label("contributors"),
        )
        .join(Member, Member.id == Contribution.member_id)
        .where(*_in_period(period), counting.counts(today))
        .group_by(Member.id, Member.name, Member.slack_user_id)
        .order_by(count.desc(), func.lower(Member.name), Member.id)
        .limit(TOP_CONTRIBUTORS)
    )
    rows = session.execute(ranked).all()
    top = [Contributor(row[0], row[1], row[2], int(row[3]), int(row[4] or 0)) for row in rows]
    return top, int(rows[0][5]) if rows else 0


def _ambassadors_in_period(session: Session, period: Period, zone: ZoneInfo) -> int:
    began = datetime.combine(period.start, time(), zone)
    return int(
        session.scalar(
            select(func.count(func.distinct(Term.member_id))).where(
                Term.start_on <= period.end,
                Term.end_on >= period.start,
                # A term closed early (the member left) no longer covers the days after it closed.
                (Term.closed_at.is_(None)) | (Term.closed_at >= began),
            )
        )
        or 0
    )


def _behind_pace(session: Session, today: date, required: int) -> tuple[list[BehindPace], int]:
    query = with_current_term_counts(
        Member.id, Member.name, Member.slack_user_id, Term.start_on, Term.end_on, Pause.id, today=today
    ).outerjoin(Pause, and_(Pause.member_id == Member.id, pause_running(today)))
    behind = []
    rows = session.execute(query).all()
    for member_id, name, slack_user_id, start, end, paused, counted in rows:
        progress = membership_rules.Progress(membership_rules.Term(start, end), today, counted, required)
        if paused is None and not progress.ended and not progress.on_pace:
            behind.append(BehindPace(member_id, name, slack_user_id, counted, progress.expected_by_now, end))
    behind.sort(key=lambda row: (row.counted - row.expected_by_now, row.name.lower()))
    return behind, len(rows)


def _renewals(session: Session, period: Period) -> int:
    """Terms begun in the period the day after (or before) an earlier term of the member ended."""
    earlier = aliased(Term)
    rows = session.execute(
        select(Term.start_on, func.max(earlier.end_on))
        .join(earlier, and_(earlier.member_id == Term.member_id, earlier.start_on < Term.start_on))
        .where(Term.start_on >= period.start, Term.start_on <= period.end)
        .group_by(Term.id, Term.start_on)
    ).all()
    # A rejoin after a gap is a new term, not a renewal.
    return sum(1 for start, last_end in rows if (start - last_end).days <= 1)


def _emeritus(session: Session, period: Period, zone: ZoneInfo) -> dict[str, int]:
    began = datetime.combine(period.start, time(), zone)
    ended = datetime.combine(period.end + timedelta(days=1), time(), zone)
    reason = func.coalesce(Member.emeritus_reason, "other")
    rows = session.execute(
        select(reason, func.count(Member.id))
        .where(
            Member.status == MemberStatus.EMERITUS,
            Member.status_changed_at >= began,
            Member.status_changed_at < ended,
        )
        .group_by(reason)
    ).all()
    return {str(name): int(count) for name, count in rows}


def program_report(
    db: Database, period: Period, *, today: date, required: int, zone: ZoneInfo, title: str = ""
) -> ProgramReport:
    """The report of `period` as of `today` (in the program's time zone `zone`): seven statements."""
    with db.read_only() as session:
        days = _day_counts(session, period)
        counted_days = [row for row in days if row.day <= today]
        by_country = _by_country(session, period, today)
        top, contributors = _top(session, period, today)
        in_period = _ambassadors_in_period(session, period, zone)
        behind, now = _behind_pace(session, today, required)
        renewals = _renewals(session, period)
        emeritus = _emeritus(session, period, zone)
    chart = report_rules.series(title or f"Contributions, {period.label}", period, counted_days)
    return ProgramReport(
        period=period,
        today=today,
        required=required,
        ambassadors_in_period=in_period,
        ambassadors_now=now,
        contributions=sum(row.count for row in counted_days),
        upcoming=sum(row.count for row in days if row.day > today),
        contributors=contributors,
        audience=sum(row.audience for row in counted_days),
        by_type=report_rules.by_type(counted_days),
        by_month=[
            (month, total, audience)
            for month, total, audience in zip(chart.months, chart.totals(), chart.audience, strict=True)
        ],
        by_country=by_country,
        top=top,
        behind_pace=behind,
        renewals=renewals,
        emeritus=emeritus,
        series=chart,
    )


def monthly_series(session: Session, period: Period, today: date, title: str) -> Series:
    """Only the chart's data (the digest's picture), in the caller's transaction: one statement."""
    return report_rules.series(
        title, period, [row for row in _day_counts(session, period) if row.day <= today]
    )


def contribution_lines(db: Database, period: Period, today: date) -> Iterator[ContributionLine]:
    """Every contribution dated in the period, oldest first, with its impact fields (one statement,
    read in batches)."""
    query = (
        select(
            Contribution.occurred_on,
            Member.name,
            Member.github,
            Member.country,
            Contribution.type,
            Contribution.title,
            Contribution.link,
            counting.counts(today),
            *IMPACT_COLUMNS,
            Contribution.source,
        )
        .join(Member, Member.id == Contribution.member_id)
        .where(*_in_period(period))
        .order_by(Contribution.occurred_on, Contribution.id)
        .execution_options(yield_per=1000)
    )
    with db.read_only() as session:
        for row in session.execute(query):
            values: list[Any] = list(row)
            values[7], values[11] = bool(values[7]), bool(values[11])
            yield ContributionLine(*values)
