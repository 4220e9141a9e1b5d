"""What the scheduled jobs find due: queries over members, terms, contributions and the outbox.

The pace, the renewal window and the verification outcome are the program's rules (`bot.rules.membership`);
the policies here only say *when* the bot speaks about them (how often a reminder may go out, when
renewal notices are due), from the settings. Queries take the caller's session, so a job plans and
enqueues in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.rules.impact import Impact
from bot.services import counting
from bot.services.contributions import IMPACT_COLUMNS
from bot.services.members import with_current_term_counts
from bot.store.constants import ACTIVE_TERM, COUNTED_OUT
from bot.store.models import Contribution, Member, MemberStatus, OutboxMessage, Term

# --- policies: when the bot speaks (pure, tested with plain dates) ------------------------------


@dataclass(frozen=True)
class ReminderPolicy:
    interval_days: int = 0  # 0: at most one reminder per calendar month
    grace_days: int = 30  # no reminder in the first days of a term
    notice_days: tuple[int, ...] = (30, 7)  # the renewal notices take over in the last days


def reminder_period(term_id: int, term_start: date, today: date, interval_days: int) -> str:
    """The period a reminder belongs to; at most one reminder per member and period.

    "2027-03" for calendar months; "term42-p3" for the fourth N-day stretch of term 42.
    """
    if interval_days <= 0:
        return f"{today.year:04d}-{today.month:02d}"
    return f"term{term_id}-p{max(0, (today - term_start).days) // interval_days}"


class NotDue(StrEnum):
    """Why an ambassador gets no pace reminder now."""

    ENDED = "ended"  # the term is over: the verification speaks
    ON_PACE = "on_pace"  # on pace, or the requirement met
    GRACE = "grace"  # in the first `grace_days` of the term
    NOTICE = "notice"  # in the renewal-notice period: the notices speak
    SNOOZED = "snoozed"


def reminder_not_due(
    current: membership_rules.Progress, snoozed_until: datetime | None, now: datetime, policy: ReminderPolicy
) -> NotDue | None:
    """Why no reminder is due (None when one is): behind pace, past the first weeks, before the
    renewal notices, and not snoozed."""
    if current.ended:
        return NotDue.ENDED
    # Every condition must hold for a reminder; the order only picks the reason told (`jobs run`).
    if (current.today - current.term.start).days < policy.grace_days:
        return NotDue.GRACE
    if policy.notice_days and current.days_left <= max(policy.notice_days):
        return NotDue.NOTICE
    if current.on_pace:
        return NotDue.ON_PACE
    if snoozed_until is not None and snoozed_until > now:
        return NotDue.SNOOZED
    return None


def reminder_due(
    current: membership_rules.Progress, snoozed_until: datetime | None, now: datetime, policy: ReminderPolicy
) -> bool:
    """Behind pace, past the first weeks, before the renewal notices, and not snoozed."""
    return reminder_not_due(current, snoozed_until, now, policy) is None


def first_reminder_day(
    current: membership_rules.Progress, snoozed_until: datetime | None, policy: ReminderPolicy
) -> date | None:
    """The first day from `current.today` on which a reminder falls due if nothing more is logged
    (None: none this term). Dates only: a snooze counts as over on the day after it ends."""
    term = current.term
    first = max(current.today, term.start + timedelta(days=policy.grace_days))
    if snoozed_until is not None:
        first = max(first, snoozed_until.date() + timedelta(days=1))
    last = term.end - timedelta(days=max(policy.notice_days) + 1) if policy.notice_days else term.end

    def behind(day: date) -> bool:
        return not membership_rules.Progress(term, day, current.counted, current.required).on_pace

    if first > last or not behind(last):
        return None
    # Falling behind only grows with the days (the count stays): the first day behind, by halving.
    while first < last:
        middle = first + (last - first) // 2
        if behind(middle):
            last = middle
        else:
            first = middle + timedelta(days=1)
    return first


def renewal_notice_due(days_left: int, notice_days: Sequence[int]) -> int | None:
    """The notice (days before the end) that is due: the last threshold crossed, if any.

    With notices at 30 and 7 days: 30 days left → 30; 12 left → 30 (caught up after downtime,
    sent once thanks to its key); 7 → 7; 0 (the last day) → None, the verification speaks then.
    """
    if days_left < 1:
        return None
    crossed = [days for days in notice_days if days_left <= days]
    return min(crossed) if crossed else None


# --- queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmbassadorProgress:
    member_id: int
    slack_user_id: str
    name: str
    term_id: int
    progress: membership_rules.Progress
    renewal_requested: bool
    snoozed_until: datetime | None
    waiting_review: int = 0  # dated in the term so far, waiting for the TSC's review (not counted yet)


def ambassadors_without_slack(session: Session) -> int:
    """Active ambassadors no Slack account is linked to (imported, not yet `admin link`ed): never reminded."""
    return int(
        session.scalar(
            select(func.count(Member.id)).where(
                Member.status == MemberStatus.ACTIVE, Member.slack_user_id.is_(None)
            )
        )
        or 0
    )


def ambassadors_in_progress(session: Session, today: date, required: int) -> list[AmbassadorProgress]:
    """Active ambassadors reachable in Slack, with their current term's progress and what of it still
    waits for the TSC's review (one query)."""
    waiting = counting.in_term(counting.waiting(today))
    query = (
        with_current_term_counts(
            Member.id,
            Member.slack_user_id,
            Member.name,
            Member.snoozed_until,
            Term.id,
            Term.start_on,
            Term.end_on,
            Term.renewal_requested_at,
            today=today,
        )
        .add_columns(waiting)
        .where(Member.slack_user_id.is_not(None))
        .order_by(Member.id)
    )
    result = []
    for row in session.execute(query):
        member_id, slack_id, name, snoozed, term_id, start, end, requested_at, count, in_review = row
        current = membership_rules.Progress(membership_rules.Term(start, end), today, count, required)
        result.append(
            AmbassadorProgress(
                member_id,
                str(slack_id),
                name,
                term_id,
                current,
                requested_at is not None,
                snoozed,
                int(in_review or 0),
            )
        )
    return result


