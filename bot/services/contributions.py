"""Logging a contribution: validation by the program's rules, then one write with its audit record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import program
from bot.db import Database
from bot.models import Contribution
from bot.program import Problem
from bot.services.members import MemberStanding, member_by_slack_id, record_audit, standing_in


@dataclass(frozen=True)
class ContributionDraft:
    """What a member gave us, as text, before validation."""

    type: str
    title: str
    link: str
    occurred_on: date | None
    reach: int | None = None
    audience: str | None = None
    notes: str | None = None


class NotAnAmbassador(Exception):
    """Only current ambassadors may log contributions or see their progress."""


@dataclass
class ContributionRejected(Exception):
    """The draft breaks a rule; `problems` maps each field (type, title, link, date) to its problem."""

    problems: dict[str, Problem] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedContribution:
    contribution_id: int
    type: str
    title: str
    link: str
    occurred_on: date
    counts_toward_term: bool
    standing: MemberStanding


def validate(draft: ContributionDraft, today: date) -> tuple[str, dict[str, Problem]]:
    """The canonical type and every problem with the draft, keyed by field."""
    problems: dict[str, Problem] = {}
    canonical = program.normalize_type(draft.type)
    if canonical is None:
        problems["type"] = Problem.UNKNOWN_TYPE
    if problem := program.link_problem(draft.link):
        problems["link"] = problem
    if draft.occurred_on is None:
        problems["date"] = Problem.BAD_DATE
    elif problem := program.date_problem(draft.occurred_on, today):
        problems["date"] = problem
    if problem := program.title_problem(draft.title):
        problems["title"] = problem
    return canonical or "", problems


def log_contribution(
    db: Database, slack_user_id: str, draft: ContributionDraft, today: date, now: datetime, required: int
) -> LoggedContribution:
    """Store a contribution for the ambassador `slack_user_id`; nothing is stored when a rule is broken.

    `today` is the member's local date (the date picker and "today" are in their time zone).
    """
    canonical, problems = validate(draft, today)
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None or not standing_in(session, member, today, required).is_ambassador:
            raise NotAnAmbassador()
        if problems:
            raise ContributionRejected(problems)
        assert draft.occurred_on is not None
        link = draft.link.strip()
        link_key = program.normalize_link(link)
        duplicate = session.scalar(
            select(Contribution.id).where(
                Contribution.member_id == member.id, Contribution.link_key == link_key
            )
        )
        if duplicate is not None:
            raise ContributionRejected({"link": Problem.DUPLICATE_LINK})
        contribution = Contribution(
            member_id=member.id,
            type=canonical,
            title=draft.title.strip(),
            link=link,
            link_key=link_key,
            year=draft.occurred_on.year,
            month=program.month_label(draft.occurred_on),
            occurred_on=draft.occurred_on,
            date_precision=program.DatePrecision.DAY,
            reach=draft.reach,
            audience=(draft.audience or "").strip() or None,
            notes=(draft.notes or "").strip() or None,
            source="slack",
            logged_by=slack_user_id,
            logged_at=now,
        )
        session.add(contribution)
        try:
            session.flush()
        except IntegrityError:
            # Two submits of the same link raced past the check above; the unique key caught it.
            raise ContributionRejected({"link": Problem.DUPLICATE_LINK}) from None
        record_audit(
            session,
            slack_user_id,
            "contribution.logged",
            member.id,
            contribution_id=contribution.id,
            type=canonical,
            title=contribution.title,
            link=link,
            date=draft.occurred_on.isoformat(),
        )
        after = standing_in(session, member, today, required)
        return LoggedContribution(
            contribution_id=contribution.id,
            type=canonical,
            title=contribution.title,
            link=link,
            occurred_on=draft.occurred_on,
            counts_toward_term=bool(after.term and after.term.rule_term.contains(draft.occurred_on)),
            standing=after,
        )