@dataclass(frozen=True)
class TermAtEnd:
    """An active term whose last day is today or past, with what the verification decides from."""

    term_id: int
    member_id: int
    slack_user_id: str | None
    name: str
    progress: membership_rules.Progress
    renewal_requested: bool
    waiting_review: int = 0  # dated inside the term, still waiting for the TSC's review (not counted)


def terms_at_end(session: Session, today: date, required: int) -> list[TermAtEnd]:
    """Active terms whose last day is today or past (caught up after downtime), with each term's
    member, progress and what of it still waits for the TSC's review, in one statement however many
    there are.

    `bot.services.membership.verification.verify_term` applies the program's outcome; a term in its renewal grace
    period stays active and is listed again. The job decides from these rows which terms change,
    and only those are locked and written.
    """
    counted = counting.in_term(counting.counts(today))
    waiting = counting.in_term(counting.waiting(today))
    query = (
        select(
            Term.id,
            Member.id,
            Member.slack_user_id,
            Member.name,
            Term.start_on,
            Term.end_on,
            Term.renewal_requested_at,
            counted,
            waiting,
        )
        .join(Member, Member.id == Term.member_id)
        .where(ACTIVE_TERM, Term.end_on <= today)
        .order_by(Term.id)
    )
    return [
        TermAtEnd(
            term_id,
            member_id,
            slack_user_id,
            name,
            membership_rules.Progress(membership_rules.Term(start, end), today, count or 0, required),
            requested_at is not None,
            int(in_review or 0),
        )
        for term_id, member_id, slack_user_id, name, start, end, requested_at, count, in_review in session.execute(
            query
        )
    ]


@dataclass(frozen=True)
class DigestItem:
    name: str
    slack_user_id: str | None
    type: str
    title: str
    link: str
    occurred_on: date
    impact: Impact = field(default_factory=Impact)  # what it reached, as far as its author said


def contributions_logged_between(session: Session, start: datetime, end: datetime) -> list[DigestItem]:
    """Contributions logged in Slack in [start, end), in the order they were logged.

    By logging time, not by date: a talk logged on the 3rd for the 28th of last month is still
    recognised (in this month's digest), and every contribution appears in exactly one digest.
    Imported history and application forms are not news, so they are left out.
    """
    query = (
        select(
            Member.name,
            Member.slack_user_id,
            Contribution.type,
            Contribution.title,
            Contribution.link,
            Contribution.occurred_on,
            *IMPACT_COLUMNS,
        )
        .join(Member, Member.id == Contribution.member_id)
        .where(
            Contribution.source == "slack",
            Contribution.logged_at >= start,
            Contribution.logged_at < end,
            # What the TSC's review ruled out is not celebrated; what still waits for it is news.
            ~COUNTED_OUT,
        )
        .order_by(Contribution.logged_at, Contribution.id)
    )
    return [
        DigestItem(
            *row[:6],
            Impact(
                event_name=row.event_name,
                city=row.city,
                country=row.country,
                online=bool(row.online),
                language=row.language,
                reach=row.reach,
                recording_link=row.recording_link,
                slides_link=row.slides_link,
            ),
        )
        for row in session.execute(query)
    ]


@dataclass(frozen=True)
class Profile:
    member_id: int
    slack_user_id: str | None
    name: str
    title: str | None
    company: str | None
    bio: str | None
    github: str | None


def profiles(session: Session, member_ids: Sequence[int]) -> dict[int, Profile]:
    query = select(
        Member.id, Member.slack_user_id, Member.name, Member.title, Member.company, Member.bio, Member.github
    ).where(Member.id.in_(list(member_ids)))
    return {row[0]: Profile(*row) for row in session.execute(query)}


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of these outbox keys are already queued or sent (dry runs show them as such).

    One statement however many keys (a job may plan one message per ambassador): the keys travel as
    one parameter, an array on PostgreSQL and a JSON list on SQLite, instead of one each.
    """
    if not keys:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        listed: Any = any_(bindparam("keys", list(keys), type_=ARRAY(String)))
        query = select(OutboxMessage.key).where(OutboxMessage.key == listed)
    else:
        given = func.json_each(bindparam("keys", json.dumps(list(keys)))).table_valued("value")
        query = select(OutboxMessage.key).where(OutboxMessage.key.in_(select(given.c.value)))
    return set(session.scalars(query))


def outbox_rows(session: Session, keys: Sequence[str]) -> list[OutboxMessage]:
    """The outbox rows with these keys (those a service queued in the caller's transaction)."""
    if not keys:
        return []
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.key.in_(list(keys))).order_by(OutboxMessage.id)
        )
    )
